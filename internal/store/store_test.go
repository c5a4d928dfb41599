package store_test

import (
	"context"
	"strings"
	"testing"

	"khabar/internal/store"
	"khabar/internal/storetest"
)

func TestConformance(t *testing.T) {
	for _, b := range storetest.Backends {
		t.Run(b.Name, func(t *testing.T) { storetest.Run(t, b.Open) })
	}
}

func TestUnreachablePostgresNamesHostHidesPassword(t *testing.T) {
	_, err := store.OpenPostgres(context.Background(), "postgres://khabar:s3cretpw@127.0.0.1:1/news?sslmode=disable&connect_timeout=2")
	if err == nil {
		t.Fatal("connected to a closed port")
	}
	msg := err.Error()
	if !strings.Contains(msg, "127.0.0.1:1") || strings.Contains(msg, "s3cretpw") {
		t.Errorf("message should name the host and hide the password: %s", msg)
	}
}

func TestRedactURL(t *testing.T) {
	got := store.RedactURL("postgres://u:pw@db.example:5432/x")
	if strings.Contains(got, "pw@") || !strings.Contains(got, "db.example") {
		t.Errorf("RedactURL = %s", got)
	}
}

// TestRebuildTypeahead: the keys of a rebuild land in the table part by
// part, the index by article is there at the end, and a rebuild cut
// short (the index dropped, as RebuildTypeahead drops it on SQLite) is
// mended by the next Migrate.
func TestRebuildTypeahead(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		parts := [][]store.TypeaheadKey{
			{{Prefix: "اس", Published: 1, Article: 1}, {Prefix: "اسد", Published: 1, Article: 1}},
			{}, // a letter whose words are too short for a key
			{{Prefix: "حد", Published: 2, Article: 2}},
		}
		next := 0
		err := s.RebuildTypeahead(ctx, func() []store.TypeaheadKey {
			if next == len(parts) {
				return nil
			}
			next++
			return parts[next-1]
		})
		if err != nil {
			t.Fatal(err)
		}
		var n int
		if err := s.DB().QueryRowContext(ctx, "SELECT COUNT(*) FROM typeahead").Scan(&n); err != nil || n != 3 {
			t.Fatalf("typeahead holds %d keys (%v), want 3", n, err)
		}
		indexed := func() bool {
			t.Helper()
			q := "SELECT COUNT(*) FROM sqlite_master WHERE type = 'index' AND name = 'typeahead_article'"
			if s.Dialect() == store.Postgres {
				q = "SELECT COUNT(*) FROM pg_indexes WHERE schemaname = current_schema() AND indexname = 'typeahead_article'"
			}
			var k int
			if err := s.DB().QueryRowContext(ctx, q).Scan(&k); err != nil {
				t.Fatal(err)
			}
			return k == 1
		}
		if !indexed() {
			t.Fatal("no index by article after the rebuild")
		}
		if _, err := s.DB().ExecContext(ctx, "DROP INDEX typeahead_article"); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		if !indexed() {
			t.Fatal("Migrate did not make the index by article again")
		}
	})
}

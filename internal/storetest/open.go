// Package storetest runs one conformance suite against every database the
// store supports, and opens fresh databases for other packages' tests.
package storetest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"testing"

	"khabar/internal/store"
)

// EnvURL names the variable holding the PostgreSQL URL for tests.
const EnvURL = "KHABAR_TEST_DATABASE_URL"

// EnvRequire, when set, turns a missing PostgreSQL into a failure; CI sets
// it so the PostgreSQL half of the suite can never be skipped silently.
const EnvRequire = "KHABAR_REQUIRE_POSTGRES"

// SQLite opens a migrated SQLite store in a temporary directory.
func SQLite(t testing.TB) *store.Store {
	t.Helper()
	s, err := store.OpenSQLite(t.TempDir())
	if err != nil {
		t.Fatalf("open sqlite: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	migrate(t, s)
	return s
}

// PostgresURL returns a URL to a fresh, empty schema on the test server,
// dropped when the test ends; it skips the test when no server is set.
func PostgresURL(t testing.TB) string {
	t.Helper()
	base := os.Getenv(EnvURL)
	if base == "" {
		if os.Getenv(EnvRequire) != "" {
			t.Fatalf("%s is set but %s is empty: PostgreSQL tests must run", EnvRequire, EnvURL)
		}
		t.Skipf("PostgreSQL tests skipped: set %s (e.g. postgres://postgres@127.0.0.1:5432/test?sslmode=disable)", EnvURL)
	}
	b := make([]byte, 6)
	rand.Read(b)
	schema := "khabar_test_" + hex.EncodeToString(b)
	admin, err := store.OpenPostgres(context.Background(), base)
	if err != nil {
		t.Fatalf("open postgres: %v", err)
	}
	if _, err := admin.DB().Exec("CREATE SCHEMA " + schema); err != nil {
		admin.Close()
		t.Fatalf("create schema: %v", err)
	}
	t.Cleanup(func() {
		admin.DB().Exec("DROP SCHEMA " + schema + " CASCADE")
		admin.Close()
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("parse %s: %v", EnvURL, err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

// Postgres opens a migrated store in a fresh schema (see PostgresURL).
func Postgres(t testing.TB) *store.Store {
	t.Helper()
	s, err := store.OpenPostgres(context.Background(), PostgresURL(t))
	if err != nil {
		t.Fatalf("open postgres: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	migrate(t, s)
	return s
}

func migrate(t testing.TB, s *store.Store) {
	t.Helper()
	if _, err := s.Migrate(context.Background()); err != nil {
		t.Fatalf("migrate: %v", err)
	}
}

// Backends lists the stores to run a test on, by name.
var Backends = []struct {
	Name string
	Open func(testing.TB) *store.Store
}{
	{"sqlite", SQLite},
	{"postgres", Postgres},
}

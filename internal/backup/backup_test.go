package backup

import (
	"archive/tar"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/klauspost/compress/gzip"

	"khabar/internal/demo"
	"khabar/internal/media"
	"khabar/internal/news"
	"khabar/internal/store"
	"khabar/internal/storetest"
)

// outlet is a demo outlet to back up, and where a restore of it goes.
type outlet struct {
	store    *store.Store
	mediaDir string
	// target returns the --db of an empty restore target ("" for SQLite).
	target func(t *testing.T) string
}

var outlets = []struct {
	name string
	open func(t *testing.T) outlet
}{
	{"sqlite", func(t *testing.T) outlet {
		return demoOutlet(t, storetest.SQLite(t), func(*testing.T) string { return "" })
	}},
	{"postgres", func(t *testing.T) outlet {
		requirePGTools(t)
		u := storetest.PostgresURL(t)
		s, err := store.OpenPostgres(context.Background(), u)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		if _, err := s.Migrate(context.Background()); err != nil {
			t.Fatal(err)
		}
		return demoOutlet(t, s, func(t *testing.T) string { return storetest.FreshDatabase(t, s.SchemaName()) })
	}},
}

func demoOutlet(t *testing.T, s *store.Store, target func(*testing.T) string) outlet {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "media")
	files, err := media.OpenDisk(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer files.Close()
	r, err := demo.Load(context.Background(), s, files)
	if err != nil || !r.Loaded {
		t.Fatalf("load the demo: %v (loaded %v)", err, r.Loaded)
	}
	return outlet{store: s, mediaDir: dir, target: target}
}

// requirePGTools skips when pg_dump is missing, unless PostgreSQL tests
// must run.
func requirePGTools(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath("pg_dump"); err != nil {
		if os.Getenv(storetest.EnvRequire) != "" {
			t.Fatalf("%s is set but pg_dump is not on the PATH: install postgresql-client", storetest.EnvRequire)
		}
		t.Skip("pg_dump is not on the PATH: PostgreSQL backups untested (install postgresql-client)")
	}
}

func backup(t *testing.T, o outlet) (string, Manifest) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "khabar.tar.gz")
	m, err := CreateFile(context.Background(), path, Options{Store: o.store, MediaDir: o.mediaDir, Version: "test"})
	if err != nil {
		t.Fatalf("backup: %v", err)
	}
	return path, m
}

// TestBackupRestore backs a demo outlet up while articles are being
// written, restores it into an empty target, and finds the snapshot's
// counts, an article and a picture as they were.
func TestBackupRestore(t *testing.T) {
	t.Parallel()
	for _, tc := range outlets {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			o := tc.open(t)
			stop := writeArticles(t, o.store)
			path, m := backup(t, o)
			stop()
			if m.SchemaVersion == "" || m.Counts["articles"] < 33 || m.Counts["media"] == 0 || len(m.Parts) < 2 {
				t.Fatalf("manifest: %+v", m)
			}

			data, target := t.TempDir(), o.target(t)
			r, err := Restore(ctx, path, RestoreOptions{DataDir: data, DatabaseURL: target})
			if err != nil {
				t.Fatalf("restore: %v", err)
			}
			if !reflect.DeepEqual(r.Counts, m.Counts) {
				t.Errorf("restored counts %v, manifest %v", r.Counts, m.Counts)
			}
			restored, err := store.Open(ctx, target, data)
			if err != nil {
				t.Fatal(err)
			}
			defer restored.Close()
			for _, id := range []int64{1, 33} {
				want, err := o.store.GetArticle(ctx, id)
				if err != nil {
					t.Fatal(err)
				}
				got, err := restored.GetArticle(ctx, id)
				if err != nil {
					t.Fatalf("restored article %d: %v", id, err)
				}
				if !reflect.DeepEqual(got, want) {
					t.Errorf("article %d restored as\n%+v\nwant\n%+v", id, got, want)
				}
			}
			lib, err := o.store.ListMedia(ctx, 1, 0)
			if err != nil || len(lib) == 0 {
				t.Fatalf("media: %v %v", lib, err)
			}
			want, err := os.ReadFile(filepath.Join(o.mediaDir, lib[0].Path))
			if err != nil {
				t.Fatal(err)
			}
			got, err := os.ReadFile(filepath.Join(data, "media", lib[0].Path))
			if err != nil || !bytes.Equal(got, want) {
				t.Errorf("media file %s not restored byte for byte (%d bytes, want %d): %v", lib[0].Path, len(got), len(want), err)
			}
			restored.Close()

			opt := RestoreOptions{DataDir: data, DatabaseURL: target}
			if _, err := Restore(ctx, path, opt); err == nil || !strings.Contains(err.Error(), "not empty") {
				t.Errorf("restore into a target holding an outlet: %v, want a refusal", err)
			}
			opt.Force = true
			if r, err := Restore(ctx, path, opt); err != nil || !reflect.DeepEqual(r.Counts, m.Counts) {
				t.Errorf("forced restore: %v, counts %v want %v", err, r.Counts, m.Counts)
			}

			tampered, part := tamper(t, path)
			empty := t.TempDir()
			_, err = Restore(ctx, tampered, RestoreOptions{DataDir: empty, DatabaseURL: o.target(t)})
			if err == nil || !strings.Contains(err.Error(), "part "+part+":") {
				t.Errorf("restore of an archive with a byte changed in %s: %v", part, err)
			}
			if left, _ := os.ReadDir(empty); len(left) > 0 {
				t.Errorf("a refused restore wrote %v", left)
			}
		})
	}
}

// writeArticles creates articles until the returned stop is called, and
// waits for the first, so a backup taken meanwhile races real writes.
func writeArticles(t *testing.T, s *store.Store) (stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	secs, err := s.ListSections(ctx)
	if err != nil || len(secs) == 0 {
		t.Fatalf("sections: %v", err)
	}
	first := make(chan error, 1)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 0; ctx.Err() == nil; i++ {
			a := &news.Article{Headline: fmt.Sprintf("خبر يكتب أثناء النسخ %d", i), Lead: "مقدمة", SectionID: secs[0].ID,
				Body: []news.Block{{Type: news.BlockParagraph, Text: "فقرة"}}}
			err := s.CreateArticle(ctx, a)
			if i == 0 {
				first <- err
			}
			if err != nil {
				return
			}
		}
	}()
	select {
	case err := <-first:
		if err != nil {
			t.Fatalf("write an article: %v", err)
		}
	case <-time.After(time.Minute):
		t.Fatal("no article written within a minute")
	}
	return func() { cancel(); wg.Wait() }
}

// tamper copies the archive with one byte changed in its last part (a
// media file) and names that part.
func tamper(t *testing.T, path string) (string, string) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	tr := tar.NewReader(zr)
	var (
		buf   bytes.Buffer
		names []string
		m     Manifest
	)
	zw := gzip.NewWriter(&buf)
	tw := tar.NewWriter(zw)
	for {
		hdr, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		body, err := io.ReadAll(tr)
		if err != nil {
			t.Fatal(err)
		}
		if hdr.Name == manifestName {
			if err := json.Unmarshal(body, &m); err != nil {
				t.Fatal(err)
			}
		}
		if hdr.Name == m.Parts[len(m.Parts)-1].Name {
			body[len(body)/2] ^= 1
		}
		names = append(names, hdr.Name)
		if err := tw.WriteHeader(hdr); err != nil {
			t.Fatal(err)
		}
		if _, err := tw.Write(body); err != nil {
			t.Fatal(err)
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "tampered.tar.gz")
	if err := os.WriteFile(out, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	return out, names[len(names)-1]
}

// TestPGDumpMissing: without pg_dump a PostgreSQL backup says which tool
// is missing. Not parallel: it empties PATH.
func TestPGDumpMissing(t *testing.T) {
	s := storetest.Postgres(t)
	t.Setenv("PATH", t.TempDir())
	_, err := Write(context.Background(), io.Discard, Options{Store: s})
	if err == nil || !strings.Contains(err.Error(), "pg_dump is not on the PATH") {
		t.Errorf("backup without pg_dump: %v", err)
	}
}

// TestManifestCheck: a restore trusts nothing in a manifest it has not
// checked.
func TestManifestCheck(t *testing.T) {
	t.Parallel()
	hash := strings.Repeat("ab", 32)
	db := Part{Name: sqlitePart, SHA256: hash}
	cases := []struct {
		name string
		m    Manifest
		want string
	}{
		{"good", Manifest{Format: 1, Database: "sqlite", Parts: []Part{db, {Name: "media/2026/11/a.jpg", SHA256: hash}}}, ""},
		{"newer format", Manifest{Format: 2, Database: "sqlite", Parts: []Part{db}}, "archive format 2"},
		{"unknown database", Manifest{Format: 1, Database: "mysql", Parts: []Part{db}}, `unknown database "mysql"`},
		{"no database part", Manifest{Format: 1, Database: "sqlite"}, "no database/khabar.db part"},
		{"postgres without schema", Manifest{Format: 1, Database: "postgres", Parts: []Part{{Name: pgPart, SHA256: hash}}}, "without its schema"},
		{"two databases", Manifest{Format: 1, Database: "postgres", PGSchema: "public", Parts: []Part{db, {Name: pgPart, SHA256: hash}}}, "a postgres backup with a database/khabar.db part"},
		{"escaping name", Manifest{Format: 1, Database: "sqlite", Parts: []Part{db, {Name: "media/../../etc/passwd", SHA256: hash}}}, "bad part"},
		{"hidden name", Manifest{Format: 1, Database: "sqlite", Parts: []Part{db, {Name: "media/.tmp", SHA256: hash}}}, "bad part"},
		{"other name", Manifest{Format: 1, Database: "sqlite", Parts: []Part{db, {Name: "etc/passwd", SHA256: hash}}}, "bad part"},
		{"bad hash", Manifest{Format: 1, Database: "sqlite", Parts: []Part{{Name: sqlitePart, SHA256: "xyz"}}}, "bad part"},
		{"negative size", Manifest{Format: 1, Database: "sqlite", Parts: []Part{{Name: sqlitePart, Size: -1, SHA256: hash}}}, "bad part"},
		{"duplicate", Manifest{Format: 1, Database: "sqlite", Parts: []Part{db, db}}, "twice"},
	}
	for _, c := range cases {
		_, err := c.m.check()
		if c.want == "" && err != nil || c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want)) {
			t.Errorf("%s: %v, want %q", c.name, err, c.want)
		}
	}
}

// TestRestoreMigratesForward: an archive missing a migration of this
// version gets it on restore.
func TestRestoreMigratesForward(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := storetest.SQLite(t)
	// As before backup_runs came: its table gone and its record with it
	// (Migrate runs any migration not recorded, whatever came after).
	const missing = "0029_backup_runs.sql"
	if _, err := s.DB().ExecContext(ctx, "DROP TABLE backup_runs; DELETE FROM schema_migrations WHERE name = ?", missing); err != nil {
		t.Fatal(err)
	}
	path, _ := backup(t, outlet{store: s, mediaDir: filepath.Join(t.TempDir(), "media")})
	r, err := Restore(ctx, path, RestoreOptions{DataDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(r.Applied, []string{missing}) {
		t.Errorf("restore applied %v, want [%s]", r.Applied, missing)
	}
}

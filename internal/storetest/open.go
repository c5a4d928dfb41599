// Package storetest runs one conformance suite against every database the
// store supports, and opens fresh databases for other packages' tests.
package storetest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"khabar/internal/store"
)

// EnvURL names the variable holding the PostgreSQL URL for tests.
const EnvURL = "KHABAR_TEST_DATABASE_URL"

// EnvRequire, when set, turns a missing PostgreSQL into a failure; CI sets
// it so the PostgreSQL half of the suite can never be skipped silently.
const EnvRequire = "KHABAR_REQUIRE_POSTGRES"

// SQLite opens a migrated SQLite store in a temporary directory. The
// store starts as a copy of one migrated once per test binary: under the
// race detector, SQLite parsing the migrations' SQL took a third of the
// tests' time. Migrate still runs, and finds nothing to do.
func SQLite(t testing.TB) *store.Store {
	t.Helper()
	dir := t.TempDir()
	migrated.CopyTo(t, dir)
	s, err := store.OpenSQLite(dir)
	if err != nil {
		t.Fatalf("open sqlite: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	migrate(t, s)
	return s
}

// migrated is a freshly migrated SQLite data directory.
var migrated = Template{Make: func(dir string) error {
	s, err := store.OpenSQLite(dir)
	if err != nil {
		return err
	}
	if _, err := s.Migrate(context.Background()); err != nil {
		s.Close()
		return err
	}
	return s.Close()
}}

// Template is a data directory made once per test binary and copied for
// each test that needs one like it (CopyTo). The files are kept in
// memory, so nothing is left behind when the binary ends.
type Template struct {
	// Make fills dir; any store it opens must be closed when it returns,
	// so the database file is whole (SQLite folds its log into it).
	Make func(dir string) error

	once  sync.Once
	files map[string][]byte // by path relative to the directory
	err   error
}

// get is the template's files, made on first use; a failure fails t (and
// every later test that needs it).
func (tp *Template) get(t testing.TB) map[string][]byte {
	t.Helper()
	tp.once.Do(func() { tp.files, tp.err = snapshot(tp.Make) })
	if tp.err != nil {
		t.Fatalf("make the template data directory: %v", tp.err)
	}
	return tp.files
}

// CopyTo writes the template into dir, made on first use.
func (tp *Template) CopyTo(t testing.TB, dir string) {
	t.Helper()
	if err := copyDir(tp.get(t), dir); err != nil {
		t.Fatalf("copy the template data directory: %v", err)
	}
}

// snapshot runs fill on a temporary directory and reads what it left.
func snapshot(fill func(dir string) error) (map[string][]byte, error) {
	dir, err := os.MkdirTemp("", "khabar-template-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	if err := fill(dir); err != nil {
		return nil, err
	}
	files := map[string][]byte{}
	err = filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(dir, path)
		files[rel] = b
		return err
	})
	return files, err
}

// copyDir writes files (by relative path) under dir.
func copyDir(files map[string][]byte, dir string) error {
	for rel, b := range files {
		path := filepath.Join(dir, rel)
		if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
			return err
		}
		if err := os.WriteFile(path, b, 0o600); err != nil {
			return err
		}
	}
	return nil
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

// FreshDatabase creates an empty database on the test server, dropped
// when the test ends, and returns its URL with search_path set to schema
// (a backup of a PostgreSQL outlet restores into the schema it came from).
func FreshDatabase(t testing.TB, schema string) string {
	t.Helper()
	base := os.Getenv(EnvURL)
	admin, err := store.OpenPostgres(context.Background(), base)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { admin.Close() })
	b := make([]byte, 6)
	rand.Read(b)
	name := "khabar_restore_" + hex.EncodeToString(b)
	if _, err := admin.DB().Exec("CREATE DATABASE " + name); err != nil {
		t.Fatalf("create database: %v", err)
	}
	t.Cleanup(func() { admin.DB().Exec("DROP DATABASE " + name + " WITH (FORCE)") })
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	u.Path = "/" + name
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

package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"khabar/internal/news"
)

// countedTables are the tables a backup's manifest counts, and a restore
// compares: what an operator recognises, not every table.
var countedTables = []string{"articles", "comments", "media", "users", "sections", "tags", "authors", "live_entries", "pages"}

// Counts is the number of rows in each of countedTables, by table name.
type Counts map[string]int64

// Counts counts the rows of the tables an operator checks after a restore.
func (s *Store) Counts(ctx context.Context) (Counts, error) { return counts(ctx, s.db) }

func counts(ctx context.Context, db querier) (Counts, error) {
	c := Counts{}
	for _, t := range countedTables {
		var n int64
		// t comes from countedTables, never from input.
		if err := db.QueryRowContext(ctx, "SELECT COUNT(*) FROM "+t).Scan(&n); err != nil {
			return nil, fmt.Errorf("count %s: %w", t, err)
		}
		c[t] = n
	}
	return c, nil
}

// SchemaVersion is the name of the last migration applied, "" before any.
func (s *Store) SchemaVersion(ctx context.Context) (string, error) { return schemaVersion(ctx, s.db) }

func schemaVersion(ctx context.Context, db querier) (string, error) {
	var v sql.NullString
	if err := db.QueryRowContext(ctx, "SELECT MAX(name) FROM schema_migrations").Scan(&v); err != nil {
		return "", fmt.Errorf("schema version: %w", err)
	}
	return v.String, nil
}

// Snapshot writes a consistent copy of the SQLite database to path, a file
// that must not exist yet. VACUUM INTO reads in one transaction, so writers
// carry on meanwhile and the copy is the database as of one moment,
// compacted.
func (s *Store) Snapshot(ctx context.Context, path string) error {
	if s.dialect != SQLite {
		return errors.New("snapshot: only an SQLite database is copied by the store (PostgreSQL is dumped with pg_dump)")
	}
	if _, err := s.db.ExecContext(ctx, "VACUUM INTO ?", path); err != nil {
		return fmt.Errorf("snapshot the database into %s: %w", path, err)
	}
	return nil
}

// ExportSnapshot runs fn while a read-only transaction holds a PostgreSQL
// snapshot, exported under the id fn gets (for pg_dump --snapshot), with
// the counts and schema version as of that snapshot: the manifest then
// describes exactly what the dump holds, however busy the site.
func (s *Store) ExportSnapshot(ctx context.Context, fn func(id string, c Counts, schemaVersion string) error) error {
	if s.dialect != Postgres {
		return errors.New("export snapshot: only on PostgreSQL")
	}
	tx, err := s.db.BeginTx(ctx, &sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true})
	if err != nil {
		return fmt.Errorf("export snapshot: %w", err)
	}
	defer tx.Rollback()
	var id string
	if err := tx.QueryRowContext(ctx, "SELECT pg_export_snapshot()").Scan(&id); err != nil {
		return fmt.Errorf("export snapshot: %w", err)
	}
	c, err := counts(ctx, tx)
	if err != nil {
		return err
	}
	v, err := schemaVersion(ctx, tx)
	if err != nil {
		return err
	}
	return fn(id, c, v)
}

// ResetSchema drops the store's PostgreSQL schema with everything in it
// and makes it again, empty: what restore --force does to a target that
// holds an outlet already.
func (s *Store) ResetSchema(ctx context.Context) error {
	if s.dialect != Postgres {
		return errors.New("reset schema: only on PostgreSQL")
	}
	if _, err := s.db.ExecContext(ctx, "DROP SCHEMA IF EXISTS "+pgx.Identifier{s.SchemaName()}.Sanitize()+" CASCADE"); err != nil {
		return fmt.Errorf("drop schema %s: %w", s.SchemaName(), err)
	}
	return s.CreateSchema(ctx)
}

// HasTables tells whether the database (on PostgreSQL, the store's
// schema) already holds Khabar's tables, so a restore does not mix two
// outlets.
func (s *Store) HasTables(ctx context.Context) (bool, error) {
	query := "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name IN ('schema_migrations', 'articles')"
	if s.dialect == Postgres {
		query = "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = current_schema() AND table_name IN ('schema_migrations', 'articles')"
	}
	var n int
	if err := s.db.QueryRowContext(ctx, query).Scan(&n); err != nil {
		return false, fmt.Errorf("look for existing tables: %w", err)
	}
	return n > 0, nil
}

// CreateSchema makes the store's schema if it is missing: a restore into
// a fresh PostgreSQL database names a schema that is not there yet.
func (s *Store) CreateSchema(ctx context.Context) error {
	if s.dialect != Postgres {
		return nil
	}
	schema := s.SchemaName()
	if _, err := s.db.ExecContext(ctx, "CREATE SCHEMA IF NOT EXISTS "+pgx.Identifier{schema}.Sanitize()); err != nil {
		return fmt.Errorf("create schema %s: %w", schema, err)
	}
	return nil
}

// SchemaName is the PostgreSQL schema the URL names (the first of its
// search_path, else "public"), whether or not it exists yet.
func (s *Store) SchemaName() string {
	if s.pgcfg == nil {
		return ""
	}
	first, _, _ := strings.Cut(s.pgcfg.RuntimeParams["search_path"], ",")
	if first = strings.Trim(strings.TrimSpace(first), `"`); first != "" && first != "$user" {
		return first
	}
	return "public"
}

// ServerMajor is the PostgreSQL server's major version (15 for 15.4).
func (s *Store) ServerMajor(ctx context.Context) (int, error) {
	var v string
	if err := s.db.QueryRowContext(ctx, "SHOW server_version_num").Scan(&v); err != nil {
		return 0, fmt.Errorf("server version: %w", err)
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		return 0, fmt.Errorf("server version %q: %w", v, err)
	}
	return n / 10000, nil
}

// ToolEnv is the environment that points PostgreSQL's own tools (pg_dump,
// pg_restore) at the store's server: libpq refuses pgx's extra URL
// parameters such as search_path, and the password stays out of the
// process list.
func (s *Store) ToolEnv() []string {
	if s.pgcfg == nil {
		return nil
	}
	c := s.pgcfg
	sslmode := "disable"
	if c.TLSConfig != nil {
		sslmode = "verify-full"
		if c.TLSConfig.InsecureSkipVerify {
			sslmode = "require"
			if len(c.Fallbacks) > 0 {
				sslmode = "prefer"
			}
		}
	}
	return []string{"PGHOST=" + c.Host, "PGPORT=" + strconv.Itoa(int(c.Port)), "PGUSER=" + c.User,
		"PGPASSWORD=" + c.Password, "PGDATABASE=" + c.Database, "PGSSLMODE=" + sslmode}
}

// DatabaseName is the PostgreSQL database the store is connected to.
func (s *Store) DatabaseName() string {
	if s.pgcfg == nil {
		return ""
	}
	return s.pgcfg.Database
}

// BackupRun is one scheduled backup's outcome.
type BackupRun struct {
	StartedAt, FinishedAt time.Time
	File                  string
	Size                  int64
	Err                   string // "" when the archive was written
}

// RecordBackup keeps a scheduled backup's outcome.
func (s *Store) RecordBackup(ctx context.Context, r BackupRun) error {
	_, err := s.db.ExecContext(ctx, s.q("INSERT INTO backup_runs (started_at, finished_at, file, size, error) VALUES (?, ?, ?, ?, ?)"),
		utc(r.StartedAt), utc(r.FinishedAt), r.File, r.Size, r.Err)
	if err != nil {
		return fmt.Errorf("record backup: %w", err)
	}
	return nil
}

// LastBackup is the newest scheduled backup's outcome; news.ErrNotFound
// before the first.
func (s *Store) LastBackup(ctx context.Context) (BackupRun, error) {
	var r BackupRun
	err := s.db.QueryRowContext(ctx, "SELECT started_at, finished_at, file, size, error FROM backup_runs ORDER BY id DESC LIMIT 1").
		Scan(&r.StartedAt, &r.FinishedAt, &r.File, &r.Size, &r.Err)
	if errors.Is(err, sql.ErrNoRows) {
		return r, news.ErrNotFound
	}
	if err != nil {
		return r, fmt.Errorf("last backup: %w", err)
	}
	return r, nil
}

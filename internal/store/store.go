// Package store holds every SQL statement of Khabar. One Store works over
// SQLite (embedded, the default) and PostgreSQL; queries are written once
// with ? placeholders and rebound for PostgreSQL.
package store

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib"
	_ "modernc.org/sqlite" // registers the "sqlite" driver
)

//go:embed migrations
var migrations embed.FS

// Dialect is the SQL flavour of the database behind a Store.
type Dialect string

const (
	SQLite   Dialect = "sqlite"
	Postgres Dialect = "postgres"
)

// Store is the only door to the database.
type Store struct {
	db      *sql.DB
	dialect Dialect
	pgcfg   *pgx.ConnConfig // for LISTEN, which needs a connection of its own
	queries sync.Map        // ? query -> rebound query, for PostgreSQL

	mu       sync.Mutex
	onEvents []func() // called after a commit that wrote events
}

// OpenSQLite opens (creating if needed) the database file in dir.
func OpenSQLite(dir string) (*Store, error) {
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, fmt.Errorf("create data directory %s: %w", dir, err)
	}
	path := filepath.Join(dir, "khabar.db")
	// _txlock=immediate takes the write lock at BEGIN, so two writers wait
	// for each other (busy_timeout) instead of failing on lock upgrade.
	// Reads go through a memory map of up to 1 GiB instead of a read() per
	// page into each connection's small cache: search visits thousands of
	// pages of the index, and 1-3 word queries over 9,000 articles went
	// from a p95 of 33 ms to 13 ms.
	dsn := "file:" + path + "?_txlock=immediate&_time_format=sqlite" +
		"&_pragma=journal_mode(WAL)&_pragma=foreign_keys(1)&_pragma=busy_timeout(10000)&_pragma=synchronous(NORMAL)&_pragma=mmap_size(1073741824)&_pragma=temp_store(2)"
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("open sqlite %s: %w", path, err)
	}
	db.SetMaxOpenConns(8)
	db.SetMaxIdleConns(8)
	db.SetConnMaxLifetime(0)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("open sqlite %s: %w", path, err)
	}
	return &Store{db: db, dialect: SQLite}, nil
}

// OpenPostgres connects to a PostgreSQL server. Errors name the host and
// never the password.
func OpenPostgres(ctx context.Context, dsn string) (*Store, error) {
	cfg, err := pgconn.ParseConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("parse database URL %s: %w", RedactURL(dsn), scrub(err, dsn))
	}
	where := fmt.Sprintf("%s:%d/%s", cfg.Host, cfg.Port, cfg.Database)
	pcfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("parse database URL %s: %w", RedactURL(dsn), scrub(err, dsn))
	}
	// Khabar's queries are short: JIT compiling them costs more than it
	// saves (200 ms for a common search term), and a generic plan chosen
	// after five runs of a prepared search can be catastrophically wrong for
	// a term in thousands of articles. An operator's own settings win.
	for k, v := range map[string]string{"jit": "off", "plan_cache_mode": "force_custom_plan"} {
		if _, set := pcfg.RuntimeParams[k]; !set {
			pcfg.RuntimeParams[k] = v
		}
	}
	db := stdlib.OpenDB(*pcfg)
	db.SetMaxOpenConns(20)
	db.SetMaxIdleConns(10)
	db.SetConnMaxIdleTime(5 * time.Minute)
	pctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := db.PingContext(pctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("cannot reach PostgreSQL at %s: %w", where, scrub(err, dsn))
	}
	return &Store{db: db, dialect: Postgres, pgcfg: pcfg}, nil
}

// Open picks the backend: a postgres:// or postgresql:// URL, or else the
// SQLite database in dataDir.
func Open(ctx context.Context, dbURL, dataDir string) (*Store, error) {
	if dbURL != "" {
		return OpenPostgres(ctx, dbURL)
	}
	return OpenSQLite(dataDir)
}

// RedactURL hides the password of a database URL for messages and logs.
func RedactURL(dsn string) string {
	u, err := url.Parse(dsn)
	if err != nil {
		return "(unparseable URL)"
	}
	return u.Redacted()
}

// scrub removes a password that a driver error might echo back.
func scrub(err error, dsn string) error {
	u, perr := url.Parse(dsn)
	if perr != nil || u.User == nil {
		return err
	}
	if pw, ok := u.User.Password(); ok && pw != "" && strings.Contains(err.Error(), pw) {
		return errors.New(strings.ReplaceAll(err.Error(), pw, "xxxxx"))
	}
	return err
}

// Dialect tells which database is behind the store.
func (s *Store) Dialect() Dialect { return s.dialect }

// DB exposes the pool for components that bring their own SQL driver
// layer (the job queue); nothing else should use it.
func (s *Store) DB() *sql.DB { return s.db }

// Close closes the pool.
func (s *Store) Close() error { return s.db.Close() }

// OnEvents registers fn to run after every commit that wrote events, so the
// dispatcher wakes at once instead of waiting for its next poll.
func (s *Store) OnEvents(fn func()) {
	s.mu.Lock()
	s.onEvents = append(s.onEvents, fn)
	s.mu.Unlock()
}

func (s *Store) eventsWritten() {
	s.mu.Lock()
	fns := s.onEvents
	s.mu.Unlock()
	for _, fn := range fns {
		fn()
	}
}

// q rebinds ? placeholders to $n for PostgreSQL. Queries hold no ? inside
// string literals, so a plain scan is enough.
func (s *Store) q(query string) string {
	if s.dialect != Postgres {
		return query
	}
	if v, ok := s.queries.Load(query); ok {
		return v.(string)
	}
	var sb strings.Builder
	n := 0
	for i := 0; i < len(query); i++ {
		if query[i] == '?' {
			n++
			sb.WriteByte('$')
			sb.WriteString(strconv.Itoa(n))
			continue
		}
		sb.WriteByte(query[i])
	}
	out := sb.String()
	s.queries.Store(query, out)
	return out
}

// querier is what *sql.DB and *sql.Tx have in common.
type querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// collect reads every row with scan, then closes rows and checks their
// error, which hand-written loops could forget (two never checked Err).
// It takes the query's error too, so a caller passes QueryContext's
// results on as they are; what names the list in every error. No rows
// gives a nil slice, as the loops it replaced returned.
func collect[T any](rows *sql.Rows, err error, what string, scan func(rowScanner) (T, error)) ([]T, error) {
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", what, err)
		}
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	return out, nil
}

// countBy reads a query of (key, count) rows into a map.
func countBy[K comparable](rows *sql.Rows, err error, what string) (map[K]int, error) {
	type count struct {
		key K
		n   int
	}
	list, err := collect(rows, err, what, func(r rowScanner) (count, error) {
		var c count
		err := r.Scan(&c.key, &c.n)
		return c, err
	})
	if err != nil {
		return nil, err
	}
	out := make(map[K]int, len(list))
	for _, c := range list {
		out[c.key] = c.n
	}
	return out, nil
}

// scanOne is collect's scan for a query of one column.
func scanOne[T any](r rowScanner) (T, error) {
	var v T
	err := r.Scan(&v)
	return v, err
}

// inTx runs fn in a transaction and commits it, or rolls back on error.
func (s *Store) inTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	if err := fn(tx); err != nil {
		tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// insert runs an INSERT … RETURNING id.
func (s *Store) insert(ctx context.Context, db querier, query string, args ...any) (int64, error) {
	var id int64
	err := db.QueryRowContext(ctx, s.q(query+" RETURNING id"), args...).Scan(&id)
	return id, err
}

// now is the store's clock, in UTC at the precision both databases keep.
func now() time.Time { return time.Now().UTC().Truncate(time.Microsecond) }

func utc(t time.Time) time.Time { return t.UTC().Truncate(time.Microsecond) }

func nullTime(t time.Time) sql.NullTime {
	if t.IsZero() {
		return sql.NullTime{}
	}
	return sql.NullTime{Time: utc(t), Valid: true}
}

func nullID(id int64) sql.NullInt64 { return sql.NullInt64{Int64: id, Valid: id > 0} }

func nullString(s string) sql.NullString { return sql.NullString{String: s, Valid: s != ""} }

// Migrate applies the embedded migrations that have not run yet and returns
// their names. On PostgreSQL an advisory lock keeps nodes that start
// together from racing.
func (s *Store) Migrate(ctx context.Context) ([]string, error) {
	dir, names, err := s.migrationNames()
	if err != nil {
		return nil, err
	}
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return nil, fmt.Errorf("migrate: %w", err)
	}
	defer conn.Close()
	if s.dialect == Postgres {
		if _, err := conn.ExecContext(ctx, "SELECT pg_advisory_lock(74865001)"); err != nil {
			return nil, fmt.Errorf("migrate: lock: %w", err)
		}
		defer conn.ExecContext(context.WithoutCancel(ctx), "SELECT pg_advisory_unlock(74865001)")
	}
	ts := "TIMESTAMP"
	if s.dialect == Postgres {
		ts = "TIMESTAMPTZ"
	}
	if _, err := conn.ExecContext(ctx, "CREATE TABLE IF NOT EXISTS schema_migrations (name TEXT PRIMARY KEY, applied_at "+ts+" NOT NULL)"); err != nil {
		return nil, fmt.Errorf("migrate: create schema_migrations: %w", err)
	}
	rows, err := conn.QueryContext(ctx, "SELECT name FROM schema_migrations")
	before, err := collect(rows, err, "migrate: list applied", scanOne[string])
	if err != nil {
		return nil, err
	}
	done := map[string]bool{}
	for _, n := range before {
		done[n] = true
	}
	var applied []string
	for _, name := range names {
		if done[name] {
			continue
		}
		body, err := migrations.ReadFile(dir + "/" + name)
		if err != nil {
			return applied, fmt.Errorf("migrate: read %s: %w", name, err)
		}
		tx, err := conn.BeginTx(ctx, nil)
		if err != nil {
			return applied, fmt.Errorf("migrate %s: %w", name, err)
		}
		if _, err := tx.ExecContext(ctx, string(body)); err != nil {
			tx.Rollback()
			return applied, fmt.Errorf("migrate %s: %w", name, err)
		}
		if _, err := tx.ExecContext(ctx, s.q("INSERT INTO schema_migrations (name, applied_at) VALUES (?, ?)"), name, now()); err != nil {
			tx.Rollback()
			return applied, fmt.Errorf("migrate %s: record: %w", name, err)
		}
		if err := tx.Commit(); err != nil {
			return applied, fmt.Errorf("migrate %s: commit: %w", name, err)
		}
		applied = append(applied, name)
	}
	// A rebuild of the search index cut short leaves it without this
	// index (RebuildTypeahead).
	if _, err := conn.ExecContext(ctx, typeaheadArticleIndex); err != nil {
		return applied, fmt.Errorf("migrate: %w", err)
	}
	return applied, nil
}

// migrationNames lists the dialect's embedded migrations in order, and
// the directory they are in.
func (s *Store) migrationNames() (dir string, names []string, err error) {
	dir = "migrations/" + string(s.dialect)
	entries, err := fs.ReadDir(migrations, dir)
	if err != nil {
		return "", nil, fmt.Errorf("read migrations: %w", err)
	}
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".sql") {
			names = append(names, e.Name())
		}
	}
	sort.Strings(names)
	return dir, names, nil
}

// PendingMigrations names the embedded migrations the database has not
// applied: none once Migrate ran, unless someone rolled the schema back.
func (s *Store) PendingMigrations(ctx context.Context) ([]string, error) {
	_, names, err := s.migrationNames()
	if err != nil {
		return nil, err
	}
	rows, err := s.db.QueryContext(ctx, "SELECT name FROM schema_migrations")
	applied, err := collect(rows, err, "list applied migrations", scanOne[string])
	if err != nil {
		return nil, err
	}
	var pending []string
	for _, n := range names {
		if !slices.Contains(applied, n) {
			pending = append(pending, n)
		}
	}
	return pending, nil
}

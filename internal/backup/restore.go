package backup

import (
	"archive/tar"
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/klauspost/compress/gzip"

	"khabar/internal/media"
	"khabar/internal/store"
)

// RestoreOptions say where to restore.
type RestoreOptions struct {
	DataDir     string // receives the SQLite database and the media files
	DatabaseURL string // a PostgreSQL target; "" restores into DataDir's SQLite
	// Force replaces what the target holds instead of refusing.
	Force bool
}

// Restored reports a restore.
type Restored struct {
	Manifest Manifest
	Applied  []string     // migrations run on the restored database
	Counts   store.Counts // of the restored database
}

// Restore checks the archive at path whole, then writes its database and
// media into an empty target and brings the schema up to date.
func Restore(ctx context.Context, path string, opt RestoreOptions) (Restored, error) {
	m, err := walk(path, nil)
	if err != nil {
		return Restored{}, err
	}
	r := Restored{Manifest: m}
	dbPath := filepath.Join(opt.DataDir, "khabar.db")
	mediaDir := filepath.Join(opt.DataDir, "media")
	var target *store.Store
	switch {
	case m.Database == string(store.SQLite) && opt.DatabaseURL != "":
		return r, errors.New("this backup holds an SQLite database: restore it into --data without --db")
	case m.Database == string(store.Postgres) && opt.DatabaseURL == "":
		return r, errors.New("this backup holds a PostgreSQL database: name the target with --db")
	case m.Database == string(store.Postgres):
		target, err = store.OpenPostgres(ctx, opt.DatabaseURL)
		if err != nil {
			return r, err
		}
		defer target.Close()
		if target.SchemaName() != m.PGSchema {
			return r, fmt.Errorf("this backup holds schema %q but the target URL names schema %q: set search_path=%s in --db", m.PGSchema, target.SchemaName(), m.PGSchema)
		}
	}
	if err := checkEmpty(ctx, target, dbPath, mediaDir, opt.Force); err != nil {
		return r, err
	}
	if err := os.MkdirAll(opt.DataDir, 0o750); err != nil {
		return r, fmt.Errorf("create data directory %s: %w", opt.DataDir, err)
	}
	if opt.Force {
		if err := wipe(ctx, target, dbPath, mediaDir); err != nil {
			return r, err
		}
	}
	if err := unpack(ctx, path, target, dbPath, mediaDir); err != nil {
		return r, err
	}
	s, err := store.Open(ctx, opt.DatabaseURL, opt.DataDir)
	if err != nil {
		return r, err
	}
	defer s.Close()
	if r.Applied, err = s.Migrate(ctx); err != nil {
		return r, err
	}
	r.Counts, err = s.Counts(ctx)
	return r, err
}

// checkEmpty refuses a target holding a database or media files, unless
// force.
func checkEmpty(ctx context.Context, target *store.Store, dbPath, mediaDir string, force bool) error {
	var held []string
	if target != nil {
		has, err := target.HasTables(ctx)
		if err != nil {
			return err
		}
		if has {
			held = append(held, fmt.Sprintf("PostgreSQL schema %q holds Khabar's tables", target.SchemaName()))
		}
	} else if _, err := os.Stat(dbPath); err == nil {
		held = append(held, dbPath+" exists")
	} else if !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("restore: %w", err)
	}
	files, err := listMedia(mediaDir)
	if err != nil {
		return err
	}
	if len(files) > 0 {
		held = append(held, fmt.Sprintf("%s holds %d media files", mediaDir, len(files)))
	}
	if len(held) > 0 && !force {
		return fmt.Errorf("the target is not empty (%s): restore into an empty one, or add --force to replace what it holds", strings.Join(held, "; "))
	}
	return nil
}

// wipe removes what a forced restore replaces.
func wipe(ctx context.Context, target *store.Store, dbPath, mediaDir string) error {
	if target != nil {
		if err := target.ResetSchema(ctx); err != nil {
			return err
		}
	}
	for _, p := range []string{dbPath, dbPath + "-wal", dbPath + "-shm", mediaDir} {
		if err := os.RemoveAll(p); err != nil {
			return fmt.Errorf("restore: remove %s: %w", p, err)
		}
	}
	return nil
}

// unpack writes the archive's parts: the SQLite database under a
// temporary name renamed into place once whole, a PostgreSQL dump through
// pg_restore, media files through the media store.
func unpack(ctx context.Context, path string, target *store.Store, dbPath, mediaDir string) error {
	files, err := media.OpenDisk(mediaDir)
	if err != nil {
		return err
	}
	defer files.Close()
	dbTemp := filepath.Join(filepath.Dir(dbPath), ".khabar-restore.db")
	defer os.Remove(dbTemp)
	if target != nil {
		dir, err := os.MkdirTemp("", "khabar-restore-")
		if err != nil {
			return fmt.Errorf("restore: temporary directory: %w", err)
		}
		defer os.RemoveAll(dir)
		dbTemp = filepath.Join(dir, "khabar.pgdump")
	}
	_, err = walk(path, func(p Part, r io.Reader) error {
		if key, ok := strings.CutPrefix(p.Name, mediaPrefix); ok {
			_, err := files.Put(ctx, key, r)
			return err
		}
		return writeFile(dbTemp, r)
	})
	if err != nil {
		return err
	}
	if target == nil {
		if err := os.Rename(dbTemp, dbPath); err != nil {
			return fmt.Errorf("restore: %w", err)
		}
		return nil
	}
	return pgRestore(ctx, target, dbTemp)
}

func writeFile(path string, r io.Reader) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	if _, err := io.Copy(f, r); err != nil {
		f.Close()
		return fmt.Errorf("restore: write %s: %w", path, err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("restore: write %s: %w", path, err)
	}
	return f.Close()
}

// pgRestore loads a pg_dump archive into the target's schema. The schema
// itself is made here and left out of pg_restore's list: "public" exists
// in every new database, and pg_restore would stop at its CREATE SCHEMA.
func pgRestore(ctx context.Context, target *store.Store, dump string) error {
	tool, err := pgTool(ctx, target, "pg_restore")
	if err != nil {
		return err
	}
	if err := target.CreateSchema(ctx); err != nil {
		return err
	}
	toc, err := runTool(ctx, target, tool, "--list", dump)
	if err != nil {
		return err
	}
	var keep strings.Builder
	for line := range strings.Lines(toc) {
		if !schemaEntry.MatchString(line) {
			keep.WriteString(line)
		}
	}
	list := dump + ".list"
	if err := os.WriteFile(list, []byte(keep.String()), 0o600); err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	_, err = runTool(ctx, target, tool, "--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction",
		"--use-list="+list, "--dbname="+target.DatabaseName(), dump)
	return err
}

// schemaEntry matches the table-of-contents lines of the schema and its
// comment: "4; 2615 2200 SCHEMA - public owner".
var schemaEntry = regexp.MustCompile(`^\d+; \d+ \d+ (SCHEMA|COMMENT) - `)

// walk reads the archive's manifest, then every part, checking each
// against the manifest (name, size, SHA-256) and that none is missing.
// part, if not nil, is given each part's content as it is read; a part
// that does not match fails the walk with the part's name.
func walk(path string, part func(p Part, r io.Reader) error) (Manifest, error) {
	var m Manifest
	f, err := os.Open(path)
	if err != nil {
		return m, fmt.Errorf("open backup: %w", err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		return m, fmt.Errorf("%s is not a Khabar backup (not gzip-compressed): %w", path, err)
	}
	tr := tar.NewReader(zr)
	hdr, err := tr.Next()
	if err != nil || hdr.Name != manifestName {
		return m, fmt.Errorf("%s is not a Khabar backup: it does not start with %s", path, manifestName)
	}
	if hdr.Size > maxManifest {
		return m, fmt.Errorf("%s: manifest of %d bytes is too large", path, hdr.Size)
	}
	if err := json.NewDecoder(tr).Decode(&m); err != nil {
		return m, fmt.Errorf("%s: read the manifest: %w", path, err)
	}
	parts, err := m.check()
	if err != nil {
		return m, fmt.Errorf("%s: %w", path, err)
	}
	for {
		hdr, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return m, fmt.Errorf("%s is damaged after the parts read so far: %w", path, err)
		}
		p, ok := parts[hdr.Name]
		if !ok {
			return m, fmt.Errorf("%s: entry %q is not in the manifest, or comes twice", path, hdr.Name)
		}
		delete(parts, hdr.Name)
		if hdr.Typeflag != tar.TypeReg || hdr.Size != p.Size {
			return m, fmt.Errorf("part %s: %d bytes in the archive, %d in the manifest", p.Name, hdr.Size, p.Size)
		}
		h := sha256.New()
		r := io.TeeReader(tr, h)
		if part != nil {
			if err := part(p, r); err != nil {
				return m, fmt.Errorf("part %s: %w", p.Name, err)
			}
		}
		if _, err := io.Copy(io.Discard, r); err != nil {
			return m, fmt.Errorf("part %s: read: %w", p.Name, err)
		}
		if sum(h) != p.SHA256 {
			return m, fmt.Errorf("part %s: its SHA-256 differs from the manifest's: the archive is damaged or was altered", p.Name)
		}
	}
	for name := range parts {
		return m, fmt.Errorf("part %s is in the manifest but not in the archive", name)
	}
	return m, nil
}

var sha256Hex = regexp.MustCompile(`^[0-9a-f]{64}$`)

// check validates a manifest read from an archive and indexes its parts
// by name.
func (m Manifest) check() (map[string]Part, error) {
	if m.Format != Format {
		return nil, fmt.Errorf("archive format %d; this khabar reads format %d", m.Format, Format)
	}
	want, other := sqlitePart, pgPart
	switch m.Database {
	case string(store.SQLite):
	case string(store.Postgres):
		want, other = pgPart, sqlitePart
		if m.PGSchema == "" {
			return nil, errors.New("manifest: a PostgreSQL backup without its schema")
		}
	default:
		return nil, fmt.Errorf("manifest: unknown database %q", m.Database)
	}
	parts := map[string]Part{}
	for _, p := range m.Parts {
		if !validPartName(p.Name) || p.Size < 0 || !sha256Hex.MatchString(p.SHA256) {
			return nil, fmt.Errorf("manifest: bad part %q", p.Name)
		}
		if _, dup := parts[p.Name]; dup {
			return nil, fmt.Errorf("manifest: part %q twice", p.Name)
		}
		parts[p.Name] = p
	}
	if _, ok := parts[want]; !ok {
		return nil, fmt.Errorf("manifest: no %s part", want)
	}
	if _, ok := parts[other]; ok {
		return nil, fmt.Errorf("manifest: a %s backup with a %s part", m.Database, other)
	}
	return parts, nil
}

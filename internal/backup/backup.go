// Package backup snapshots an outlet (its database and media files) into
// one compressed archive, and restores such an archive into an empty data
// directory or PostgreSQL schema.
//
// An archive is a tar.gz whose first entry is manifest.json: the Khabar
// version, the schema version, the counts of the main tables and the
// SHA-256 and size of every other entry (the parts). A restore reads the
// manifest first and checks every part against it before writing
// anything.
package backup

import (
	"archive/tar"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/klauspost/compress/gzip"

	"khabar/internal/media"
	"khabar/internal/store"
)

// Format is the archive layout's version, raised when it changes in a way
// an older restore could not read.
const Format = 1

const (
	manifestName = "manifest.json"
	sqlitePart   = "database/khabar.db"
	pgPart       = "database/khabar.pgdump"
	mediaPrefix  = "media/"
	// maxManifest bounds what a restore reads before it trusts anything.
	maxManifest = 256 << 20
)

// Manifest describes an archive.
type Manifest struct {
	Format        int          `json:"format"`
	Version       string       `json:"khabar_version"`
	Created       time.Time    `json:"created"`
	Database      string       `json:"database"` // "sqlite" or "postgres"
	SchemaVersion string       `json:"schema_version"`
	PGSchema      string       `json:"postgres_schema,omitempty"`
	Counts        store.Counts `json:"counts"`
	Parts         []Part       `json:"parts"`
	// MediaStore and MediaObjects: media kept in a bucket (--media-store)
	// are listed, not copied; the bucket keeps them (and its versioning
	// or replication guards them), and a restore finds them there.
	MediaStore   string `json:"media_store,omitempty"`
	MediaObjects []Part `json:"media_objects,omitempty"`
}

// Part is one entry of the archive besides the manifest.
type Part struct {
	Name   string `json:"name"`
	Size   int64  `json:"size"`
	SHA256 string `json:"sha256"`
}

// Options say what to back up.
type Options struct {
	Store    *store.Store
	MediaDir string // the local media directory; missing is empty
	// Objects, when media live in a bucket, is that store (named
	// ObjectsURL): its objects go in the manifest's list, not the archive.
	Objects    media.Store
	ObjectsURL string
	// CopyObjects puts the objects in the archive as media parts, as
	// files on disk are (a restore writes them to the data directory).
	CopyObjects bool
	Version     string // Khabar's version, for the manifest
	// TempDir holds the database's copy while the archive is written;
	// "" is the system's.
	TempDir string
}

// CreateFile writes a backup to path, which must not exist: an archive
// is never overwritten. The archive is written under a hidden temporary
// name beside path and given its name only when whole, so a name like
// FileName's is always a finished archive, and a failure leaves nothing.
func CreateFile(ctx context.Context, path string, opt Options) (Manifest, error) {
	exists := func() error {
		return fmt.Errorf("%s exists already; a backup never overwrites one (choose another --out)", path)
	}
	if _, err := os.Lstat(path); err == nil {
		return Manifest{}, exists()
	}
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return Manifest{}, fmt.Errorf("create backup file: %w", err)
	}
	defer os.Remove(f.Name())
	m, err := Write(ctx, f, opt)
	if err != nil {
		f.Close()
		return m, err
	}
	if err := errors.Join(f.Sync(), f.Close()); err != nil {
		return m, fmt.Errorf("write %s: %w", path, err)
	}
	// A link, unlike a rename, fails rather than replace a file made
	// meanwhile.
	if err := os.Link(f.Name(), path); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return m, exists()
		}
		return m, fmt.Errorf("name the backup %s: %w", path, err)
	}
	return m, nil
}

// Write writes a backup archive to w.
func Write(ctx context.Context, w io.Writer, opt Options) (Manifest, error) {
	tmp, err := os.MkdirTemp(opt.TempDir, "khabar-backup-")
	if err != nil {
		return Manifest{}, fmt.Errorf("backup: temporary directory: %w", err)
	}
	defer os.RemoveAll(tmp)
	m := Manifest{Format: Format, Version: opt.Version, Created: time.Now().UTC().Truncate(time.Second),
		Database: string(opt.Store.Dialect())}
	db, err := dumpDatabase(ctx, opt.Store, tmp, &m)
	if err != nil {
		return m, err
	}
	files := []source{db}
	mediaFiles, err := listMedia(opt.MediaDir)
	if err != nil {
		return m, err
	}
	files = append(files, mediaFiles...)
	if opt.Objects != nil {
		m.MediaStore = opt.ObjectsURL
		if err := opt.Objects.Walk(ctx, func(key string, info media.Info) error {
			if opt.CopyObjects {
				files = append(files, source{name: mediaPrefix + key, path: key, objects: opt.Objects})
			} else {
				m.MediaObjects = append(m.MediaObjects, Part{Name: key, Size: info.Size, SHA256: info.SHA256})
			}
			return nil
		}); err != nil {
			return m, fmt.Errorf("backup: list the media objects: %w", err)
		}
	}
	// Every part is hashed before the manifest is written, and again as
	// it goes into the archive: a file that changed in between fails the
	// backup rather than leaving an archive that no restore accepts.
	for i := range files {
		if err := ctx.Err(); err != nil {
			return m, err
		}
		p, err := hashFile(ctx, files[i])
		if err != nil {
			return m, err
		}
		p.Name = files[i].name
		m.Parts = append(m.Parts, p)
	}
	zw, err := gzip.NewWriterLevel(w, gzip.DefaultCompression)
	if err != nil {
		return m, err
	}
	tw := tar.NewWriter(zw)
	body, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return m, fmt.Errorf("backup: manifest: %w", err)
	}
	if err := writeEntry(tw, manifestName, int64(len(body)), strings.NewReader(string(body))); err != nil {
		return m, err
	}
	for i, src := range files {
		if err := ctx.Err(); err != nil {
			return m, err
		}
		if err := copyPart(ctx, tw, src, m.Parts[i]); err != nil {
			return m, err
		}
	}
	if err := tw.Close(); err != nil {
		return m, fmt.Errorf("backup: finish the archive: %w", err)
	}
	if err := zw.Close(); err != nil {
		return m, fmt.Errorf("backup: finish the archive: %w", err)
	}
	return m, nil
}

// source is a file that becomes the part name: on disk at path, or the
// object path in objects (media in a bucket, with --with-media).
type source struct {
	name, path string
	objects    media.Store
}

func (src source) open(ctx context.Context) (io.ReadCloser, error) {
	if src.objects != nil {
		return src.objects.Open(ctx, src.path)
	}
	return os.Open(src.path)
}

// dumpDatabase copies the database into dir and fills the manifest's
// database fields from the copy's own moment.
func dumpDatabase(ctx context.Context, s *store.Store, dir string, m *Manifest) (source, error) {
	if s.Dialect() == store.SQLite {
		snap := filepath.Join(dir, "khabar.db")
		if err := s.Snapshot(ctx, snap); err != nil {
			return source{}, err
		}
		copyStore, err := store.OpenSQLite(dir)
		if err != nil {
			return source{}, fmt.Errorf("backup: open the database copy: %w", err)
		}
		m.Counts, err = copyStore.Counts(ctx)
		if err == nil {
			m.SchemaVersion, err = copyStore.SchemaVersion(ctx)
		}
		// Closing folds the copy's write-ahead log back into the file.
		if cerr := copyStore.Close(); err == nil && cerr != nil {
			err = fmt.Errorf("backup: close the database copy: %w", cerr)
		}
		return source{name: sqlitePart, path: snap}, err
	}
	pgDump, err := pgTool(ctx, s, "pg_dump")
	if err != nil {
		return source{}, err
	}
	m.PGSchema, err = s.Schema(ctx)
	if err != nil {
		return source{}, err
	}
	out := filepath.Join(dir, "khabar.pgdump")
	err = s.ExportSnapshot(ctx, func(id string, c store.Counts, version string) error {
		m.Counts, m.SchemaVersion = c, version
		_, err := runTool(ctx, s, pgDump, "--format=custom", "--no-owner", "--no-privileges",
			"--schema="+quotePattern(m.PGSchema), "--snapshot="+id, "--file="+out)
		return err
	})
	return source{name: pgPart, path: out}, err
}

// toolVersion reads the major version from "pg_dump (PostgreSQL) 15.4 …".
var toolVersion = regexp.MustCompile(`\(PostgreSQL\) (\d+)`)

// pgTool finds one of PostgreSQL's client tools on the PATH, no older than
// the server: an older pg_dump refuses a newer server, and an older
// pg_restore may not read a newer pg_dump's archive.
func pgTool(ctx context.Context, s *store.Store, name string) (string, error) {
	path, err := exec.LookPath(name)
	if err != nil {
		return "", fmt.Errorf("%s is not on the PATH: install PostgreSQL's client tools (the postgresql-client package) to back up or restore a PostgreSQL database", name)
	}
	out, err := exec.CommandContext(ctx, path, "--version").Output()
	if err != nil {
		return "", fmt.Errorf("%s --version: %w", path, err)
	}
	match := toolVersion.FindSubmatch(out)
	if match == nil {
		return "", fmt.Errorf("%s --version: unexpected answer %q", path, strings.TrimSpace(string(out)))
	}
	tool, _ := strconv.Atoi(string(match[1]))
	server, err := s.ServerMajor(ctx)
	if err != nil {
		return "", err
	}
	if tool < server {
		return "", fmt.Errorf("%s is version %d but the server is PostgreSQL %d: install client tools of version %d or newer", path, tool, server, server)
	}
	return path, nil
}

// runTool runs a PostgreSQL client tool on s's server and returns its
// output, or its error output when it fails.
func runTool(ctx context.Context, s *store.Store, path string, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, path, args...)
	cmd.Env = append(os.Environ(), s.ToolEnv()...)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("%s: %w: %s", filepath.Base(path), err, strings.TrimSpace(stderr.String()))
	}
	return string(out), nil
}

// listMedia lists the media directory's files as parts. Names starting
// with a dot are the media store's files in the making, and a name the
// media store refuses as a key was not made by it and is never served:
// both are left out.
func listMedia(dir string) ([]source, error) {
	var out []source
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if errors.Is(err, fs.ErrNotExist) && path == dir {
			return filepath.SkipDir
		}
		if err != nil {
			return err
		}
		if path == dir {
			return nil
		}
		if strings.HasPrefix(d.Name(), ".") {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		if !d.Type().IsRegular() {
			return nil
		}
		rel, err := filepath.Rel(dir, path)
		if err != nil {
			return err
		}
		if name := mediaPrefix + filepath.ToSlash(rel); validPartName(name) {
			out = append(out, source{name: name, path: path})
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("backup: list media files in %s: %w", dir, err)
	}
	return out, nil
}

func hashFile(ctx context.Context, src source) (Part, error) {
	f, err := src.open(ctx)
	if err != nil {
		return Part{}, fmt.Errorf("backup: %w", err)
	}
	defer f.Close()
	h := sha256.New()
	n, err := io.Copy(h, f)
	if err != nil {
		return Part{}, fmt.Errorf("backup: read %s: %w", src.path, err)
	}
	return Part{Size: n, SHA256: hex.EncodeToString(h.Sum(nil))}, nil
}

// copyPart streams a file into the archive, checking it is still what the
// manifest says.
func copyPart(ctx context.Context, tw *tar.Writer, src source, p Part) error {
	f, err := src.open(ctx)
	if err != nil {
		return fmt.Errorf("backup: %s: %w", p.Name, err)
	}
	defer f.Close()
	h := sha256.New()
	if err := writeEntry(tw, p.Name, p.Size, io.TeeReader(f, h)); err != nil {
		return err
	}
	if sum(h) != p.SHA256 {
		return fmt.Errorf("backup: %s changed while the backup was written; run it again", p.Name)
	}
	return nil
}

func writeEntry(tw *tar.Writer, name string, size int64, r io.Reader) error {
	hdr := &tar.Header{Name: name, Size: size, Mode: 0o600, Typeflag: tar.TypeReg, ModTime: time.Now().UTC().Truncate(time.Second), Format: tar.FormatPAX}
	if err := tw.WriteHeader(hdr); err != nil {
		return fmt.Errorf("backup: %s: %w", name, err)
	}
	n, err := io.CopyN(tw, r, size)
	if err != nil {
		if errors.Is(err, io.EOF) {
			return fmt.Errorf("backup: %s shrank to %d bytes while the backup was written; run it again", name, n)
		}
		return fmt.Errorf("backup: %s: %w", name, err)
	}
	return nil
}

func sum(h hash.Hash) string { return hex.EncodeToString(h.Sum(nil)) }

// validPartName tells whether a name can be a part of an archive: the
// database or a media file whose key the media store accepts.
func validPartName(name string) bool {
	if name == sqlitePart || name == pgPart {
		return true
	}
	key, ok := strings.CutPrefix(name, mediaPrefix)
	return ok && media.ValidKey(key) == nil
}

// quotePattern makes a name literal in pg_dump's patterns, where * ? and
// . mean something.
func quotePattern(name string) string { return `"` + strings.ReplaceAll(name, `"`, `""`) + `"` }

// filePrefix and fileSuffix frame the names of archives made by khabar are named: by the time taken,
// in UTC, so their names sort in the order they were made.
const filePrefix, fileSuffix = "khabar-backup-", ".tar.gz"

// FileName is a new archive's name for time t.
func FileName(t time.Time) string {
	return filePrefix + t.UTC().Format("20060102-150405") + fileSuffix
}

// Prune deletes the oldest archives in dir beyond the newest keep, and
// names them. Only files named as FileName names them are touched.
func Prune(dir string, keep int) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("prune backups: %w", err)
	}
	var names []string
	for _, e := range entries {
		if n := e.Name(); e.Type().IsRegular() && strings.HasPrefix(n, filePrefix) && strings.HasSuffix(n, fileSuffix) {
			names = append(names, n)
		}
	}
	// os.ReadDir sorts by name, which is by time.
	var gone []string
	for len(names) > keep {
		if err := os.Remove(filepath.Join(dir, names[0])); err != nil {
			return gone, fmt.Errorf("prune backups: %w", err)
		}
		gone, names = append(gone, names[0]), names[1:]
	}
	return gone, nil
}

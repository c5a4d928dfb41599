package media

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"strings"
	"time"
)

// Store keeps files by key. Keys are slash-separated names such as
// "2026/11/0a1b….jpg" and are the path under /media/ on the site. A missing
// key is reported as an error wrapping fs.ErrNotExist.
//
// The interface is small on purpose: these calls are what a directory and
// an S3-compatible bucket (S3) share.
type Store interface {
	// Put stores everything r yields under key, replacing any earlier file.
	// Readers never see a partly written file.
	Put(ctx context.Context, key string, r io.Reader) (int64, error)
	Open(ctx context.Context, key string) (io.ReadCloser, error)
	Stat(ctx context.Context, key string) (Info, error)
	// Delete removes key; deleting a missing key is not an error, so a job
	// that is retried after a crash can delete again.
	Delete(ctx context.Context, key string) error
	// Walk calls fn for every stored file (media migrate, backups).
	Walk(ctx context.Context, fn func(key string, info Info) error) error
}

// Info describes a stored file.
type Info struct {
	Size    int64
	ModTime time.Time
	// SHA256 is the content's hash in hex where the store keeps it
	// beside the file (S3 does, as metadata); empty otherwise.
	SHA256 string
}

// maxKey keeps keys well within file-name and object-key limits.
const maxKey = 255

// ValidKey refuses keys that could escape the store or collide with its
// temporary files: only ASCII letters, digits, '-', '_' and '.' in
// non-empty segments that do not start with '.', so "..", absolute paths,
// backslashes, NUL and hidden names are all impossible.
func ValidKey(key string) error {
	if key == "" || len(key) > maxKey {
		return fmt.Errorf("%w: length %d", ErrBadKey, len(key))
	}
	for seg := range strings.SplitSeq(key, "/") {
		if seg == "" || seg[0] == '.' {
			return fmt.Errorf("%w: %q", ErrBadKey, key)
		}
		for i := 0; i < len(seg); i++ {
			c := seg[i]
			if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '_' || c == '.') {
				return fmt.Errorf("%w: %q", ErrBadKey, key)
			}
		}
	}
	return nil
}

// Disk is a Store in a directory on local disk (the data directory's
// media folder). All access goes through os.Root, so even a symbolic link
// planted inside the directory cannot lead outside it.
type Disk struct {
	root *os.Root
}

// OpenDisk opens (creating it if needed) the directory dir as a store.
func OpenDisk(dir string) (*Disk, error) {
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, fmt.Errorf("open media store %s: %w", dir, err)
	}
	root, err := os.OpenRoot(dir)
	if err != nil {
		return nil, fmt.Errorf("open media store %s: %w", dir, err)
	}
	return &Disk{root: root}, nil
}

// Close releases the directory.
func (d *Disk) Close() error { return d.root.Close() }

// Put writes to a temporary file beside the target, syncs it, renames it
// into place and syncs the directory, so after a crash the key holds either
// the old file or the whole new one.
func (d *Disk) Put(ctx context.Context, key string, r io.Reader) (int64, error) {
	if err := ValidKey(key); err != nil {
		return 0, err
	}
	if err := ctx.Err(); err != nil {
		return 0, fmt.Errorf("put %s: %w", key, err)
	}
	dir := path.Dir(key)
	if err := d.root.MkdirAll(dir, 0o750); err != nil {
		return 0, fmt.Errorf("put %s: %w", key, err)
	}
	var rnd [8]byte
	rand.Read(rnd[:])
	// The leading dot keeps temporary names out of the key space.
	tmp := path.Join(dir, ".tmp-"+hex.EncodeToString(rnd[:]))
	f, err := d.root.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o640)
	if err != nil {
		return 0, fmt.Errorf("put %s: %w", key, err)
	}
	n, err := io.Copy(f, ctxReader{ctx, r})
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = d.root.Rename(tmp, key)
	}
	if err != nil {
		d.root.Remove(tmp)
		return 0, fmt.Errorf("put %s: %w", key, err)
	}
	if err := d.syncDir(dir); err != nil {
		return 0, fmt.Errorf("put %s: %w", key, err)
	}
	return n, nil
}

func (d *Disk) syncDir(dir string) error {
	f, err := d.root.Open(dir)
	if err != nil {
		return err
	}
	err = f.Sync()
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// Open returns the file for reading; it is an *os.File, so callers serving
// it over HTTP may use it as an io.ReadSeeker.
func (d *Disk) Open(ctx context.Context, key string) (io.ReadCloser, error) {
	if err := ValidKey(key); err != nil {
		return nil, err
	}
	f, err := d.root.Open(key)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", key, err)
	}
	if st, err := f.Stat(); err != nil || !st.Mode().IsRegular() {
		f.Close()
		return nil, fmt.Errorf("open %s: not a file: %w", key, fs.ErrNotExist)
	}
	return f, nil
}

// Stat reports a file's size and modification time.
func (d *Disk) Stat(ctx context.Context, key string) (Info, error) {
	if err := ValidKey(key); err != nil {
		return Info{}, err
	}
	st, err := d.root.Stat(key)
	if err != nil {
		return Info{}, fmt.Errorf("stat %s: %w", key, err)
	}
	if !st.Mode().IsRegular() {
		return Info{}, fmt.Errorf("stat %s: not a file: %w", key, fs.ErrNotExist)
	}
	return Info{Size: st.Size(), ModTime: st.ModTime()}, nil
}

// Delete removes a file.
func (d *Disk) Delete(ctx context.Context, key string) error {
	if err := ValidKey(key); err != nil {
		return err
	}
	if st, err := d.root.Lstat(key); err == nil && st.IsDir() {
		return fmt.Errorf("delete %s: a directory: %w", key, ErrBadKey)
	}
	if err := d.root.Remove(key); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("delete %s: %w", key, err)
	}
	return nil
}

// Walk visits the directory's files; temporary and hidden names are not
// keys and are left out.
func (d *Disk) Walk(ctx context.Context, fn func(key string, info Info) error) error {
	return fs.WalkDir(d.root.FS(), ".", func(name string, e fs.DirEntry, err error) error {
		if err != nil {
			return fmt.Errorf("walk media: %w", err)
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		if name == "." || !e.Type().IsRegular() && !e.IsDir() {
			return nil
		}
		if ValidKey(name) != nil {
			if e.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		if e.IsDir() {
			return nil
		}
		st, err := e.Info()
		if err != nil {
			return fmt.Errorf("walk media: %w", err)
		}
		return fn(name, Info{Size: st.Size(), ModTime: st.ModTime()})
	})
}

// ctxReader stops a long copy when the request or job is cancelled.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}

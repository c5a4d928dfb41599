// Package intake brings agency copy to the wire desk: files dropped in a
// watched folder, and items pushed over HTTP, each parsed by package wire
// and kept by the store. A file is processed once: kept items move it to
// done/, a refused file goes to quarantine/ with its reason beside it,
// and a file the database could not take goes back to be tried again.
package intake

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"khabar/internal/store"
	"khabar/internal/wire"
)

// Folders inside the watched one.
const (
	processing = ".processing"
	done       = "done"
	quarantine = "quarantine"
)

// Settle is how long a file must have been left alone before it is read:
// an agency's client that writes in place is still writing a younger one.
const Settle = time.Second

// Abandoned is how long a claimed file may wait in .processing before a
// sweep puts it back: its node died between claiming and filing it (a
// file takes milliseconds). Taking it again adds nothing already kept.
const Abandoned = 10 * time.Minute

// Service takes agency copy in.
type Service struct {
	Store *store.Store
	Log   *slog.Logger
	// Now is the clock (tests set it); nil is time.Now.
	Now func() time.Time
}

// Taken is one item of a file or push: its id on the desk, and whether
// it is new (false: the same content was kept before).
type Taken struct {
	ID    int64
	GUID  string
	Added bool
}

// Result is what one file or push gave the desk, in its order.
type Result struct {
	Items []Taken
}

// Added counts the new items.
func (r Result) Added() int {
	n := 0
	for _, t := range r.Items {
		if t.Added {
			n++
		}
	}
	return n
}

// Take parses data and keeps its items, received from source.
func (s *Service) Take(ctx context.Context, data []byte, source string) (Result, error) {
	items, err := wire.Parse(data)
	if err != nil {
		return Result{}, err
	}
	var r Result
	for _, it := range items {
		id, added, err := s.Store.AddWire(ctx, it, source)
		if err != nil {
			return r, err
		}
		r.Items = append(r.Items, Taken{ID: id, GUID: it.GUID, Added: added})
	}
	return r, nil
}

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

// Watch takes the files dropped in dir every poll until ctx ends.
func (s *Service) Watch(ctx context.Context, dir string, poll time.Duration) {
	t := time.NewTicker(poll)
	defer t.Stop()
	for {
		if _, err := s.Sweep(ctx, dir); err != nil && ctx.Err() == nil {
			s.Log.ErrorContext(ctx, "wire folder", "dir", dir, "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// Sweep takes every settled file in dir once, oldest first, and reports
// how many it took (kept or quarantined). Several nodes may sweep one
// shared folder: a file is claimed by renaming it, which only one wins.
func (s *Service) Sweep(ctx context.Context, dir string) (int, error) {
	for _, sub := range []string{processing, done, quarantine} {
		if err := os.MkdirAll(filepath.Join(dir, sub), 0o750); err != nil {
			return 0, fmt.Errorf("wire folder: %w", err)
		}
	}
	if err := s.reclaim(dir); err != nil {
		return 0, err
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return 0, fmt.Errorf("wire folder: %w", err)
	}
	type file struct {
		name string
		mod  time.Time
	}
	var files []file
	settled := s.now().Add(-Settle)
	for _, e := range entries {
		name := e.Name()
		if !e.Type().IsRegular() || strings.HasPrefix(name, ".") || strings.HasSuffix(name, ".tmp") || strings.HasSuffix(name, ".part") {
			continue
		}
		info, err := e.Info()
		if err != nil || info.ModTime().After(settled) {
			continue // gone, or still being written
		}
		files = append(files, file{name, info.ModTime()})
	}
	slices.SortFunc(files, func(a, b file) int {
		if c := a.mod.Compare(b.mod); c != 0 {
			return c
		}
		return strings.Compare(a.name, b.name)
	})
	taken := 0
	for _, f := range files {
		if ctx.Err() != nil {
			return taken, nil
		}
		ok, err := s.takeFile(ctx, dir, f.name)
		if err != nil {
			return taken, err
		}
		if ok {
			taken++
		}
	}
	return taken, nil
}

// reclaim puts back the files claimed longer than Abandoned ago.
func (s *Service) reclaim(dir string) error {
	entries, err := os.ReadDir(filepath.Join(dir, processing))
	if err != nil {
		return fmt.Errorf("wire folder: %w", err)
	}
	for _, e := range entries {
		info, err := e.Info()
		if err != nil || !info.Mode().IsRegular() || info.ModTime().After(s.now().Add(-Abandoned)) {
			continue
		}
		if err := os.Rename(filepath.Join(dir, processing, e.Name()), filepath.Join(dir, e.Name())); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("wire folder: put back %s: %w", e.Name(), err)
		}
	}
	return nil
}

// takeFile claims, reads and files one file; false when another node
// claimed it first.
func (s *Service) takeFile(ctx context.Context, dir, name string) (bool, error) {
	claimed := filepath.Join(dir, processing, name)
	if err := os.Rename(filepath.Join(dir, name), claimed); err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return false, nil
		}
		return false, fmt.Errorf("claim %s: %w", name, err)
	}
	// The claim's time, so reclaim knows how long it has been waiting.
	t := s.now()
	if err := os.Chtimes(claimed, t, t); err != nil {
		return false, fmt.Errorf("claim %s: %w", name, err)
	}
	data, err := readLimited(claimed)
	var r Result
	if err == nil {
		r, err = s.Take(ctx, data, "folder")
	}
	switch reason := wire.ReasonOf(err); {
	case err == nil:
		day := s.now().UTC().Format("2006-01-02")
		if err := os.MkdirAll(filepath.Join(dir, done, day), 0o750); err != nil {
			return true, fmt.Errorf("file %s: %w", name, err)
		}
		s.Log.InfoContext(ctx, "wire file taken", "file", name, "items", len(r.Items), "new", r.Added())
		return true, moveAside(claimed, filepath.Join(dir, done, day, name))
	case reason != "":
		s.Log.WarnContext(ctx, "wire file refused", "file", name, "reason", reason, "err", err)
		dst := filepath.Join(dir, quarantine, name)
		if err := moveAside(claimed, dst); err != nil {
			return true, err
		}
		return true, os.WriteFile(reasonFile(dst), []byte(reason+"\n"+err.Error()+"\n"), 0o640)
	default:
		// The database, not the file: put it back for the next sweep.
		if rerr := os.Rename(claimed, filepath.Join(dir, name)); rerr != nil {
			err = errors.Join(err, rerr)
		}
		return false, fmt.Errorf("file %s: %w", name, err)
	}
}

// reasonFile is where the quarantine says why a file is there.
func reasonFile(path string) string { return path + ".reason.txt" }

// readLimited reads at most wire.MaxSize bytes, refusing a larger file
// without reading it all.
func readLimited(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, wire.MaxSize+1))
	if err != nil {
		return nil, err
	}
	if len(data) > wire.MaxSize {
		return nil, &wire.Refusal{Reason: wire.ReasonTooLarge, Detail: fmt.Sprintf("more than %d bytes", wire.MaxSize)}
	}
	return data, nil
}

// moveAside moves src to dst, or beside it with a number when a file of
// that name is there already (an agency reusing names).
func moveAside(src, dst string) error {
	target := dst
	ext := filepath.Ext(dst)
	for i := 2; ; i++ {
		if _, err := os.Lstat(target); errors.Is(err, fs.ErrNotExist) {
			break
		}
		target = fmt.Sprintf("%s.%d%s", strings.TrimSuffix(dst, ext), i, ext)
	}
	if err := os.Rename(src, target); err != nil {
		return fmt.Errorf("move %s: %w", filepath.Base(src), err)
	}
	return nil
}

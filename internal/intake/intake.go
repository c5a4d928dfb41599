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

// Result is what one file or push gave the desk, in its order.
type Result struct {
	Items []store.WireKept
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

// Take parses data and keeps its items, received from source, all or
// none.
func (s *Service) Take(ctx context.Context, data []byte, source string) (Result, error) {
	items, err := wire.Parse(data)
	if err != nil {
		return Result{}, err
	}
	in := make([]store.WireIn, len(items))
	for i, it := range items {
		in[i] = store.WireIn{Item: it, Source: source}
	}
	kept, err := s.Store.AddWires(ctx, in)
	return Result{Items: kept}, err
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
	for batch := range slices.Chunk(files, sweepBatch) {
		if ctx.Err() != nil {
			return taken, nil
		}
		names := make([]string, len(batch))
		for i, f := range batch {
			names[i] = f.name
		}
		n, err := s.takeFiles(ctx, dir, names)
		taken += n
		if err != nil {
			return taken, err
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

// sweepBatch is how many files one transaction keeps: a commit is most
// of an item's cost on PostgreSQL, and a batch shares it.
const sweepBatch = 64

// claimed is a file a sweep holds, with the items read from it.
type claimed struct {
	name, path string
	items      []wire.Item
}

// takeFiles claims the named files, quarantines those that are refused,
// and keeps the others' items in one transaction, filing them under
// done/; it reports how many files it took (others' claims are theirs).
// When the database cannot take them, the files go back for the next
// sweep.
func (s *Service) takeFiles(ctx context.Context, dir string, names []string) (int, error) {
	var good []claimed
	taken := 0
	for _, name := range names {
		c, err := s.claim(dir, name)
		if errors.Is(err, fs.ErrNotExist) {
			continue // another node's
		}
		if err != nil {
			return taken, err
		}
		taken++
		data, err := readLimited(c.path)
		if err == nil {
			c.items, err = wire.Parse(data)
		}
		if err != nil {
			if err := s.quarantine(ctx, dir, c, err); err != nil {
				return taken, err
			}
			continue
		}
		good = append(good, c)
	}
	if len(good) == 0 {
		return taken, nil
	}
	var in []store.WireIn
	for _, c := range good {
		for _, it := range c.items {
			in = append(in, store.WireIn{Item: it, Source: "folder"})
		}
	}
	kept, err := s.Store.AddWires(ctx, in)
	if err != nil {
		// The database, not the files: put them back for the next sweep.
		for _, c := range good {
			if rerr := os.Rename(c.path, filepath.Join(dir, c.name)); rerr != nil {
				err = errors.Join(err, rerr)
			}
		}
		return taken - len(good), fmt.Errorf("wire files: %w", err)
	}
	day := s.now().UTC().Format("2006-01-02")
	if err := os.MkdirAll(filepath.Join(dir, done, day), 0o750); err != nil {
		return taken, fmt.Errorf("wire folder: %w", err)
	}
	s.Log.InfoContext(ctx, "wire files taken", "files", len(good), "items", len(kept), "new", Result{Items: kept}.Added())
	for _, c := range good {
		if err := moveAside(c.path, filepath.Join(dir, done, day, c.name)); err != nil {
			return taken, err
		}
	}
	return taken, nil
}

// claim takes name from dir for this sweep: renamed into .processing
// (which only one node wins) and stamped with the claim's time.
func (s *Service) claim(dir, name string) (claimed, error) {
	c := claimed{name: name, path: filepath.Join(dir, processing, name)}
	if err := os.Rename(filepath.Join(dir, name), c.path); err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return c, err
		}
		return c, fmt.Errorf("claim %s: %w", name, err)
	}
	// The claim's time, so reclaim knows how long it has been waiting.
	t := s.now()
	if err := os.Chtimes(c.path, t, t); err != nil {
		return c, fmt.Errorf("claim %s: %w", name, err)
	}
	return c, nil
}

// quarantine files a refused file with its reason beside it.
func (s *Service) quarantine(ctx context.Context, dir string, c claimed, why error) error {
	reason := wire.ReasonOf(why)
	if reason == "" {
		// Not the file's fault (it could not be read): back for later.
		if err := os.Rename(c.path, filepath.Join(dir, c.name)); err != nil {
			return errors.Join(why, err)
		}
		return fmt.Errorf("wire file %s: %w", c.name, why)
	}
	s.Log.WarnContext(ctx, "wire file refused", "file", c.name, "reason", reason, "err", why)
	dst := filepath.Join(dir, quarantine, c.name)
	if err := moveAside(c.path, dst); err != nil {
		return err
	}
	return os.WriteFile(reasonFile(dst), []byte(reason+"\n"+why.Error()+"\n"), 0o640)
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

package app

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/signal"
	"sync"
	"sync/atomic"
	"syscall"

	"golang.org/x/sync/errgroup"

	"khabar/internal/media"
)

// cmdMedia is "khabar media migrate --to s3://bucket/prefix": the data
// directory's media library copied into a bucket, after which every node
// can run with --media-store set to it.
func cmdMedia(ctx context.Context, args []string, sys IO) error {
	if len(args) == 0 || args[0] != "migrate" {
		return usageError{errors.New(`want "khabar media migrate --to s3://bucket/prefix"`)}
	}
	cfg, err := parseConfig("media migrate", args[1:], sys, func(fs *flag.FlagSet) {
		// --to is --media-store under the name that reads right here; the
		// endpoint, region and path-style flags apply to it.
		fs.Var(fs.Lookup("media-store").Value, "to", "the bucket to copy the media library into: s3://bucket/prefix")
	})
	if err != nil {
		return err
	}
	if cfg.MediaStore == "" {
		return usageError{errors.New("--to s3://bucket/prefix is required")}
	}
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	src, err := media.OpenDisk(MediaDir(cfg))
	if err != nil {
		return err
	}
	defer src.Close()
	dst, err := OpenMedia(ctx, cfg)
	if err != nil {
		return err
	}
	defer dst.Close()
	bar := newProgress(sys.Stderr, "copying")
	r, err := MigrateMedia(ctx, src, dst, bar.update)
	bar.done()
	fmt.Fprintf(sys.Stdout, "%d files copied (%d bytes), %d already there\n", r.Copied, r.Bytes, r.Skipped)
	if err != nil {
		return fmt.Errorf("%w (run the same command again: what was copied is skipped)", err)
	}
	fmt.Fprintf(sys.Stdout, "now start every node with --media-store %s (the files in %s can go once they do)\n", cfg.MediaStore, MediaDir(cfg))
	return nil
}

// Migrated counts what MigrateMedia did.
type Migrated struct {
	Copied, Skipped int
	Bytes           int64
}

// MigrateMedia copies every file of src into dst, skipping those dst
// already holds with the same size and SHA-256, so a copy cut short (or
// run again after new uploads) redoes only what is missing or differs.
// Nothing is deleted from src.
func MigrateMedia(ctx context.Context, src, dst media.Store, progress func(done, total int)) (Migrated, error) {
	var keys []string
	if err := src.Walk(ctx, func(key string, _ media.Info) error {
		keys = append(keys, key)
		return nil
	}); err != nil {
		return Migrated{}, err
	}
	var copied, skipped, bytes atomic.Int64
	// The copies finish in any order; the bar is drawn by one at a time.
	var mu sync.Mutex
	done := 0
	g, gctx := errgroup.WithContext(ctx)
	// A few at once: each copy is mostly waiting on the object store.
	g.SetLimit(4)
	for _, key := range keys {
		g.Go(func() error {
			n, err := migrateOne(gctx, src, dst, key)
			if err != nil {
				return err
			}
			if n < 0 {
				skipped.Add(1)
			} else {
				copied.Add(1)
				bytes.Add(n)
			}
			mu.Lock()
			done++
			progress(done, len(keys))
			mu.Unlock()
			return nil
		})
	}
	err := g.Wait()
	return Migrated{Copied: int(copied.Load()), Skipped: int(skipped.Load()), Bytes: bytes.Load()}, err
}

// migrateOne copies key unless dst has it already; -1 means skipped.
func migrateOne(ctx context.Context, src, dst media.Store, key string) (int64, error) {
	sum, size, err := hashOf(ctx, src, key)
	if err != nil {
		return 0, err
	}
	if info, err := dst.Stat(ctx, key); err == nil && info.Size == size && info.SHA256 == sum {
		return -1, nil
	} else if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return 0, err
	}
	rc, err := src.Open(ctx, key)
	if err != nil {
		return 0, err
	}
	defer rc.Close()
	return dst.Put(ctx, key, rc)
}

func hashOf(ctx context.Context, st media.Store, key string) (string, int64, error) {
	rc, err := st.Open(ctx, key)
	if err != nil {
		return "", 0, err
	}
	defer rc.Close()
	h := sha256.New()
	n, err := io.Copy(h, rc)
	if err != nil {
		return "", 0, fmt.Errorf("read %s: %w", key, err)
	}
	return hex.EncodeToString(h.Sum(nil)), n, nil
}

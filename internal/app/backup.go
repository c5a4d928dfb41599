package app

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"khabar/internal/backup"
	"khabar/internal/config"
	"khabar/internal/jobs"
	"khabar/internal/store"
)

// cmdBackup is "khabar backup [--out FILE]": one archive of the database
// and the media files, taken while the site serves.
func cmdBackup(ctx context.Context, args []string, sys IO) error {
	var out string
	var withMedia bool
	cfg, err := parseConfig("backup", args, sys, func(fs *flag.FlagSet) {
		fs.StringVar(&out, "out", "", "archive to write; never overwritten (default khabar-backup-YYYYMMDD-HHMMSS.tar.gz in the current directory, UTC)")
		fs.BoolVar(&withMedia, "with-media", false, "with --media-store: copy the bucket's objects into the archive too (by default they are listed, not copied)")
	})
	if err != nil {
		return err
	}
	start := time.Now()
	if out == "" {
		out = backup.FileName(start)
	}
	s, err := openExisting(ctx, cfg)
	if err != nil {
		return err
	}
	defer s.Close()
	files, err := OpenMedia(ctx, cfg)
	if err != nil {
		return err
	}
	defer files.Close()
	opt := backup.Options{Store: s, Version: version(), TempDir: filepath.Dir(out)}
	opt.MediaDir, opt.Objects, opt.ObjectsURL = backupMedia(cfg, files)
	opt.CopyObjects = withMedia
	m, info, err := recordedBackup(ctx, s, out, opt, sys)
	if err != nil {
		return err
	}
	fmt.Fprintf(sys.Stdout, "backup written to %s (%s, %d parts) in %s\n", out, sizeOf(info.Size()), len(m.Parts),
		time.Since(start).Round(time.Millisecond))
	if m.MediaStore != "" && !withMedia {
		fmt.Fprintf(sys.Stdout, "%d media files listed, not copied: they stay in %s\n", len(m.MediaObjects), m.MediaStore)
	}
	printCounts(sys.Stdout, m.Counts, nil)
	return nil
}

// recordedBackup writes the archive and records its outcome, a failure
// too, where the status page reads the last backup: one taken by hand
// counts as much as a scheduled one. A database too old to hold the
// record only gets a warning; the archive is what matters.
func recordedBackup(ctx context.Context, s *store.Store, out string, opt backup.Options, sys IO) (backup.Manifest, os.FileInfo, error) {
	run := store.BackupRun{StartedAt: time.Now(), File: out}
	if abs, err := filepath.Abs(out); err == nil {
		run.File = abs
	}
	m, err := backup.CreateFile(ctx, out, opt)
	var info os.FileInfo
	if err == nil {
		info, err = os.Stat(out)
	}
	run.FinishedAt = time.Now()
	if err != nil {
		run.Err = err.Error()
	} else {
		run.Size = info.Size()
	}
	if rerr := s.RecordBackup(context.WithoutCancel(ctx), run); rerr != nil {
		fmt.Fprintf(sys.Stderr, "warning: the backup is not recorded for the status page: %v\n", rerr)
	}
	return m, info, err
}

// openExisting opens the outlet's database without migrating it: a
// backup must not change the schema under a running server of another
// version, and an empty data directory has nothing to back up.
func openExisting(ctx context.Context, cfg config.Config) (*store.Store, error) {
	if cfg.DatabaseURL == "" {
		db := filepath.Join(cfg.DataDir, "khabar.db")
		if _, err := os.Stat(db); errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("no database at %s: nothing to back up (name the data directory with --data)", db)
		}
	}
	s, err := store.Open(ctx, cfg.DatabaseURL, cfg.DataDir)
	if err != nil {
		return nil, err
	}
	if ok, err := s.HasTables(ctx); err != nil || !ok {
		s.Close()
		if err == nil {
			err = errors.New("the database holds no Khabar tables: nothing to back up")
		}
		return nil, err
	}
	return s, nil
}

// cmdRestore is "khabar restore FILE --data DIR [--db URL] [--force]".
func cmdRestore(ctx context.Context, args []string, sys IO) error {
	var (
		file  string
		force bool
	)
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		file, args = args[0], args[1:]
	}
	cfg, err := parseConfig("restore", args, sys, func(fs *flag.FlagSet) {
		fs.BoolVar(&force, "force", false, "replace the database and media the target holds")
	})
	if err != nil {
		return err
	}
	if file == "" {
		return usageError{errors.New("missing FILE (khabar restore FILE --data DIR [--db URL])")}
	}
	start := time.Now()
	r, err := backup.Restore(ctx, file, backup.RestoreOptions{DataDir: cfg.DataDir, DatabaseURL: cfg.DatabaseURL, Force: force})
	if err != nil {
		return err
	}
	where := cfg.DataDir
	if cfg.DatabaseURL != "" {
		where = store.RedactURL(cfg.DatabaseURL) + " and " + MediaDir(cfg)
	}
	fmt.Fprintf(sys.Stdout, "restored the backup of %s (khabar %s, schema %s) into %s in %s\n",
		r.Manifest.Created.Format(time.RFC3339), r.Manifest.Version, r.Manifest.SchemaVersion, where, time.Since(start).Round(time.Millisecond))
	// The job queue's tables came with the database; a newer khabar may
	// bring them forward too, as every start does.
	s, err := store.Open(ctx, cfg.DatabaseURL, cfg.DataDir)
	if err != nil {
		return err
	}
	defer s.Close()
	queue, err := jobs.Migrate(ctx, s, logger(sys.Stderr, cfg))
	if err != nil {
		return err
	}
	for _, m := range append(r.Applied, queue...) {
		fmt.Fprintln(sys.Stdout, "applied", m)
	}
	if !printCounts(sys.Stdout, r.Counts, r.Manifest.Counts) {
		return errors.New("the restored database's counts differ from the manifest's (marked !)")
	}
	return nil
}

// printCounts lists counts, sorted by table, beside the manifest's when
// given, and tells whether they all agree.
func printCounts(w io.Writer, got, manifest map[string]int64) bool {
	names := make([]string, 0, len(got))
	for n := range got {
		names = append(names, n)
	}
	slices.Sort(names)
	same := true
	for _, n := range names {
		if manifest == nil {
			fmt.Fprintf(w, "  %-13s %d\n", n, got[n])
			continue
		}
		mark := ""
		if got[n] != manifest[n] {
			mark, same = " !", false
		}
		fmt.Fprintf(w, "  %-13s %d (manifest %d)%s\n", n, got[n], manifest[n], mark)
	}
	return same
}

// sizeOf writes a byte count as people read it.
func sizeOf(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GiB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d bytes", n)
}

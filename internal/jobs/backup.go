package jobs

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/riverqueue/river"

	"khabar/internal/backup"
	"khabar/internal/media"
	"khabar/internal/store"
)

// Backups is the schedule of `serve --backup-every`.
type Backups struct {
	Every    time.Duration
	Keep     int    // archives kept in Dir, the newest
	Dir      string // where archives go
	MediaDir string
	// Objects and ObjectsURL: media in a bucket, listed not copied (see
	// backup.Options).
	Objects    media.Store
	ObjectsURL string
	Version    string
}

// WithBackups takes a backup every b.Every as a periodic job, so on
// several nodes only River's leader takes it, and deletes the oldest
// beyond b.Keep. River's schedule starts again with each leader, so the
// job also runs when a node starts; unique by period, it still runs once
// per period however often nodes restart (a failed one again).
func WithBackups(b Backups) Option {
	return func(q *Queue, w *river.Workers, c *river.Config) {
		river.AddWorker(w, &backupWorker{q: q, b: b})
		c.PeriodicJobs = append(slices.Clip(c.PeriodicJobs), river.NewPeriodicJob(river.PeriodicInterval(b.Every),
			func() (river.JobArgs, *river.InsertOpts) {
				// One attempt: the next period's backup is the retry.
				return backupArgs{}, &river.InsertOpts{MaxAttempts: 1, UniqueOpts: river.UniqueOpts{ByPeriod: b.Every}}
			}, &river.PeriodicJobOpts{RunOnStart: true}))
	}
}

type backupArgs struct{}

func (backupArgs) Kind() string { return "backup" }

type backupWorker struct {
	river.WorkerDefaults[backupArgs]
	q *Queue
	b Backups
}

// Timeout lets a backup take up to its period, far more than the queue's
// minute for other jobs.
func (w *backupWorker) Timeout(*river.Job[backupArgs]) time.Duration { return w.b.Every }

// Work writes an archive, prunes old ones and records the outcome, a
// failure too.
func (w *backupWorker) Work(ctx context.Context, _ *river.Job[backupArgs]) error {
	run := store.BackupRun{StartedAt: time.Now()}
	err := w.take(ctx, &run)
	run.FinishedAt = time.Now()
	if err != nil {
		run.Err = err.Error()
		w.q.log.Error("scheduled backup failed", "err", err)
	} else {
		w.q.log.Info("scheduled backup written", "file", run.File, "size", run.Size, "took", run.FinishedAt.Sub(run.StartedAt).Round(time.Millisecond))
	}
	if rerr := w.q.store.RecordBackup(context.WithoutCancel(ctx), run); rerr != nil {
		w.q.log.Error("scheduled backup not recorded", "err", rerr)
	}
	return err
}

func (w *backupWorker) take(ctx context.Context, run *store.BackupRun) error {
	if err := os.MkdirAll(w.b.Dir, 0o750); err != nil {
		return fmt.Errorf("backup directory: %w", err)
	}
	run.File = filepath.Join(w.b.Dir, backup.FileName(run.StartedAt))
	_, err := backup.CreateFile(ctx, run.File, backup.Options{Store: w.q.store, MediaDir: w.b.MediaDir, Version: w.b.Version, TempDir: w.b.Dir,
		Objects: w.b.Objects, ObjectsURL: w.b.ObjectsURL})
	if err != nil {
		return err
	}
	info, err := os.Stat(run.File)
	if err != nil {
		return err
	}
	run.Size = info.Size()
	gone, err := backup.Prune(w.b.Dir, w.b.Keep)
	for _, name := range gone {
		w.q.log.Info("old backup deleted", "file", name)
	}
	return err
}

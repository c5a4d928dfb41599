package app

import (
	"context"
	"errors"
	"os"
	"time"

	"khabar/internal/news"
	"khabar/internal/newsroom"
	"khabar/internal/store"
)

// failedShown is how many failed jobs the status page lists, newest
// first: enough to see a pattern, few enough to read.
const failedShown = 50

// statusReadTimeout bounds each part of the status report, so a slow
// part shows as unavailable instead of holding the page.
const statusReadTimeout = 5 * time.Second

// system is the node as /admin/status reports it.
type system struct {
	a       *App
	started time.Time
	host    string
}

func newSystem(a *App) *system {
	host, _ := os.Hostname()
	return &system{a: a, started: time.Now(), host: host}
}

// Report reads each part on its own: one that fails is named in
// Unavailable and logged, and the others are still shown.
func (s *system) Report(ctx context.Context) newsroom.StatusReport {
	a := s.a
	r := newsroom.StatusReport{Version: version(), Host: s.host, Started: s.started, Database: "SQLite",
		BackupEvery: a.cfg.BackupEvery, BackupKeep: a.cfg.BackupKeep}
	if a.Store.Dialect() == store.Postgres {
		r.Database = "PostgreSQL"
	}
	read := func(part string, f func(ctx context.Context) error) {
		ctx, cancel := context.WithTimeout(ctx, statusReadTimeout)
		defer cancel()
		if err := f(ctx); err != nil {
			a.log.ErrorContext(ctx, "status page: a part could not be read", "part", part, "err", err)
			r.Unavailable = append(r.Unavailable, part)
		}
	}
	read("status_database", func(ctx context.Context) (err error) {
		r.DatabaseBytes, err = a.Store.DatabaseSize(ctx)
		return err
	})
	read("status_media", func(ctx context.Context) (err error) {
		r.MediaFiles, r.MediaBytes, err = a.Store.MediaTotals(ctx)
		return err
	})
	read("status_backups", func(ctx context.Context) error {
		last, err := a.Store.LastBackup(ctx)
		if errors.Is(err, news.ErrNotFound) {
			return nil
		}
		r.LastBackup = &last
		return err
	})
	read("status_outbox", func(ctx context.Context) (err error) {
		r.Lags, err = a.Outbox.Lags(ctx)
		return err
	})
	read("status_queue", func(ctx context.Context) (err error) {
		r.Jobs, err = a.Store.JobCounts(ctx)
		return err
	})
	read("status_failed", func(ctx context.Context) (err error) {
		r.Failed, err = a.Jobs.Failed(ctx, failedShown)
		return err
	})
	return r
}

// RetryJob hands a failed job back to the queue.
func (s *system) RetryJob(ctx context.Context, id int64) error { return s.a.Jobs.Retry(ctx, id) }

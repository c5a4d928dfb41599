// Package jobs runs all of Khabar's background work on River: planned
// publications and withdrawals, alert batches, image sizes, video
// thumbnails, and the periodic clean-ups. River keeps its tables in the
// app's own database (the SQLite file, or the PostgreSQL schema of the
// store), so a job outlives a restart, any node may run it, retries and
// shutdown work one way, and periodic jobs run on one node only (River's
// elected leader).
package jobs

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivermigrate"
	"github.com/riverqueue/river/rivertype"

	"khabar/internal/media"
	"khabar/internal/news"
	"khabar/internal/store"
)

// Queue is River's client on the app's database with Khabar's workers.
type Queue struct {
	store  *store.Store
	log    *slog.Logger
	client riverClient
	close  func()
	// media and youtube are set by WithMedia and WithYouTube.
	media   *media.Library
	youtube *media.YouTube
	warm    *time.Timer
	// failures counts failed attempts for the metrics; pool reports
	// River's connections.
	failures *failures
	pool     prometheus.Collector
	// wireKeep is how long the wire desk keeps agency copy (0: for ever).
	wireKeep time.Duration
	// analytics is set by WithAnalytics.
	analytics *Analytics
}

// riverClient is what Queue uses of river.Client, whichever driver (and
// so transaction type) is behind it.
type riverClient interface {
	Insert(ctx context.Context, args river.JobArgs, opts *river.InsertOpts) (*rivertype.JobInsertResult, error)
	Start(ctx context.Context) error
	Stop(ctx context.Context) error
	JobList(ctx context.Context, params *river.JobListParams) (*river.JobListResult, error)
	JobRetry(ctx context.Context, id int64) (*rivertype.JobRow, error)
}

// backend is River's driver on the app's database.
type backend struct {
	migrate func(ctx context.Context, log *slog.Logger) ([]string, error)
	client  func(cfg *river.Config) (riverClient, error)
	close   func()
	sqlite  bool
	pool    prometheus.Collector
}

// openBackend gives River connections of its own: on SQLite a pool of one
// connection to the same file, on PostgreSQL a pgx pool on the store's
// server and schema (River's tables live beside Khabar's, per test schema
// too).
func openBackend(ctx context.Context, s *store.Store) (*backend, error) {
	if s.Dialect() == store.Postgres {
		schema, err := s.Schema(ctx)
		if err != nil {
			return nil, err
		}
		pool, err := s.OpenPgxPool(ctx, 5)
		if err != nil {
			return nil, err
		}
		return newBackend(riverpgxv5.New(pool), schema, pool.Close, false, newPgxPool(pool)), nil
	}
	db, err := s.OpenJobPool(ctx)
	if err != nil {
		return nil, err
	}
	// The same names as the store's pool, as db_name="river".
	return newBackend(riversqlite.New(db), "", func() { db.Close() }, true, collectors.NewDBStatsCollector(db, "river")), nil
}

// newBackend makes the backend on driver d; pool reports its connections.
func newBackend[TTx any](d riverdriver.Driver[TTx], schema string, closeFn func(), sqlite bool, pool prometheus.Collector) *backend {
	return &backend{
		sqlite: sqlite,
		pool:   pool,
		close:  closeFn,
		migrate: func(ctx context.Context, log *slog.Logger) ([]string, error) {
			m, err := rivermigrate.New(d, &rivermigrate.Config{Schema: schema, Logger: log})
			if err != nil {
				return nil, err
			}
			res, err := m.Migrate(ctx, rivermigrate.DirectionUp, nil)
			if err != nil {
				return nil, err
			}
			names := make([]string, len(res.Versions))
			for i, v := range res.Versions {
				names[i] = "river " + strconv.Itoa(v.Version) + " " + v.Name
			}
			return names, nil
		},
		client: func(cfg *river.Config) (riverClient, error) {
			cfg.Schema = schema
			return river.NewClient(d, cfg)
		},
	}
}

// Migrate applies River's pending migrations to the app's database and
// names them; `khabar migrate` and every start run it.
func Migrate(ctx context.Context, s *store.Store, log *slog.Logger) ([]string, error) {
	b, err := openBackend(ctx, s)
	if err != nil {
		return nil, err
	}
	defer b.close()
	return migrate(ctx, s, b, log)
}

func migrate(ctx context.Context, s *store.Store, b *backend, log *slog.Logger) ([]string, error) {
	var applied []string
	err := s.WithMigrationLock(ctx, func() error {
		var err error
		applied, err = b.migrate(ctx, log)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("migrate the job queue: %w", err)
	}
	return applied, nil
}

// WithStopGrace lets running jobs finish for up to d when the node stops
// (its --shutdown-grace) before their contexts are cancelled; the queue
// runs what they left on the next attempt.
func WithStopGrace(d time.Duration) Option {
	return func(_ *Queue, _ *river.Workers, c *river.Config) { c.SoftStopTimeout = d }
}

// WithWireKeep has the hourly clean-up delete agency copy received more
// than d ago (see store.DeleteOldWires); 0 keeps it for ever.
func WithWireKeep(d time.Duration) Option {
	return func(q *Queue, _ *river.Workers, _ *river.Config) { q.wireKeep = d }
}

// rescueAfter is how long a job may be running before River's rescuer
// takes it for one whose node died (kill -9, power cut) and runs it again;
// a kind with a longer Timeout of its own (backups) is left until that
// runs out. River's default of an hour would hold a breaking-news alert
// or a scheduled publication that long after a crash (the crash run
// found an alert batch left "running" so); it must exceed JobTimeout.
const rescueAfter = 2 * time.Minute

// New opens the queue on s's database, applies River's migrations and
// registers the workers; Start runs them.
func New(ctx context.Context, s *store.Store, log *slog.Logger, opts ...Option) (*Queue, error) {
	b, err := openBackend(ctx, s)
	if err != nil {
		return nil, err
	}
	applied, err := migrate(ctx, s, b, log)
	if err != nil {
		b.close()
		return nil, err
	}
	for _, m := range applied {
		log.Info("migration applied", "name", m)
	}
	q := &Queue{store: s, log: log, close: b.close, failures: newFailures(), pool: b.pool}
	workers := river.NewWorkers()
	river.AddWorker(workers, &plannedWorker{store: s, log: log})
	river.AddWorker(workers, &cleanupWorker{q: q})
	river.AddWorker(workers, &tickerWorker{q: q})
	cfg := &river.Config{
		Queues:  map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: 4}},
		Workers: workers,
		Logger:  log,
		// SQLite has no LISTEN: River would poll a notification table
		// every 50 ms instead; polling for jobs once a second is enough.
		PollOnly:             b.sqlite,
		JobTimeout:           time.Minute,
		RescueStuckJobsAfter: rescueAfter,
		SoftStopTimeout:      10 * time.Second,
		ErrorHandler:         q.failures,
	}
	cfg.PeriodicJobs = housekeeping
	for _, o := range opts {
		o(q, workers, cfg)
	}
	if q.client, err = b.client(cfg); err != nil {
		b.close()
		return nil, fmt.Errorf("job queue: %w", err)
	}
	return q, nil
}

// Start runs the workers until Stop, and makes sure every change planned
// in the database has its job: a plan whose job was never inserted (the
// node stopped between the commit and the insert) is caught here.
func (q *Queue) Start(ctx context.Context) error {
	if err := q.startClient(ctx); err != nil {
		return fmt.Errorf("start job queue: %w", err)
	}
	if err := q.plan(ctx, 0); err != nil {
		return fmt.Errorf("start job queue: %w", err)
	}
	if err := q.sizePending(ctx); err != nil {
		return fmt.Errorf("start job queue: %w", err)
	}
	if err := q.planTicker(ctx); err != nil {
		return fmt.Errorf("start job queue: %w", err)
	}
	return nil
}

// startAttempts is how many times a start that timed out is tried.
const startAttempts = 6

// startClient starts River, again when its start timed out: River gives
// its first queue write ten seconds, and on SQLite that write waits for
// the database's lock, which a long write elsewhere (another node's
// start, a search index rebuild on a loaded machine) can hold longer. A
// node must not refuse to start for that; a start that keeps timing out
// (a minute or so in all) or fails otherwise still fails.
func (q *Queue) startClient(ctx context.Context) error {
	for attempt := 1; ; attempt++ {
		err := q.client.Start(ctx)
		if err == nil || attempt == startAttempts || ctx.Err() != nil || !startTimedOut(err) {
			return err
		}
		q.log.Warn("the job queue's start timed out; trying again", "attempt", attempt, "err", err)
	}
}

// startTimedOut tells River's start deadline, or SQLite's lock wait ending
// first, from other failures.
func startTimedOut(err error) bool {
	return errors.Is(err, context.DeadlineExceeded) || strings.Contains(err.Error(), "SQLITE_BUSY")
}

// Stop lets running jobs finish (cancelling them after a grace period)
// and stops fetching new ones; another node, or the next start, runs what
// is left.
func (q *Queue) Stop(ctx context.Context) error {
	if q.warm != nil {
		q.warm.Stop()
	}
	return q.client.Stop(ctx)
}

// Close releases River's connections; call it after Stop.
func (q *Queue) Close() { q.close() }

// Enqueue adds a job. opts may delay it (ScheduledAt) or make it unique
// (UniqueOpts), in which case a duplicate is silently not inserted.
func (q *Queue) Enqueue(ctx context.Context, args river.JobArgs, opts *river.InsertOpts) error {
	if _, err := q.client.Insert(ctx, args, opts); err != nil {
		return fmt.Errorf("enqueue %s job: %w", args.Kind(), err)
	}
	return nil
}

// HandleEvent is an outbox consumer: after any change to an article it
// makes sure the changes planned for it have their jobs (old jobs are not
// removed; they find their plan gone and do nothing), a new upload gets
// the job that makes its sizes, and the next ticker line to run out the
// job that announces it. Every node handles every event;
// unique jobs make that one job.
func (q *Queue) HandleEvent(ctx context.Context, ev news.Event) error {
	switch ev.Kind {
	case news.EventArticleSaved, news.EventArticlePublished, news.EventArticleUpdated, news.EventArticleUnpublished:
		return q.plan(ctx, ev.ArticleID)
	case news.EventMediaAdded:
		return q.size(ctx, ev.Media)
	case news.EventTickerChanged:
		return q.planTicker(ctx)
	}
	return nil
}

// unplanned are the job states in which a planned change is still to be
// done: a second job for the same plan is not inserted then. A finished
// job does not count, so a plan that comes back (moved away and back to
// the same minute) gets a job again.
var unplanned = []rivertype.JobState{rivertype.JobStateAvailable, rivertype.JobStatePending,
	rivertype.JobStateRunning, rivertype.JobStateRetryable, rivertype.JobStateScheduled}

// plan inserts a job for every change planned for article id (every
// article when id is 0), due at the planned time.
func (q *Queue) plan(ctx context.Context, id int64) error {
	planned, err := q.store.PlannedChanges(ctx, id)
	if err != nil {
		return err
	}
	for _, p := range planned {
		err := q.Enqueue(ctx, plannedArgs(p), &river.InsertOpts{ScheduledAt: p.At,
			UniqueOpts: river.UniqueOpts{ByArgs: true, ByState: unplanned}})
		if err != nil {
			return err
		}
	}
	return nil
}

// plannedArgs is the job of one planned publication or withdrawal. The
// planned time is part of it: a job whose time is no longer the article's
// plan is stale and does nothing.
type plannedArgs struct {
	ArticleID int64       `json:"article_id"`
	Action    news.Action `json:"action"`
	At        time.Time   `json:"at"`
}

func (plannedArgs) Kind() string { return "article_planned_change" }

type plannedWorker struct {
	river.WorkerDefaults[plannedArgs]
	store *store.Store
	log   *slog.Logger
}

func (w *plannedWorker) Work(ctx context.Context, job *river.Job[plannedArgs]) error {
	p := store.Planned(job.Args)
	if p.Action != news.ActionPublish && p.Action != news.ActionUnpublish {
		return river.JobCancel(fmt.Errorf("unknown planned action %q", p.Action))
	}
	// Nodes' clocks differ a little: never act before the minute.
	if wait := time.Until(p.At); wait > 0 {
		return river.JobSnooze(wait)
	}
	done, err := w.store.RunPlanned(ctx, p)
	if errors.Is(err, news.ErrTransition) || news.IsInvalid(err) {
		// The article cannot take this step any more (an image lost its
		// text since it was scheduled, say): retrying will not help, the
		// newsroom still shows it as planned.
		return river.JobCancel(err)
	}
	if err != nil {
		return err
	}
	if !done {
		plans, err := w.store.PlannedChanges(ctx, p.ArticleID)
		if err != nil {
			return err
		}
		if wait, ok := waitingFor(plans, p); ok {
			return river.JobSnooze(wait)
		}
	}
	if done {
		w.log.Info("planned change carried out", "article", p.ArticleID, "action", p.Action, "at", p.At, "late", time.Since(p.At).Round(time.Millisecond))
	} else {
		w.log.Info("planned change no longer planned; nothing done", "article", p.ArticleID, "action", p.Action, "at", p.At)
	}
	return nil
}

// waitingFor tells how long a withdrawal that is still planned, for an
// article not published yet, waits for the publication: when both times
// passed while no node ran (or they fell in one pass of River's
// scheduler), the withdrawal may come up first.
func waitingFor(plans []store.Planned, p store.Planned) (time.Duration, bool) {
	if p.Action != news.ActionUnpublish || !slices.ContainsFunc(plans, func(q store.Planned) bool {
		return q.Action == p.Action && q.At.Equal(p.At)
	}) {
		return 0, false
	}
	for _, q := range plans {
		if q.Action != news.ActionPublish {
			continue
		}
		if wait := time.Until(q.At); wait > 0 {
			return wait + time.Second, true
		}
		// Overdue: its job is about to run, or cannot (and the newsroom
		// shows the article as still scheduled).
		return 5 * time.Second, true
	}
	return 0, false
}

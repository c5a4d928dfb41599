package jobs

import (
	"context"
	"slices"
	"time"

	"github.com/riverqueue/river"
)

// Analytics are the periodic jobs of first-party analytics
// (internal/analytics).
type Analytics struct {
	// KeepRaw is how long raw page views are kept (the hourly clean-up
	// deletes older ones; the roll-ups stay).
	KeepRaw time.Duration
	// MostRead is how far back «الأكثر قراءة» looks; MostReadLength is
	// how many articles it lists.
	MostRead       time.Duration
	MostReadLength int
}

// MostReadEvery is how often «الأكثر قراءة» is computed again: pages
// showing it are at most this late (and the outbox's delay).
const MostReadEvery = time.Minute

// WithAnalytics cleans up old page views hourly (with the other
// clean-ups) and computes «الأكثر قراءة» every MostReadEvery on one node
// (River's leader); a list that changed reaches every node's page cache
// as a mostread.changed event (store.RefreshMostRead).
func WithAnalytics(a Analytics) Option {
	return func(q *Queue, w *river.Workers, c *river.Config) {
		q.analytics = &a
		river.AddWorker(w, &mostReadWorker{q: q})
		c.PeriodicJobs = append(slices.Clip(c.PeriodicJobs), cleanEvery(time.Hour, cleanAnalytics),
			river.NewPeriodicJob(river.PeriodicInterval(MostReadEvery), func() (river.JobArgs, *river.InsertOpts) {
				// One attempt: the next minute's run is the retry.
				return mostReadArgs{}, &river.InsertOpts{MaxAttempts: 1, UniqueOpts: river.UniqueOpts{ByPeriod: MostReadEvery}}
			}, &river.PeriodicJobOpts{RunOnStart: true}))
	}
}

type mostReadArgs struct{}

func (mostReadArgs) Kind() string { return "mostread" }

type mostReadWorker struct {
	river.WorkerDefaults[mostReadArgs]
	q *Queue
}

// Work computes «الأكثر قراءة» again.
func (w *mostReadWorker) Work(ctx context.Context, _ *river.Job[mostReadArgs]) error {
	now := time.Now()
	_, err := w.q.store.RefreshMostRead(ctx, now.Add(-w.q.analytics.MostRead), now, w.q.analytics.MostReadLength)
	return err
}

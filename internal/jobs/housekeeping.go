package jobs

import (
	"context"
	"fmt"
	"time"

	"github.com/riverqueue/river"

	"khabar/internal/news"
)

// The periodic clean-ups, by name: each deletes what has lapsed and says
// how many rows went.
const (
	cleanSessions      = "expired sessions"
	cleanEditing       = "lapsed edit locks"
	cleanCommentTokens = "lapsed comment tokens"
	cleanRateBuckets   = "idle rate buckets"
	cleanIdempotency   = "expired idempotency keys"
	cleanWires         = "old wire items"
	cleanAnalytics     = "old page views"
)

// housekeeping are the periodic clean-ups. River's leader inserts them,
// so on several nodes one node does each, and a node that starts runs
// them at once.
var housekeeping = []*river.PeriodicJob{cleanEvery(time.Hour, cleanSessions), cleanEvery(time.Hour, cleanEditing),
	cleanEvery(time.Hour, cleanCommentTokens), cleanEvery(time.Hour, cleanRateBuckets),
	cleanEvery(time.Hour, cleanIdempotency), cleanEvery(time.Hour, cleanWires)}

func cleanEvery(d time.Duration, what string) *river.PeriodicJob {
	return river.NewPeriodicJob(river.PeriodicInterval(d), func() (river.JobArgs, *river.InsertOpts) { return cleanupArgs{What: what}, nil },
		&river.PeriodicJobOpts{RunOnStart: true})
}

type cleanupArgs struct {
	What string `json:"what"`
}

func (cleanupArgs) Kind() string { return "cleanup" }

type cleanupWorker struct {
	river.WorkerDefaults[cleanupArgs]
	q *Queue
}

// Work deletes expired newsroom sessions, presence and edit locks long
// lapsed, spent comment tokens too old to be taken anyway (ignored
// already, they only take room), rate buckets idle for a day, the content
// API's idempotency keys past their day, agency copy older than the
// desk keeps (WithWireKeep), or page views past their time and the
// visitor salts of days gone (WithAnalytics).
func (w *cleanupWorker) Work(ctx context.Context, job *river.Job[cleanupArgs]) error {
	var (
		n   int64
		err error
	)
	switch job.Args.What {
	case cleanSessions:
		n, err = w.q.store.DeleteExpiredSessions(ctx)
	case cleanEditing:
		n, err = w.q.store.DeleteLapsedEditing(ctx, news.EditTTL)
	case cleanCommentTokens:
		n, err = w.q.store.DeleteLapsedCommentTokens(ctx)
	case cleanRateBuckets:
		n, err = w.q.store.DeleteIdleBuckets(ctx, time.Now())
	case cleanIdempotency:
		n, err = w.q.store.DeleteExpiredKeys(ctx, time.Now())
	case cleanAnalytics:
		if w.q.analytics != nil {
			n, err = w.q.store.DeleteOldAnalytics(ctx, time.Now(), w.q.analytics.KeepRaw)
		}
	case cleanWires:
		if w.q.wireKeep != 0 {
			n, err = w.q.store.DeleteOldWires(ctx, time.Now().Add(-w.q.wireKeep))
		}
	default:
		return river.JobCancel(fmt.Errorf("unknown clean-up %q", job.Args.What))
	}
	if err != nil {
		return err
	}
	if n > 0 {
		w.q.log.Info(job.Args.What+" deleted", "count", n)
	}
	return nil
}

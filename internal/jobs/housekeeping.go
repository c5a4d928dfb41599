package jobs

import (
	"context"
	"time"

	"github.com/riverqueue/river"

	"khabar/internal/news"
)

// housekeeping are the periodic clean-ups. River's leader inserts them,
// so on several nodes one node does each, and a node that starts runs
// them once at once.
var housekeeping = []*river.PeriodicJob{
	river.NewPeriodicJob(river.PeriodicInterval(time.Hour), func() (river.JobArgs, *river.InsertOpts) { return sessionsArgs{}, nil },
		&river.PeriodicJobOpts{RunOnStart: true}),
	river.NewPeriodicJob(river.PeriodicInterval(time.Hour), func() (river.JobArgs, *river.InsertOpts) { return editingArgs{}, nil },
		&river.PeriodicJobOpts{RunOnStart: true}),
}

func addHousekeeping(q *Queue, w *river.Workers) {
	river.AddWorker(w, &sessionsWorker{q: q})
	river.AddWorker(w, &editingWorker{q: q})
}

type sessionsArgs struct{}

func (sessionsArgs) Kind() string { return "delete_expired_sessions" }

type sessionsWorker struct {
	river.WorkerDefaults[sessionsArgs]
	q *Queue
}

// Work removes expired newsroom sessions.
func (w *sessionsWorker) Work(ctx context.Context, _ *river.Job[sessionsArgs]) error {
	return w.q.cleanUp(ctx, "expired sessions deleted", w.q.store.DeleteExpiredSessions)
}

type editingArgs struct{}

func (editingArgs) Kind() string { return "delete_lapsed_editing" }

type editingWorker struct {
	river.WorkerDefaults[editingArgs]
	q *Queue
}

// Work removes presence and edit locks long lapsed: they are ignored
// already, and only take room.
func (w *editingWorker) Work(ctx context.Context, _ *river.Job[editingArgs]) error {
	return w.q.cleanUp(ctx, "lapsed edit locks deleted", func(ctx context.Context) (int64, error) {
		return w.q.store.DeleteLapsedEditing(ctx, news.EditTTL)
	})
}

// cleanUp runs one deletion and logs what it removed.
func (q *Queue) cleanUp(ctx context.Context, done string, del func(context.Context) (int64, error)) error {
	n, err := del(ctx)
	if err != nil {
		return err
	}
	if n > 0 {
		q.log.Info(done, "count", n)
	}
	return nil
}

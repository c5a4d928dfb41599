package jobs

import (
	"context"
	"errors"
	"time"

	"github.com/riverqueue/river"

	"khabar/internal/alert"
	"khabar/internal/news"
)

// Option adds workers (and their queues) to the job queue.
type Option func(q *Queue, w *river.Workers, c *river.Config)

// alertQueue runs alert batches apart from article plans, so a large
// alert never delays a planned publication.
const alertQueue = "alerts"

// WithAlerts runs the batches of breaking-news alerts as jobs: any node
// may take one, and a batch cut short is retried from its checkpoint.
func WithAlerts(f *alert.Fanout) Option {
	return func(_ *Queue, w *river.Workers, c *river.Config) {
		river.AddWorker(w, &alertWorker{fanout: f})
		// Each batch already sends many messages at once.
		c.Queues[alertQueue] = river.QueueConfig{MaxWorkers: 4}
	}
}

type alertArgs struct {
	Delivery int64 `json:"delivery"`
}

func (alertArgs) Kind() string { return "alert_delivery" }

// InsertOpts: one job per batch, however often the alert's event is
// handled (on several nodes, or again after a restart).
func (alertArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: alertQueue, MaxAttempts: 12, UniqueOpts: river.UniqueOpts{ByArgs: true}}
}

type alertWorker struct {
	river.WorkerDefaults[alertArgs]
	fanout *alert.Fanout
}

func (w *alertWorker) Work(ctx context.Context, job *river.Job[alertArgs]) error {
	err := w.fanout.Deliver(ctx, job.Args.Delivery)
	if errors.Is(err, alert.ErrBatchTaken) {
		// A node that stopped mid-batch still holds its lease: come back
		// when it has run out.
		return river.JobSnooze(time.Minute)
	}
	return err
}

// Timeout is also how soon, after a crash, River's rescuer hands a batch
// the dead node was sending to another attempt (see rescueAfter), so it
// is short: a batch of 500 usually takes seconds, and one that runs out
// of time is retried from its checkpoint, not from the start.
func (w *alertWorker) Timeout(*river.Job[alertArgs]) time.Duration { return rescueAfter }

// PlanAlerts is the outbox consumer of alerts: it makes the alert asked
// for when an article is published, and cuts each new alert into batches
// with a job each.
func (q *Queue) PlanAlerts(f *alert.Fanout) func(ctx context.Context, ev news.Event) error {
	return func(ctx context.Context, ev news.Event) error {
		if ev.Kind == news.EventArticlePublished {
			// Its alert, if one was asked for, comes back as an event.
			return f.PublishAlert(ctx, ev.ArticleID)
		}
		if ev.Kind != news.EventAlertCreated || ev.Alert == 0 {
			return nil
		}
		batches, err := f.Plan(ctx, ev.Alert)
		if errors.Is(err, news.ErrNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		for _, b := range batches {
			if b.Done {
				continue
			}
			if err := q.Enqueue(ctx, alertArgs{Delivery: b.ID}, nil); err != nil {
				return err
			}
		}
		return nil
	}
}

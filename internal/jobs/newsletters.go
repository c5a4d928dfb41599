package jobs

import (
	"context"
	"errors"
	"time"

	"github.com/riverqueue/river"

	"khabar/internal/news"
	"khabar/internal/newsletter"
)

// newsletterQueue keeps a large mailing from holding alerts or planned
// publications.
const newsletterQueue = "newsletters"

// newsletterAttempts is how often a batch is tried; the last attempt
// gives up on the recipients that still fail.
const newsletterAttempts = 8

// WithNewsletters sends newsletter issues as jobs, one per batch (any
// node may take one; a batch run again mails nobody twice), and runs the
// newsletter scheduler every minute on River's leader.
func WithNewsletters(svc *newsletter.Service) Option {
	return func(q *Queue, w *river.Workers, c *river.Config) {
		svc.Enqueue = q.enqueueNewsletter
		river.AddWorker(w, &newsletterWorker{svc: svc})
		river.AddWorker(w, &newsletterTickWorker{svc: svc})
		c.Queues[newsletterQueue] = river.QueueConfig{MaxWorkers: 2}
		c.PeriodicJobs = append(c.PeriodicJobs, river.NewPeriodicJob(river.PeriodicInterval(time.Minute),
			func() (river.JobArgs, *river.InsertOpts) { return newsletterTickArgs{}, nil }, &river.PeriodicJobOpts{RunOnStart: true}))
	}
}

// enqueueNewsletter inserts a job per batch; one already waiting or
// running for a batch is not doubled.
func (q *Queue) enqueueNewsletter(ctx context.Context, batches []news.NewsletterBatch) error {
	for _, b := range batches {
		err := q.Enqueue(ctx, newsletterArgs{Batch: b.ID}, &river.InsertOpts{Queue: newsletterQueue, MaxAttempts: newsletterAttempts,
			UniqueOpts: river.UniqueOpts{ByArgs: true, ByState: unplanned}})
		if err != nil {
			return err
		}
	}
	return nil
}

type newsletterArgs struct {
	Batch int64 `json:"batch"`
}

func (newsletterArgs) Kind() string { return "newsletter_batch" }

type newsletterWorker struct {
	river.WorkerDefaults[newsletterArgs]
	svc *newsletter.Service
}

func (w *newsletterWorker) Work(ctx context.Context, job *river.Job[newsletterArgs]) error {
	err := w.svc.SendBatch(ctx, job.Args.Batch, job.Attempt >= job.MaxAttempts)
	if errors.Is(err, news.ErrNotFound) {
		return river.JobCancel(err) // the issue or its list was deleted
	}
	return err
}

// Timeout: see alertWorker's.
func (w *newsletterWorker) Timeout(*river.Job[newsletterArgs]) time.Duration { return rescueAfter }

type newsletterTickArgs struct{}

func (newsletterTickArgs) Kind() string { return "newsletter_tick" }

type newsletterTickWorker struct {
	river.WorkerDefaults[newsletterTickArgs]
	svc *newsletter.Service
}

func (w *newsletterTickWorker) Work(ctx context.Context, _ *river.Job[newsletterTickArgs]) error {
	return w.svc.Tick(ctx, time.Now())
}

package jobs

import (
	"context"
	"time"

	"github.com/riverqueue/river"
)

// tickerArgs is the job of the ticker lines running out at At: a ticker
// event then tells every node's open pages and page cache that they are
// gone. Without it a line that ran out on its own stayed on open pages
// until the next change of the ticker.
type tickerArgs struct {
	At time.Time `json:"at"`
}

func (tickerArgs) Kind() string { return "ticker_expiry" }

type tickerWorker struct {
	river.WorkerDefaults[tickerArgs]
	q *Queue
}

func (w *tickerWorker) Work(ctx context.Context, job *river.Job[tickerArgs]) error {
	// Nodes' clocks differ a little: never announce it early.
	if wait := time.Until(job.Args.At); wait > 0 {
		return river.JobSnooze(wait)
	}
	return w.q.store.TickerRanOut(ctx, job.Args.At)
}

// planTicker makes sure the next line to run out has its job. Every node
// plans it after every ticker event; the job is unique by its time.
func (q *Queue) planTicker(ctx context.Context) error {
	at, err := q.store.NextTickerExpiry(ctx, time.Now())
	if err != nil || at.IsZero() {
		return err
	}
	return q.Enqueue(ctx, tickerArgs{At: at}, &river.InsertOpts{ScheduledAt: at, UniqueOpts: river.UniqueOpts{ByArgs: true}})
}

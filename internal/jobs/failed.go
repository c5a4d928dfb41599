package jobs

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"
)

// FailedJob is a job whose last attempt failed: River gave it up
// (discarded) or will try it again later (retryable).
type FailedJob struct {
	ID          int64
	Kind        string
	Discarded   bool
	Attempt     int
	MaxAttempts int
	// Error is the last attempt's error and At when it failed.
	Error string
	At    time.Time
	// Next is when a retryable job runs again.
	Next time.Time
}

// ErrNotFailed is Retry's answer for a job that does not exist or has
// not failed: a retry button pressed twice, or on another node.
var ErrNotFailed = errors.New("no failed job with this id")

// Failed lists the newest failed jobs, at most limit, for the status page.
func (q *Queue) Failed(ctx context.Context, limit int) ([]FailedJob, error) {
	res, err := q.client.JobList(ctx, river.NewJobListParams().
		States(rivertype.JobStateDiscarded, rivertype.JobStateRetryable).
		OrderBy(river.JobListOrderByID, river.SortOrderDesc).First(limit))
	if err != nil {
		return nil, fmt.Errorf("list failed jobs: %w", err)
	}
	out := make([]FailedJob, 0, len(res.Jobs))
	for _, j := range res.Jobs {
		f := FailedJob{ID: j.ID, Kind: j.Kind, Discarded: j.State == rivertype.JobStateDiscarded, Attempt: j.Attempt, MaxAttempts: j.MaxAttempts}
		if !f.Discarded {
			f.Next = j.ScheduledAt
		}
		if n := len(j.Errors); n > 0 {
			f.Error, f.At = j.Errors[n-1].Error, j.Errors[n-1].At
		}
		out = append(out, f)
	}
	return out, nil
}

// Retry runs failed job id again as soon as a worker is free, with its
// attempts counted afresh by River's schedule.
func (q *Queue) Retry(ctx context.Context, id int64) error {
	res, err := q.client.JobList(ctx, river.NewJobListParams().IDs(id).
		States(rivertype.JobStateDiscarded, rivertype.JobStateRetryable))
	if err != nil {
		return fmt.Errorf("retry job %d: %w", id, err)
	}
	if len(res.Jobs) == 0 {
		return fmt.Errorf("retry job %d: %w", id, ErrNotFailed)
	}
	if _, err := q.client.JobRetry(ctx, id); err != nil {
		return fmt.Errorf("retry job %d: %w", id, err)
	}
	return nil
}

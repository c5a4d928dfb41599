package jobs

import (
	"context"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"khabar/internal/media"
)

// mediaQueue makes image sizes one at a time: each uses every core.
const mediaQueue = "media"

// warmAfter is when a node that has settled compiles the WebP encoder, so
// the first upload's sizes do not wait for it; short-lived processes
// (commands, tests) never pay for it.
const warmAfter = 30 * time.Second

// pendingAtStart bounds the uploads a start looks for: a node that stopped
// leaves at most a few; the rest are found at the next start.
const pendingAtStart = 1000

// WithMedia makes the library's image sizes as jobs: for each upload
// (its media.added event) and, at start, for uploads still pending.
func WithMedia(lib *media.Library) Option {
	return func(q *Queue, w *river.Workers, c *river.Config) {
		q.media = lib
		river.AddWorker(w, &sizesWorker{lib: lib})
		c.Queues[mediaQueue] = river.QueueConfig{MaxWorkers: 1}
	}
}

type sizesArgs struct {
	Media int64 `json:"media"`
}

func (sizesArgs) Kind() string { return "media_sizes" }

// InsertOpts: one job an upload, however many nodes see its event; a
// finished job keeps a repeat out too.
func (sizesArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: mediaQueue, MaxAttempts: 5, UniqueOpts: river.UniqueOpts{ByArgs: true}}
}

type sizesWorker struct {
	river.WorkerDefaults[sizesArgs]
	lib *media.Library
}

func (w *sizesWorker) Work(ctx context.Context, job *river.Job[sizesArgs]) error {
	return w.lib.MakeSizes(ctx, job.Args.Media)
}

// Timeout: a 50-megapixel photo's sizes take seconds, not minutes.
func (w *sizesWorker) Timeout(*river.Job[sizesArgs]) time.Duration { return 5 * time.Minute }

// size asks for the sizes of upload id.
func (q *Queue) size(ctx context.Context, id int64) error {
	if q.media == nil || id == 0 {
		return nil
	}
	return q.Enqueue(ctx, sizesArgs{Media: id}, nil)
}

// sizePending asks again for the sizes of uploads still waiting (a node
// stopped between an upload and its job), and warms the encoder.
func (q *Queue) sizePending(ctx context.Context) error {
	if q.media == nil {
		return nil
	}
	q.warm = time.AfterFunc(warmAfter, media.Warm)
	ids, err := q.media.Pending(ctx, pendingAtStart)
	if err != nil {
		return err
	}
	for _, id := range ids {
		if err := q.size(ctx, id); err != nil {
			return err
		}
	}
	return nil
}

// WithYouTube fetches the thumbnails of embedded videos as jobs (see
// FetchThumbnail).
func WithYouTube(y *media.YouTube) Option {
	return func(q *Queue, w *river.Workers, _ *river.Config) {
		q.youtube = y
		river.AddWorker(w, &thumbWorker{youtube: y})
	}
}

type thumbArgs struct {
	Video string `json:"video"`
}

func (thumbArgs) Kind() string { return "youtube_thumbnail" }

// thumbStates keep a second job for the same video out while one is
// waiting, done, or refused (YouTube has no picture for it): a page that
// renders again asks for nothing until River prunes the old job.
var thumbStates = []rivertype.JobState{rivertype.JobStateAvailable, rivertype.JobStateCompleted, rivertype.JobStatePending,
	rivertype.JobStateRetryable, rivertype.JobStateRunning, rivertype.JobStateScheduled, rivertype.JobStateCancelled}

func (thumbArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{MaxAttempts: 3, UniqueOpts: river.UniqueOpts{ByArgs: true, ByState: thumbStates}}
}

type thumbWorker struct {
	river.WorkerDefaults[thumbArgs]
	youtube *media.YouTube
}

func (w *thumbWorker) Work(ctx context.Context, job *river.Job[thumbArgs]) error {
	err := w.youtube.Fetch(ctx, job.Args.Video)
	if media.Permanent(err) {
		return river.JobCancel(err)
	}
	return err
}

// Timeout: a fetch is bounded by its client's timeout well within this.
func (w *thumbWorker) Timeout(*river.Job[thumbArgs]) time.Duration { return time.Minute }

// FetchThumbnail asks for the thumbnail of an embedded video unless we
// have it; the site calls it when an article with the embed renders, and
// shows the picture once the job has kept it.
func (q *Queue) FetchThumbnail(ctx context.Context, video string) error {
	if q.youtube == nil || !q.youtube.Missing(ctx, video) {
		return nil
	}
	return q.Enqueue(ctx, thumbArgs{Video: video}, nil)
}

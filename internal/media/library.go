package media

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/gen2brain/webp"

	"khabar/internal/news"
	"khabar/internal/store"
)

// ErrInterrupted is an upload that stopped before its end: the connection
// dropped, or the request was cancelled while it waited its turn.
var ErrInterrupted = &Error{Code: "interrupted"}

// Library is the newsroom's picture library: uploads checked by content,
// each file kept once (by its SHA-256), recorded in the store, and their
// sizes made later, by the job queue, through MakeSizes. The newsroom's
// form and the API both upload through it.
type Library struct {
	store *store.Store
	proc  Processor
	log   *slog.Logger
}

// NewLibrary keeps originals and sizes in files and their records in s.
func NewLibrary(s *store.Store, files Store, log *slog.Logger) *Library {
	return &Library{store: s, proc: Processor{Store: files, Limits: DefaultLimits}, log: log}
}

// Limits are what an upload may be.
func (l *Library) Limits() Limits { return l.proc.Limits }

// Ingested is what became of one upload: its record, and whether the
// library held the same file already.
type Ingested struct {
	Media     *news.Media
	Duplicate bool
}

// Ingest reads one uploaded file, checks it and records it with its sizes
// pending (the store's media.added event has the job queue make them),
// unless the library holds the same file already. A refusal is an *Error
// (ErrInterrupted when the upload broke off); an *http.MaxBytesError from
// r comes back in the chain; anything else is the server's fault.
func (l *Library) Ingest(ctx context.Context, r io.Reader) (Ingested, error) {
	up, err := Check(ctx, r, l.proc.Limits)
	if err != nil {
		if Code(err) == "" {
			// Check only reads and waits its turn to decode: what is not
			// a refusal is the upload's end.
			err = fmt.Errorf("%w: %w", ErrInterrupted, err)
		}
		return Ingested{}, err
	}
	if m, err := l.store.MediaBySHA256(ctx, up.SHA256); err == nil {
		return Ingested{Media: m, Duplicate: true}, nil
	} else if !errors.Is(err, news.ErrNotFound) {
		return Ingested{}, err
	}
	rec, err := l.proc.Save(ctx, up)
	if err != nil {
		return Ingested{}, err
	}
	m := &news.Media{Path: rec.Key, MIME: rec.Format.MIME(), Width: rec.Width, Height: rec.Height, SHA256: rec.SHA256,
		Bytes: rec.Bytes, Frames: rec.Frames, SizesState: news.SizesPending}
	if rec.Frames > 1 {
		m.SizesState = news.SizesNone // stills would stop the animation
	}
	if err := l.store.CreateMedia(ctx, m); errors.Is(err, news.ErrDuplicate) {
		// The same file, uploaded at the same moment by someone else.
		m, err := l.store.MediaBySHA256(ctx, up.SHA256)
		if err != nil {
			return Ingested{}, err
		}
		return Ingested{Media: m, Duplicate: true}, nil
	} else if err != nil {
		return Ingested{}, err
	}
	l.log.InfoContext(ctx, "media uploaded", "media", m.ID, "format", rec.Format, "bytes", rec.Bytes)
	return Ingested{Media: m}, nil
}

// MakeSizes makes and records one image's sizes. An image already done
// (asked twice, or by another node) is left alone; an image that cannot be
// resized is recorded as failed, and pages show its original. An error is
// the store's or the files', worth a retry.
func (l *Library) MakeSizes(ctx context.Context, id int64) error {
	m, err := l.store.GetMedia(ctx, id)
	if errors.Is(err, news.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	if m.SizesState != news.SizesPending {
		return nil
	}
	start := time.Now()
	vs, err := l.proc.Variants(ctx, m.Path)
	if ctx.Err() != nil {
		return ctx.Err()
	}
	state := news.SizesReady
	if err != nil {
		l.log.ErrorContext(ctx, "media sizes", "media", id, "err", err)
		state, vs = news.SizesFailed, nil
	}
	sizes := make([]news.MediaSize, len(vs))
	for i, v := range vs {
		sizes[i] = news.MediaSize{Path: v.Key, Width: v.Width, Height: v.Height, Format: string(v.Format), Bytes: v.Bytes}
	}
	if err := l.store.SetMediaSizes(ctx, id, sizes, state); err != nil {
		return fmt.Errorf("record the sizes of media %d: %w", id, err)
	}
	l.log.InfoContext(ctx, "media sizes made", "media", id, "state", state, "files", len(sizes), "ms", time.Since(start).Milliseconds())
	return nil
}

// Pending lists up to limit images still waiting for their sizes: those a
// node left when it stopped.
func (l *Library) Pending(ctx context.Context, limit int) ([]int64, error) {
	return l.store.PendingMedia(ctx, limit)
}

// Warm compiles the WebP encoder's WebAssembly (about a second of CPU),
// so the first upload's sizes do not wait for it.
func Warm() { webp.Init() }

// TextsEditableBy is nil when s may change the alt text, caption and
// credit of image id: the desk always; anyone else only while no public
// article shows it, since readers would see the change at once.
func (l *Library) TextsEditableBy(ctx context.Context, s news.Staff, id int64) error {
	if s.Desk {
		return nil
	}
	shown, err := l.store.MediaShownPublicly(ctx, id)
	if err != nil {
		return err
	}
	if shown {
		return fmt.Errorf("media %d is on a public page: %w", id, news.ErrForbidden)
	}
	return nil
}

// SaveTexts saves m's alt text, caption and credit as s, under
// TextsEditableBy.
func (l *Library) SaveTexts(ctx context.Context, s news.Staff, m *news.Media) error {
	if err := l.TextsEditableBy(ctx, s, m.ID); err != nil {
		return err
	}
	return l.store.UpdateMediaText(ctx, m)
}

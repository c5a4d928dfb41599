package jobs

import (
	"bytes"
	"context"
	"errors"
	"image"
	"image/color"
	"image/png"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"khabar/internal/auth"
	"khabar/internal/media"
	"khabar/internal/news"
	"khabar/internal/store"
	"khabar/internal/storetest"
	"khabar/internal/wire"
)

// eventually polls ok until it holds, failing with what after a deadline
// long past River's one-second poll on a busy machine.
func eventually(t *testing.T, what string, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within 30 s", what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func pngOf(t *testing.T, w, h int) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			img.Set(x, y, color.RGBA{uint8(x), uint8(y), 90, 255})
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestImageSizesAreJobs: an upload's media.added event becomes a job that
// makes its sizes; an upload left pending before the queue started (a
// node stopped between the two) gets its sizes at the next start.
func TestImageSizesAreJobs(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		files, err := media.OpenDisk(t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		defer files.Close()
		lib := media.NewLibrary(s, files, quiet)
		left, err := lib.Ingest(ctx, bytes.NewReader(pngOf(t, 700, 400)))
		if err != nil {
			t.Fatal(err)
		}
		q := startQueueWith(t, s, quiet, WithMedia(lib))
		// Only the fresh upload's event is handled: the one left pending
		// has no one to tell the queue about it but the start.
		since, err := s.LastEventID(ctx)
		if err != nil {
			t.Fatal(err)
		}
		fresh, err := lib.Ingest(ctx, bytes.NewReader(pngOf(t, 900, 500)))
		if err != nil {
			t.Fatal(err)
		}
		evs, err := s.EventsAfter(ctx, since, 100)
		if err != nil {
			t.Fatal(err)
		}
		if len(evs) != 1 || evs[0].Kind != news.EventMediaAdded || evs[0].Media != fresh.Media.ID {
			t.Fatalf("the upload's events: %+v", evs)
		}
		for _, ev := range evs {
			if err := q.HandleEvent(ctx, ev); err != nil {
				t.Fatal(err)
			}
		}
		for _, m := range []*news.Media{left.Media, fresh.Media} {
			eventually(t, "sizes of media "+strconv.FormatInt(m.ID, 10), func() bool {
				got, err := s.GetMedia(ctx, m.ID)
				return err == nil && got.SizesState == news.SizesReady && len(got.Sizes) > 0
			})
		}
	})
}

// TestHousekeeping: the periodic clean-up runs when a queue starts and
// removes expired sessions, leaving live ones, the content API's expired
// idempotency keys, and agency copy older than the desk keeps (here a
// keep that ends a minute in the future, so the item just added is old).
func TestHousekeeping(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		u, live := storetest.Staff(t, s, auth.RoleWriter)
		_, hash, err := auth.NewToken()
		if err != nil {
			t.Fatal(err)
		}
		if err := s.CreateSession(ctx, hash, u.ID, time.Now().Add(-time.Minute)); err != nil {
			t.Fatal(err)
		}
		// A key kept for no time at all has expired by the clean-up.
		if _, err := s.ClaimKey(ctx, u.ID, "expired", "h", -time.Second, time.Minute); err != nil {
			t.Fatal(err)
		}
		if _, err := s.ClaimKey(ctx, u.ID, "kept", "h", time.Hour, time.Minute); err != nil {
			t.Fatal(err)
		}
		if _, _, err := s.AddWire(ctx, wire.Item{Format: wire.FormatNinjs, GUID: "urn:old", Headline: "قديم", Status: wire.Usable}, "folder"); err != nil {
			t.Fatal(err)
		}
		var removed, keys, wires atomic.Int64
		startQueueWith(t, s, slog.New(&counting{msgs: map[string]*atomic.Int64{"expired sessions deleted": &removed,
			"expired idempotency keys deleted": &keys, "old wire items deleted": &wires}}), WithWireKeep(-time.Minute))
		eventually(t, "expired session removed", func() bool { return removed.Load() == 1 })
		eventually(t, "expired idempotency key removed", func() bool { return keys.Load() == 1 })
		eventually(t, "old wire item removed", func() bool { return wires.Load() == 1 })
		if _, err := s.SessionUser(ctx, auth.HashToken(live)); errors.Is(err, news.ErrNotFound) {
			t.Error("the clean-up ended a live session")
		}
	})
}

// counting is a log handler that adds up the "count" of messages.
type counting struct {
	msgs map[string]*atomic.Int64
}

func (c *counting) Enabled(context.Context, slog.Level) bool { return true }
func (c *counting) Handle(_ context.Context, r slog.Record) error {
	if n := c.msgs[r.Message]; n != nil {
		r.Attrs(func(a slog.Attr) bool {
			if a.Key == "count" {
				n.Add(a.Value.Int64())
			}
			return true
		})
	}
	return nil
}
func (c *counting) WithAttrs([]slog.Attr) slog.Handler { return c }
func (c *counting) WithGroup(string) slog.Handler      { return c }

// TestScheduledBackups: a queue with backups takes one when it starts,
// records it, and keeps only the newest archives.
func TestScheduledBackups(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		if _, err := exec.LookPath("pg_dump"); err != nil && s.Dialect() == store.Postgres {
			if os.Getenv(storetest.EnvRequire) != "" {
				t.Fatalf("%s is set but pg_dump is not on the PATH", storetest.EnvRequire)
			}
			t.Skip("pg_dump is not on the PATH: scheduled PostgreSQL backups untested")
		}
		ctx := context.Background()
		dir := t.TempDir()
		old := []string{"khabar-backup-20200101-000000.tar.gz", "khabar-backup-20200102-000000.tar.gz", "notes.txt"}
		for _, name := range old {
			if err := os.WriteFile(filepath.Join(dir, name), []byte("x"), 0o600); err != nil {
				t.Fatal(err)
			}
		}
		startQueueWith(t, s, quiet, WithBackups(Backups{Every: time.Hour, Keep: 2, Dir: dir, MediaDir: filepath.Join(dir, "no-media")}))
		var last store.BackupRun
		eventually(t, "a backup recorded", func() bool {
			var err error
			last, err = s.LastBackup(ctx)
			return err == nil
		})
		if last.Err != "" || last.Size == 0 || filepath.Dir(last.File) != dir {
			t.Fatalf("last backup: %+v", last)
		}
		var left []string
		entries, _ := os.ReadDir(dir)
		for _, e := range entries {
			left = append(left, e.Name())
		}
		want := []string{old[1], filepath.Base(last.File), "notes.txt"}
		if !slices.Equal(left, want) {
			t.Errorf("backup directory holds %v, want %v", left, want)
		}
	})
}

package jobs

import (
	"context"
	"database/sql"
	"errors"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/riverqueue/river"

	"khabar/internal/news"
	"khabar/internal/store"
	"khabar/internal/storetest"
)

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

func startQueue(t *testing.T, s *store.Store) *Queue { return startQueueWith(t, s, quiet) }

// startQueueWith is startQueue with a logger and options.
func startQueueWith(t *testing.T, s *store.Store, log *slog.Logger, opts ...Option) *Queue {
	t.Helper()
	ctx := context.Background()
	q, err := New(ctx, s, log, opts...)
	if err != nil {
		t.Fatal(err)
	}
	if err := q.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := q.Stop(ctx); err != nil {
			t.Errorf("stop: %v", err)
		}
		q.Close()
	})
	return q
}

// waitStatus polls the article until it reaches st (River's scheduler
// looks for due jobs every five seconds).
func waitStatus(t *testing.T, s *store.Store, id int64, st news.Status) *news.Article {
	t.Helper()
	// A minute: River looks every five seconds, and a loaded two-core
	// machine running other packages' tests has been seen to need more
	// than 20 seconds.
	deadline := time.Now().Add(time.Minute)
	for {
		a, err := s.GetArticle(context.Background(), id)
		if err != nil {
			t.Fatal(err)
		}
		if a.Status == st {
			return a
		}
		if time.Now().After(deadline) {
			t.Fatalf("article %d is still %s, want %s", id, a.Status, st)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func step(t *testing.T, s *store.Store, a *news.Article, c news.Change) *news.Article {
	t.Helper()
	a, err := s.Transition(context.Background(), a.ID, a.Version, c)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// TestPlannedChangesRunOnTime: a publication and a withdrawal planned
// before the queue starts run at their time; a job for a time moved
// since does nothing.
func TestPlannedChangesRunOnTime(t *testing.T) {
	for _, b := range storetest.Backends {
		t.Run(b.Name, func(t *testing.T) {
			ctx := context.Background()
			s := b.Open(t)
			f := storetest.Seed(t, s)
			a := f.Article("خبر مجدول للنشر ثم السحب")
			if err := s.CreateArticle(ctx, a); err != nil {
				t.Fatal(err)
			}
			first := time.Now().Add(time.Second)
			a = step(t, s, a, news.Change{Action: news.ActionSchedule, At: first})
			q, err := New(ctx, s, quiet)
			if err != nil {
				t.Fatal(err)
			}
			defer q.Close()
			// The plan's job, then a later time: the job for the first
			// time is stale when it runs.
			if err := q.HandleEvent(ctx, news.Event{Kind: news.EventArticleSaved, ArticleID: a.ID}); err != nil {
				t.Fatal(err)
			}
			publishAt := time.Now().Add(2500 * time.Millisecond)
			a = step(t, s, a, news.Change{Action: news.ActionSchedule, At: publishAt})
			a = step(t, s, a, news.Change{Action: news.ActionExpire, At: publishAt.Add(time.Second)})
			startQueue(t, s) // plans what is in the database on start

			// Published, then withdrawn a second later. On a busy machine
			// both jobs may run in one pass of River's scheduler, so the
			// published state is not waited for; the withdrawn article keeps
			// its publication time and the audit log shows both steps.
			got := waitStatus(t, s, a.ID, news.StatusUnpublished)
			if got.PublishedAt.Before(publishAt.Truncate(time.Microsecond)) {
				t.Errorf("published at %v, before its time %v: the stale job published it", got.PublishedAt, publishAt)
			}
			log, err := s.AuditLog(ctx, 2, 0)
			if err != nil || len(log) != 2 || log[0].Action != "article.unpublish" || log[1].Action != "article.publish" || log[0].UserID != 0 || log[1].UserID != 0 {
				t.Errorf("audit log: %v %+v (want publish and unpublish by the system)", err, log)
			}
			if plans, _ := s.PlannedChanges(ctx, 0); len(plans) != 0 {
				t.Errorf("plans left: %+v", plans)
			}
		})
	}
}

// TestWorker checks the worker's decisions without waiting for River.
func TestWorker(t *testing.T) {
	ctx := context.Background()
	s := storetest.SQLite(t)
	f := storetest.Seed(t, s)
	a := f.Article("خبر")
	if err := s.CreateArticle(ctx, a); err != nil {
		t.Fatal(err)
	}
	at := time.Now().Add(time.Hour).UTC().Truncate(time.Microsecond)
	a = step(t, s, a, news.Change{Action: news.ActionSchedule, At: at})
	end := at.Add(time.Hour)
	a = step(t, s, a, news.Change{Action: news.ActionExpire, At: end})
	w := &plannedWorker{store: s, log: quiet}
	work := func(args plannedArgs) error {
		return w.Work(ctx, &river.Job[plannedArgs]{Args: args})
	}

	var snooze *river.JobSnoozeError
	if err := work(plannedArgs{ArticleID: a.ID, Action: news.ActionPublish, At: at}); !errors.As(err, &snooze) || snooze.Duration < 59*time.Minute {
		t.Errorf("early job: %v, want a snooze until its time", err)
	}
	var cancel *river.JobCancelError
	if err := work(plannedArgs{ArticleID: a.ID, Action: "delete", At: at.Add(-2 * time.Hour)}); !errors.As(err, &cancel) {
		t.Errorf("unknown action: %v, want the job cancelled", err)
	}
	stale := []plannedArgs{
		{ArticleID: a.ID, Action: news.ActionPublish, At: at.Add(-2 * time.Hour)},
		{ArticleID: a.ID, Action: news.ActionUnpublish, At: at.Add(-2 * time.Hour)},
		{ArticleID: 987654, Action: news.ActionPublish, At: at.Add(-2 * time.Hour)},
	}
	for _, args := range stale {
		if err := work(args); err != nil {
			t.Errorf("stale %+v: %v", args, err)
		}
	}
	if got, _ := s.GetArticle(ctx, a.ID); got.Status != news.StatusScheduled || got.Version != a.Version {
		t.Errorf("a stale job changed the article: %s v%d", got.Status, got.Version)
	}
	// A withdrawal that comes up before the publication waits for it.
	wait, ok := waitingFor([]store.Planned{{ArticleID: a.ID, Action: news.ActionPublish, At: at}, {ArticleID: a.ID, Action: news.ActionUnpublish, At: end}},
		store.Planned{ArticleID: a.ID, Action: news.ActionUnpublish, At: end})
	if !ok || wait < 59*time.Minute {
		t.Errorf("withdrawal before publication: wait %v %v", wait, ok)
	}
	if _, ok := waitingFor(nil, store.Planned{ArticleID: a.ID, Action: news.ActionUnpublish, At: end}); ok {
		t.Error("a withdrawal no longer planned waits")
	}
}

// TestMigrateTwice: River's migrations apply once, under the store's lock.
func TestMigrateTwice(t *testing.T) {
	for _, b := range storetest.Backends {
		t.Run(b.Name, func(t *testing.T) {
			s := b.Open(t)
			first, err := Migrate(context.Background(), s, quiet)
			if err != nil || len(first) == 0 {
				t.Fatalf("first migration: %v %v", first, err)
			}
			again, err := Migrate(context.Background(), s, quiet)
			if err != nil || len(again) != 0 {
				t.Errorf("second migration: %v %v", again, err)
			}
		})
	}
}

// TestStartOutwaitsALockedDatabase: a SQLite database another connection
// holds locked for longer than River gives its start (ten seconds) delays
// the queue's start instead of failing it.
func TestStartOutwaitsALockedDatabase(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := storetest.SQLite(t)
	q, err := New(ctx, s, quiet)
	if err != nil {
		t.Fatal(err)
	}
	defer q.Close()
	path, err := s.SQLiteFile(ctx)
	if err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(10000)")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	conn, err := db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "BEGIN IMMEDIATE"); err != nil {
		t.Fatal(err)
	}
	started := make(chan error, 1)
	go func() { started <- q.Start(ctx) }()
	select {
	case err := <-started:
		t.Fatalf("the queue started (%v) while the database was locked", err)
	case <-time.After(12 * time.Second):
	}
	if _, err := conn.ExecContext(ctx, "COMMIT"); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-started:
		if err != nil {
			t.Fatalf("start once the lock was gone: %v", err)
		}
	case <-time.After(2 * time.Minute):
		t.Fatal("the queue had not started two minutes after the lock was gone")
	}
	if err := q.Stop(ctx); err != nil {
		t.Errorf("stop: %v", err)
	}
}

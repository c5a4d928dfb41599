package storetest

import (
	"context"
	"slices"
	"testing"
	"time"

	"khabar/internal/auth"
	"khabar/internal/news"
	"khabar/internal/store"
)

// testDeskLists: the desk's lists and their counts. A writer's drafts
// split into those sent back with a note and the rest; a day's window
// keeps the publications planned in it; a lock counts for its holder
// while it is fresh; breaking news and open live blogs; the day's alerts.
func testDeskLists(t *testing.T, s *store.Store, f Fixture) {
	ctx := context.Background()
	writer := auth.User{Email: "writer@example.com", Name: "كاتبة", Role: auth.RoleWriter, PasswordHash: "x"}
	other := auth.User{Email: "editor@example.com", Name: "محرر", Role: auth.RoleEditor, PasswordHash: "x"}
	for _, who := range []*auth.User{&writer, &other} {
		if err := s.CreateUser(ctx, who); err != nil {
			t.Fatal(err)
		}
	}
	u := writer.ID
	create := func(a *news.Article) *news.Article {
		t.Helper()
		a.CreatedBy = u
		if err := s.CreateArticle(ctx, a); err != nil {
			t.Fatal(err)
		}
		return a
	}
	step := func(a *news.Article, c news.Change) *news.Article {
		t.Helper()
		a, err := s.Transition(ctx, a.ID, a.Version, c)
		if err != nil {
			t.Fatalf("%s: %v", c.Action, err)
		}
		return a
	}
	draft := create(f.Article("مسودة"))
	returned := create(f.Article("أعيدت"))
	returned = step(returned, news.Change{Action: news.ActionSubmit})
	returned = step(returned, news.Change{Action: news.ActionRequestChanges, Note: "اختصر المقدمة"})
	start := time.Now()
	today := step(inState(t, s, f, news.StatusDraft), news.Change{Action: news.ActionSchedule, At: start.Add(2 * time.Hour)})
	step(inState(t, s, f, news.StatusDraft), news.Change{Action: news.ActionSchedule, At: start.Add(50 * time.Hour)})
	breaking := f.Article("عاجل")
	breaking.Breaking = true
	breaking = step(create(breaking), news.Change{Action: news.ActionPublish})
	live, ended := inState(t, s, f, news.StatusPublished), inState(t, s, f, news.StatusPublished)
	// A blog whose coverage has ended is no longer running.
	for _, c := range []struct {
		id   int64
		open bool
	}{{live.ID, true}, {ended.ID, true}, {ended.ID, false}} {
		if err := s.SetLiveCoverage(ctx, c.id, c.open); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.EnterArticle(ctx, draft.ID, news.Actor{UserID: u, Name: writer.Name}, store.Claim, news.EditTTL); err != nil {
		t.Fatal(err)
	}
	if _, err := s.EnterArticle(ctx, live.ID, news.Actor{UserID: other.ID, Name: other.Name}, store.Claim, news.EditTTL); err != nil {
		t.Fatal(err)
	}
	for _, title := range []string{"تنبيه أول", "تنبيه ثان"} {
		if err := s.CreateAlert(ctx, &news.Alert{Title: title, Text: "نص", URL: "/news/1", Topic: "breaking", Channels: []string{"push"}}); err != nil {
			t.Fatal(err)
		}
	}

	cases := []struct {
		name string
		f    store.AdminFilter
		want []int64
	}{
		{"my drafts without a note", store.AdminFilter{Status: news.StatusDraft, CreatedBy: u, Note: store.WithoutNote}, []int64{draft.ID}},
		{"changes asked of me", store.AdminFilter{Status: news.StatusDraft, CreatedBy: u, Note: store.WithNote}, []int64{returned.ID}},
		{"planned within the day", store.AdminFilter{PublishFrom: start.Add(-time.Hour), PublishTo: start.Add(23 * time.Hour)}, []int64{today.ID}},
		{"locks I hold", store.AdminFilter{LockedBy: u, LockTTL: news.EditTTL}, []int64{draft.ID}},
		{"locks held long ago", store.AdminFilter{LockedBy: u, LockTTL: -time.Hour}, nil},
		{"breaking", store.AdminFilter{Status: news.StatusPublished, Breaking: true}, []int64{breaking.ID}},
		{"breaking of the last hour", store.AdminFilter{Status: news.StatusPublished, Breaking: true, PublishedSince: start.Add(-time.Hour)}, []int64{breaking.ID}},
		{"breaking since tomorrow", store.AdminFilter{Status: news.StatusPublished, Breaking: true, PublishedSince: start.Add(24 * time.Hour)}, nil},
		{"live blogs running", store.AdminFilter{Status: news.StatusPublished, Live: true}, []int64{live.ID}},
	}
	for _, c := range cases {
		list, err := s.ListArticles(ctx, c.f)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		var got []int64
		for _, a := range list {
			got = append(got, a.ID)
		}
		if !slices.Equal(got, c.want) {
			t.Errorf("%s: %v, want %v", c.name, got, c.want)
		}
		if n, err := s.CountListed(ctx, c.f); err != nil || n != len(c.want) {
			t.Errorf("%s: count %d, %v; want %d", c.name, n, err, len(c.want))
		}
	}

	alerts, total, err := s.AlertsSince(ctx, start.Add(-time.Minute), 1)
	if err != nil || total != 2 || len(alerts) != 1 || alerts[0].Title != "تنبيه ثان" {
		t.Errorf("alerts since the start: %d %+v %v; want 2, the latest first", total, alerts, err)
	}
	if alerts, total, err := s.AlertsSince(ctx, start.Add(time.Hour), 5); err != nil || total != 0 || len(alerts) != 0 {
		t.Errorf("alerts after the last: %d %+v %v", total, alerts, err)
	}
}

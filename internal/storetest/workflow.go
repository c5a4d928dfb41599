package storetest

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"khabar/internal/auth"
	"khabar/internal/news"
	"khabar/internal/store"
)

// inState creates an article and walks it to st through the workflow.
func inState(t *testing.T, s *store.Store, f Fixture, st news.Status) *news.Article {
	t.Helper()
	ctx := context.Background()
	a := f.Article("خبر في حالة " + string(st))
	if err := s.CreateArticle(ctx, a); err != nil {
		t.Fatal(err)
	}
	steps := map[news.Status][]news.Change{
		news.StatusReview:      {{Action: news.ActionSubmit}},
		news.StatusScheduled:   {{Action: news.ActionSchedule, At: time.Now().Add(time.Hour)}},
		news.StatusPublished:   {{Action: news.ActionPublish}},
		news.StatusUnpublished: {{Action: news.ActionPublish}, {Action: news.ActionUnpublish}},
	}
	for _, c := range steps[st] {
		var err error
		if a, err = s.Transition(ctx, a.ID, a.Version, c); err != nil {
			t.Fatalf("walk to %s: %v", st, err)
		}
	}
	return a
}

// testWorkflowTransitions takes every action from every state: the legal
// ones land where the workflow says, the others are refused and change
// nothing.
func testWorkflowTransitions(t *testing.T, s *store.Store, f Fixture) {
	ctx := context.Background()
	legal := map[news.Status]map[news.Action]news.Status{
		news.StatusDraft: {news.ActionSubmit: news.StatusReview, news.ActionPublish: news.StatusPublished,
			news.ActionSchedule: news.StatusScheduled},
		news.StatusReview: {news.ActionRequestChanges: news.StatusDraft, news.ActionPublish: news.StatusPublished,
			news.ActionSchedule: news.StatusScheduled},
		news.StatusScheduled: {news.ActionPublish: news.StatusPublished, news.ActionSchedule: news.StatusScheduled,
			news.ActionUnschedule: news.StatusDraft, news.ActionExpire: news.StatusScheduled},
		news.StatusPublished:   {news.ActionUnpublish: news.StatusUnpublished, news.ActionExpire: news.StatusPublished},
		news.StatusUnpublished: {news.ActionPublish: news.StatusPublished, news.ActionSchedule: news.StatusScheduled},
	}
	for from, allowed := range legal {
		for _, act := range news.Actions {
			a := inState(t, s, f, from)
			c := news.Change{Action: act, At: time.Now().Add(2 * time.Hour), Note: "أضف مصدرًا ثانيًا"}
			got, err := s.Transition(ctx, a.ID, a.Version, c)
			want, ok := allowed[act]
			switch {
			case ok && err != nil:
				t.Errorf("%s from %s: %v", act, from, err)
			case ok && got.Status != want:
				t.Errorf("%s from %s: now %s, want %s", act, from, got.Status, want)
			case !ok && !errors.Is(err, news.ErrTransition):
				t.Errorf("%s from %s: got %v, want a refused transition", act, from, err)
			case !ok:
				if after, _ := s.GetArticle(ctx, a.ID); after.Version != a.Version || after.Status != from {
					t.Errorf("refused %s from %s changed the article", act, from)
				}
			}
		}
	}

	// What the steps leave behind: the note goes back with the draft and
	// away with the next submission; planned times follow the state.
	a := inState(t, s, f, news.StatusReview)
	a, err := s.Transition(ctx, a.ID, a.Version, news.Change{Action: news.ActionRequestChanges, Note: "  اختصر المقدمة  "})
	if err != nil || a.ReviewNote != "اختصر المقدمة" {
		t.Fatalf("request changes: %v, note %q", err, a.ReviewNote)
	}
	if got, _ := s.GetArticle(ctx, a.ID); got.ReviewNote != "اختصر المقدمة" || got.Status != news.StatusDraft {
		t.Errorf("stored note %q, status %s", got.ReviewNote, got.Status)
	}
	if a, err = s.Transition(ctx, a.ID, a.Version, news.Change{Action: news.ActionSubmit}); err != nil || a.ReviewNote != "" {
		t.Errorf("resubmit: %v, note %q", err, a.ReviewNote)
	}
	at := time.Now().Add(3 * time.Hour).UTC().Truncate(time.Microsecond)
	if a, err = s.Transition(ctx, a.ID, a.Version, news.Change{Action: news.ActionSchedule, At: at}); err != nil {
		t.Fatal(err)
	}
	end := at.Add(24 * time.Hour)
	if a, err = s.Transition(ctx, a.ID, a.Version, news.Change{Action: news.ActionExpire, At: end}); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.GetArticle(ctx, a.ID); !got.PublishAt.Equal(at) || !got.UnpublishAt.Equal(end) {
		t.Errorf("planned times %v %v, want %v %v", got.PublishAt, got.UnpublishAt, at, end)
	}
	if a, err = s.Transition(ctx, a.ID, a.Version, news.Change{Action: news.ActionPublish}); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.GetArticle(ctx, a.ID); !got.PublishAt.IsZero() || !got.UnpublishAt.Equal(end) || got.PublishedAt.IsZero() {
		t.Errorf("publishing now keeps the expiry and drops the schedule: %v %v", got.PublishAt, got.UnpublishAt)
	}
	if a, err = s.Transition(ctx, a.ID, a.Version, news.Change{Action: news.ActionKeep}); err != nil || !a.UnpublishAt.IsZero() {
		t.Errorf("keep: %v, %v", err, a.UnpublishAt)
	}
	if _, err := s.Transition(ctx, a.ID, a.Version, news.Change{Action: news.ActionKeep}); !errors.Is(err, news.ErrTransition) {
		t.Errorf("keep without a planned withdrawal: %v", err)
	}
}

// testWorkflowBadChanges: bad times, missing notes and stale versions are
// refused, with the field named.
func testWorkflowBadChanges(t *testing.T, s *store.Store, f Fixture) {
	ctx := context.Background()
	review := inState(t, s, f, news.StatusReview)
	scheduled := inState(t, s, f, news.StatusScheduled)
	now := time.Now()
	cases := []struct {
		name  string
		a     *news.Article
		c     news.Change
		field string
		code  string
	}{
		{"no time", review, news.Change{Action: news.ActionSchedule}, "at", "required"},
		{"past time", review, news.Change{Action: news.ActionSchedule, At: now.Add(-time.Minute)}, "at", "past"},
		{"year typo", review, news.Change{Action: news.ActionSchedule, At: now.AddDate(20, 0, 0)}, "at", "too_far"},
		{"no note", review, news.Change{Action: news.ActionRequestChanges, Note: " \n "}, "note", "required"},
		{"a note of control characters", review, news.Change{Action: news.ActionRequestChanges, Note: "\x00\x01\x7f"}, "note", "required"},
		{"withdrawn before published", scheduled, news.Change{Action: news.ActionExpire, At: now.Add(time.Minute)}, "at", "before_publish"},
	}
	for _, c := range cases {
		_, err := s.Transition(ctx, c.a.ID, c.a.Version, c.c)
		var ie *news.InvalidError
		if !errors.As(err, &ie) || ie.Fields[c.field] != c.code {
			t.Errorf("%s: got %v, want %s: %s", c.name, err, c.field, c.code)
		}
	}
	// What is scheduled must be publishable: its job cannot ask anyone to
	// complete an image's texts.
	bare := f.Article("خبر بصورة بلا نص بديل")
	bare.FeaturedID = upload(t, s, "2026/11/bare.jpg", "bare", "", "تعليق", "مصدر").ID
	if err := s.CreateArticle(ctx, bare); err != nil {
		t.Fatal(err)
	}
	var ie *news.InvalidError
	if _, err := s.Transition(ctx, bare.ID, bare.Version, news.Change{Action: news.ActionSchedule, At: now.Add(time.Hour)}); !errors.As(err, &ie) || ie.Fields["featured"] == "" {
		t.Errorf("scheduling an article whose image lacks alt text: %v", err)
	}
	long := news.Change{Action: news.ActionRequestChanges, Note: string(slices.Repeat([]rune{'ن'}, news.MaxNote+1))}
	if _, err := s.Transition(ctx, review.ID, review.Version, long); !news.IsInvalid(err) {
		t.Errorf("note over %d characters: %v", news.MaxNote, err)
	}
	if _, err := s.Transition(ctx, review.ID, review.Version-1, news.Change{Action: news.ActionSubmit}); !errors.Is(err, news.ErrConflict) {
		t.Errorf("stale version: %v", err)
	}
	if _, err := s.Transition(ctx, 987654, 1, news.Change{Action: news.ActionPublish}); !errors.Is(err, news.ErrNotFound) {
		t.Errorf("missing article: %v", err)
	}
}

// testStagedUpdate: an edit of a published article waits beside the live
// version until it is published or discarded.
func testStagedUpdate(t *testing.T, s *store.Store, f Fixture) {
	ctx := context.Background()
	live := inState(t, s, f, news.StatusPublished)
	before, _ := s.LastEventID(ctx)
	edit, _ := s.GetArticle(ctx, live.ID)
	edit.Headline = "عنوان معدّل لم يُنشر"
	edit.Tags = []news.Tag{{Name: "وسم جديد"}}
	if err := s.StageUpdate(ctx, edit); err != nil {
		t.Fatal(err)
	}
	if after, _ := s.LastEventID(ctx); after != before {
		t.Error("staging an update wrote an event: readers' pages would be refreshed for nothing")
	}
	got, _ := s.GetArticle(ctx, live.ID)
	if got.Headline != live.Headline || !got.HasStaged || got.Version != live.Version+1 || !got.UpdatedAt.Equal(live.UpdatedAt) {
		t.Errorf("live version after staging: %q staged=%v v%d", got.Headline, got.HasStaged, got.Version)
	}
	staged, err := s.StagedArticle(ctx, live.ID)
	if err != nil || staged.Headline != "عنوان معدّل لم يُنشر" || len(staged.Tags) != 1 {
		t.Fatalf("staged article: %v %+v", err, staged)
	}
	edit.Version = live.Version // the form of someone who opened it before
	if err := s.StageUpdate(ctx, edit); !errors.Is(err, news.ErrConflict) {
		t.Errorf("stale staging: %v", err)
	}
	published, err := s.Transition(ctx, live.ID, got.Version, news.Change{Action: news.ActionPublishUpdate})
	if err != nil {
		t.Fatal(err)
	}
	got, _ = s.GetArticle(ctx, live.ID)
	if got.Headline != "عنوان معدّل لم يُنشر" || got.HasStaged || published.HasStaged || len(got.Tags) != 1 || got.Tags[0].ID == 0 {
		t.Errorf("after publishing the update: %q staged=%v tags %+v", got.Headline, got.HasStaged, got.Tags)
	}
	evs, _ := s.EventsAfter(ctx, before, 10)
	if len(evs) != 1 || evs[0].Kind != news.EventArticleUpdated || !evs[0].Listing {
		t.Errorf("publishing the update wrote %+v", evs)
	}

	// Discarding keeps the live version.
	edit = got
	edit.Lead = "مقدمة لن تُنشر"
	if err := s.StageUpdate(ctx, edit); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Transition(ctx, live.ID, edit.Version, news.Change{Action: news.ActionDiscardUpdate}); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.StagedArticle(ctx, live.ID); got.Lead == "مقدمة لن تُنشر" || got.HasStaged {
		t.Errorf("discarded update still there: %q", got.Lead)
	}

	// Only a published article stages, and only with what exists.
	draft := inState(t, s, f, news.StatusDraft)
	if err := s.StageUpdate(ctx, draft); !errors.Is(err, news.ErrTransition) {
		t.Errorf("staging a draft: %v", err)
	}
	bad, _ := s.GetArticle(ctx, live.ID)
	bad.FeaturedID = 987654
	if err := s.StageUpdate(ctx, bad); !news.IsInvalid(err) {
		t.Errorf("staging an unknown image: %v", err)
	}
	bad.FeaturedID, bad.Headline = 0, ""
	if err := s.StageUpdate(ctx, bad); !news.IsInvalid(err) {
		t.Errorf("staging without a headline: %v", err)
	}
}

// testPlannedChanges: the jobs' view of the plans, and carrying them out
// once, as the system, only while they are still the plan.
func testPlannedChanges(t *testing.T, s *store.Store, f Fixture) {
	ctx := context.Background()
	a := inState(t, s, f, news.StatusScheduled)
	if other := inState(t, s, f, news.StatusDraft); other.ID == 0 {
		t.Fatal("no draft")
	}
	old := a.PublishAt
	at := time.Now().Add(2 * time.Hour).UTC().Truncate(time.Microsecond)
	a, err := s.Transition(ctx, a.ID, a.Version, news.Change{Action: news.ActionSchedule, At: at})
	if err != nil {
		t.Fatal(err)
	}
	end := at.Add(time.Hour)
	if a, err = s.Transition(ctx, a.ID, a.Version, news.Change{Action: news.ActionExpire, At: end}); err != nil {
		t.Fatal(err)
	}
	plans, err := s.PlannedChanges(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	want := []store.Planned{{ArticleID: a.ID, Action: news.ActionPublish, At: at}, {ArticleID: a.ID, Action: news.ActionUnpublish, At: end}}
	same := func(a, b store.Planned) bool {
		return a.ArticleID == b.ArticleID && a.Action == b.Action && a.At.Equal(b.At)
	}
	if len(plans) != 2 || !same(plans[0], want[0]) || !same(plans[1], want[1]) {
		t.Fatalf("planned %+v, want %+v", plans, want)
	}
	if one, _ := s.PlannedChanges(ctx, a.ID); len(one) != 2 {
		t.Errorf("plans of one article: %+v", one)
	}

	// A job for the old time, or for a withdrawal before publication,
	// does nothing.
	for _, p := range []store.Planned{{ArticleID: a.ID, Action: news.ActionPublish, At: old}, {ArticleID: a.ID, Action: news.ActionUnpublish, At: end}, {ArticleID: 987654, Action: news.ActionPublish, At: at}} {
		if done, err := s.RunPlanned(ctx, p); done || err != nil {
			t.Errorf("stale %+v: done=%v err=%v", p, done, err)
		}
	}
	if got, _ := s.GetArticle(ctx, a.ID); got.Status != news.StatusScheduled || got.Version != a.Version {
		t.Error("a stale plan changed the article")
	}
	before, _ := s.LastEventID(ctx)
	if done, err := s.RunPlanned(ctx, want[0]); !done || err != nil {
		t.Fatalf("due publication: done=%v err=%v", done, err)
	}
	if done, err := s.RunPlanned(ctx, want[0]); done || err != nil {
		t.Errorf("second run of the same plan: done=%v err=%v", done, err)
	}
	got, _ := s.GetArticle(ctx, a.ID)
	if got.Status != news.StatusPublished || !got.PublishAt.IsZero() || got.PublishedAt.IsZero() {
		t.Errorf("after the planned publication: %s %v", got.Status, got.PublishAt)
	}
	evs, _ := s.EventsAfter(ctx, before, 10)
	if len(evs) != 1 || evs[0].Kind != news.EventArticlePublished {
		t.Errorf("planned publication wrote %+v", evs)
	}
	log, _ := s.AuditLog(ctx, 1, 0)
	if len(log) != 1 || log[0].Action != "article.publish" || log[0].UserID != 0 || log[0].Name != "" {
		t.Errorf("audit of the planned publication: %+v (want the system)", log)
	}
	if plans, _ := s.PlannedChanges(ctx, 0); len(plans) != 1 || plans[0].Action != news.ActionUnpublish {
		t.Errorf("after publication the withdrawal stays planned: %+v", plans)
	}
	if done, err := s.RunPlanned(ctx, want[1]); !done || err != nil {
		t.Fatalf("due withdrawal: done=%v err=%v", done, err)
	}
	if got, _ := s.GetArticle(ctx, a.ID); got.Status != news.StatusUnpublished || !got.UnpublishAt.IsZero() {
		t.Errorf("after the planned withdrawal: %s %v", got.Status, got.UnpublishAt)
	}
	if plans, _ := s.PlannedChanges(ctx, 0); len(plans) != 0 {
		t.Errorf("plans left: %+v", plans)
	}
}

// testWorkflowLists: the dashboard's lists.
func testWorkflowLists(t *testing.T, s *store.Store, f Fixture) {
	ctx := context.Background()
	writer := auth.User{Email: "writer@example.com", Name: "كاتبة", Role: auth.RoleWriter, PasswordHash: "x"}
	if err := s.CreateUser(ctx, &writer); err != nil {
		t.Fatal(err)
	}
	u := writer.ID
	mine := f.Article("مسودتي")
	mine.CreatedBy = u
	if err := s.CreateArticle(ctx, mine); err != nil {
		t.Fatal(err)
	}
	late := inState(t, s, f, news.StatusScheduled)
	soon := inState(t, s, f, news.StatusScheduled)
	soon, err := s.Transition(ctx, soon.ID, soon.Version, news.Change{Action: news.ActionSchedule, At: time.Now().Add(time.Minute)})
	if err != nil {
		t.Fatal(err)
	}
	ids := func(list []news.Article, err error) []int64 {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		var out []int64
		for _, a := range list {
			out = append(out, a.ID)
		}
		return out
	}
	if got := ids(s.ListArticles(ctx, store.AdminFilter{CreatedBy: u})); !slices.Equal(got, []int64{mine.ID}) {
		t.Errorf("my drafts: %v", got)
	}
	planned := store.AdminFilter{PublishFrom: time.Now().Add(-time.Hour), PublishTo: time.Now().Add(365 * 24 * time.Hour)}
	if got := ids(s.ListArticles(ctx, planned)); !slices.Equal(got, []int64{soon.ID, late.ID}) {
		t.Errorf("planned, soonest first: %v, want %v", got, []int64{soon.ID, late.ID})
	}
	if got := ids(s.ListArticles(ctx, store.AdminFilter{Order: store.ByEdited, Limit: 1})); !slices.Equal(got, []int64{soon.ID}) {
		t.Errorf("last edited: %v", got)
	}
	if got, _ := s.GetArticle(ctx, mine.ID); got.CreatedBy != u {
		t.Errorf("created_by %d", got.CreatedBy)
	}
}

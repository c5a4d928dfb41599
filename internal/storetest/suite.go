package storetest

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"khabar/internal/auth"
	"khabar/internal/news"
	"khabar/internal/store"
)

// Fixture is a minimal newsroom: two sections and two authors.
type Fixture struct {
	Sections []news.Section
	Authors  []news.Author
}

// Seed creates the fixture in s.
func Seed(t testing.TB, s *store.Store) Fixture {
	t.Helper()
	ctx := context.Background()
	var f Fixture
	for i, name := range []string{"سياسة", "اقتصاد"} {
		sec := news.Section{Name: name, Slug: []string{"politics", "economy"}[i], Position: i}
		if err := s.CreateSection(ctx, &sec); err != nil {
			t.Fatal(err)
		}
		f.Sections = append(f.Sections, sec)
	}
	for _, name := range []string{"ليلى حداد", "سامر ناصر"} {
		a := news.Author{Name: name}
		if err := s.CreateAuthor(ctx, &a); err != nil {
			t.Fatal(err)
		}
		f.Authors = append(f.Authors, a)
	}
	return f
}

// Article returns a valid draft in the fixture's first section.
func (f Fixture) Article(headline string) *news.Article {
	return &news.Article{
		Headline:  headline,
		Lead:      "مقدمة الخبر",
		SectionID: f.Sections[0].ID,
		Authors:   []news.Author{f.Authors[0]},
		Body: []news.Block{
			{Type: news.BlockParagraph, Text: "فقرة <strong>أولى</strong> <script>alert(1)</script>"},
			{Type: news.BlockHeading, Text: "عنوان فرعي", Level: 2},
			{Type: news.BlockQuote, Text: "قول مأثور", Cite: "مسؤول"},
		},
	}
}

// Run is the conformance suite every backend must pass.
func Run(t *testing.T, open func(testing.TB) *store.Store) {
	tests := []struct {
		name string
		fn   func(t *testing.T, s *store.Store, f Fixture)
	}{
		{"MigrateTwice", testMigrateTwice},
		{"Wires", testWires},
		{"ArticleRoundTrip", testArticleRoundTrip},
		{"OptimisticVersion", testOptimisticVersion},
		{"EventsFollowPublishedState", testEvents},
		{"Listings", testListings},
		{"Related", testRelated},
		{"Ticker", testTicker},
		{"TickerOrder", testTickerOrder},
		{"TickerExpireAndUpdate", testTickerExpireAndUpdate},
		{"TickerFromArticle", testTickerFromArticle},
		{"Settings", testSettings},
		{"UsersAndSessions", testUsers},
		{"LastAdminRace", testLastAdminRace},
		{"TokensFollowAccess", testTokensFollowAccess},
		{"LastAdminStaysEnabled", testLastAdminStaysEnabled},
		{"Setup", testSetup},
		{"Cursors", testCursors},
		{"Readiness", testReadiness},
		{"NotFound", testNotFound},
		{"InvalidInput", testInvalid},
		{"ConcurrentTagCreation", testConcurrentTags},
		{"SearchIndex", testSearchIndex},
		{"ConcurrentIndexing", testConcurrentIndexing},
		{"ArticlesAfter", testArticlesAfter},
		{"MediaVariants", testMediaVariants},
		{"MediaLibrary", testMediaLibrary},
		{"ImageTextsBeforePublishing", testImageTextsBeforePublishing},
		{"Comments", testComments},
		{"CommentTokens", testCommentTokens},
		{"BulkModerationEvents", testBulkModerationEvents},
		{"CommentBansAndAudit", testCommentBans},
		{"Secrets", testSecrets},
		{"LiveBlog", testLiveBlog},
		{"Corrections", testCorrections},
		{"WorkflowTransitions", testWorkflowTransitions},
		{"WorkflowBadChanges", testWorkflowBadChanges},
		{"StagedUpdate", testStagedUpdate},
		{"PlannedChanges", testPlannedChanges},
		{"WorkflowLists", testWorkflowLists},
		{"DeskLists", testDeskLists},
		{"Revisions", testRevisions},
		{"Editing", testEditing},
		{"DeleteArticle", testDeleteArticle},
		{"AutosaveSnapshots", testAutosaveSnapshots},
		{"DraftKey", testDraftKey},
		{"PublishAlertTakenOnce", testPublishAlertTakenOnce},
		{"RateBuckets", testRateBuckets},
		{"IdempotencyKeys", testIdempotencyKeys},
		{"TagWrites", testTagWrites},
		{"SuggestTags", testSuggestTags},
		{"AnalyticsRollups", testAnalyticsRollups},
		{"MostRead", testMostRead},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel() // each on a store of its own
			s := open(t)
			tc.fn(t, s, Seed(t, s))
		})
	}
}

func testMigrateTwice(t *testing.T, s *store.Store, _ Fixture) {
	applied, err := s.Migrate(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(applied) != 0 {
		t.Fatalf("second migrate applied %v", applied)
	}
}

func testArticleRoundTrip(t *testing.T, s *store.Store, f Fixture) {
	ctx := context.Background()
	a := f.Article("  عنوان   الخبر  ")
	a.Kicker = "عاجل"
	a.Tags = []news.Tag{{Name: "الانتخابات"}, {Name: "البرلمان"}, {Name: "الانتخابات"}}
	a.Authors = append(a.Authors, f.Authors[1])
	a.Breaking = true
	if err := s.CreateArticle(ctx, a); err != nil {
		t.Fatal(err)
	}
	got, err := s.GetArticle(ctx, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Headline != "عنوان الخبر" || got.Slug != "عنوان-الخبر" {
		t.Errorf("headline %q slug %q", got.Headline, got.Slug)
	}
	if got.Status != news.StatusDraft || got.Version != 1 || !got.Breaking || got.Kicker != "عاجل" {
		t.Errorf("got %+v", got)
	}
	if got.Section == nil || got.Section.Slug != "politics" {
		t.Errorf("section %+v", got.Section)
	}
	if len(got.Tags) != 2 || got.Tags[0].Name != "الانتخابات" || got.Tags[1].Slug != "البرلمان" {
		t.Errorf("tags %+v", got.Tags)
	}
	if len(got.Authors) != 2 || got.Authors[0].ID != f.Authors[0].ID || got.Authors[1].ID != f.Authors[1].ID {
		t.Errorf("authors %+v", got.Authors)
	}
	if len(got.Body) != 3 || got.Body[0].Text != "فقرة <strong>أولى</strong>" {
		t.Errorf("body %+v", got.Body)
	}
	if got.CreatedAt.IsZero() || !got.PublishedAt.IsZero() {
		t.Errorf("times created %v published %v", got.CreatedAt, got.PublishedAt)
	}
	// Times come back as the same instant on both databases.
	if !got.CreatedAt.Equal(a.CreatedAt) || time.Since(got.CreatedAt).Abs() > time.Minute {
		t.Errorf("created %v, stored %v", got.CreatedAt, a.CreatedAt)
	}
}

func testOptimisticVersion(t *testing.T, s *store.Store, f Fixture) {
	ctx := context.Background()
	a := f.Article("خبر")
	if err := s.CreateArticle(ctx, a); err != nil {
		t.Fatal(err)
	}
	first, _ := s.GetArticle(ctx, a.ID)
	second, _ := s.GetArticle(ctx, a.ID)
	first.Headline = "نسخة أولى"
	if err := s.UpdateArticle(ctx, first); err != nil {
		t.Fatal(err)
	}
	if first.Version != 2 {
		t.Errorf("version after update %d", first.Version)
	}
	second.Headline = "نسخة ثانية"
	if err := s.UpdateArticle(ctx, second); !errors.Is(err, news.ErrConflict) {
		t.Fatalf("stale update: got %v, want ErrConflict", err)
	}
	got, _ := s.GetArticle(ctx, a.ID)
	if got.Headline != "نسخة أولى" {
		t.Errorf("stale update overwrote: %q", got.Headline)
	}
	if _, err := s.SetStatus(ctx, a.ID, 1, news.StatusPublished); !errors.Is(err, news.ErrConflict) {
		t.Errorf("SetStatus with stale version: %v", err)
	}
}

func testEvents(t *testing.T, s *store.Store, f Fixture) {
	ctx := context.Background()
	start, err := s.LastEventID(ctx)
	if err != nil {
		t.Fatal(err)
	}
	a := f.Article("خبر للنشر")
	a.Tags = []news.Tag{{Name: "وسم"}}
	if err := s.CreateArticle(ctx, a); err != nil { // draft: no event
		t.Fatal(err)
	}
	if _, err := s.SetStatus(ctx, a.ID, a.Version, news.StatusPublished); err != nil {
		t.Fatal(err)
	}
	a, _ = s.GetArticle(ctx, a.ID)
	if a.PublishedAt.IsZero() {
		t.Error("published_at not set on publish")
	}
	a.Lead = "مقدمة جديدة"
	a.SectionID = f.Sections[1].ID
	if err := s.UpdateArticle(ctx, a); err != nil {
		t.Fatal(err)
	}
	a.Body = append(a.Body, news.Block{Type: news.BlockDivider})
	if err := s.UpdateArticle(ctx, a); err != nil {
		t.Fatal(err)
	}
	if _, err := s.SetStatus(ctx, a.ID, a.Version, news.StatusUnpublished); err != nil {
		t.Fatal(err)
	}
	evs, err := s.EventsAfter(ctx, start, 100)
	if err != nil {
		t.Fatal(err)
	}
	want := []struct {
		kind    news.EventKind
		listing bool
		secs    int
	}{
		{news.EventArticleSaved, false, 0},
		{news.EventArticlePublished, true, 1},
		{news.EventArticleUpdated, true, 2},
		{news.EventArticleUpdated, false, 1},
		{news.EventArticleUnpublished, true, 1},
	}
	if len(evs) != len(want) {
		t.Fatalf("got %d events %+v, want %d", len(evs), evs, len(want))
	}
	for i, w := range want {
		ev := evs[i]
		if ev.Kind != w.kind || ev.Listing != w.listing || len(ev.Sections) != w.secs || ev.ArticleID != a.ID {
			t.Errorf("event %d = %+v, want %+v", i, ev, w)
		}
		if i > 0 && ev.ID <= evs[i-1].ID {
			t.Errorf("events out of order: %d after %d", ev.ID, evs[i-1].ID)
		}
		if ev.Kind != news.EventArticleSaved && (len(ev.Tags) != 1 || len(ev.Authors) != 1) {
			t.Errorf("event %d tags %v authors %v", i, ev.Tags, ev.Authors)
		}
	}
	last, _ := s.LastEventID(ctx)
	if last != evs[len(evs)-1].ID {
		t.Errorf("LastEventID %d, want %d", last, evs[len(evs)-1].ID)
	}
}

func publish(t *testing.T, s *store.Store, a *news.Article, at time.Time) {
	t.Helper()
	a.Status = news.StatusPublished
	a.PublishedAt = at
	if err := s.CreateArticle(context.Background(), a); err != nil {
		t.Fatal(err)
	}
}

func testListings(t *testing.T, s *store.Store, f Fixture) {
	ctx := context.Background()
	base := time.Date(2026, 11, 1, 10, 0, 0, 0, time.UTC)
	var ids []int64
	for i := 0; i < 5; i++ {
		a := f.Article(fmt.Sprintf("خبر %d", i))
		if i%2 == 1 {
			a.SectionID = f.Sections[1].ID
			a.Tags = []news.Tag{{Name: "اقتصاد عالمي"}}
			a.Authors = []news.Author{f.Authors[1]}
		}
		publish(t, s, a, base.Add(time.Duration(i)*time.Hour))
		ids = append(ids, a.ID)
	}
	draft := f.Article("مسودة")
	if err := s.CreateArticle(ctx, draft); err != nil {
		t.Fatal(err)
	}
	all, err := s.ListPublished(ctx, store.ListFilter{Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 5 || all[0].ID != ids[4] || all[4].ID != ids[0] {
		t.Fatalf("newest first: got %v", articleIDs(all))
	}
	if all[0].Section == nil || all[0].PublishedAt.IsZero() {
		t.Errorf("card fields missing: %+v", all[0])
	}
	tag, err := s.TagBySlug(ctx, "اقتصاد-عالمي")
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		f    store.ListFilter
		want int
	}{
		{"section", store.ListFilter{SectionID: f.Sections[1].ID}, 2},
		{"tag", store.ListFilter{TagID: tag.ID}, 2},
		{"author", store.ListFilter{AuthorID: f.Authors[0].ID}, 3},
		{"exclude", store.ListFilter{Exclude: []int64{ids[0], ids[1]}}, 3},
		{"page", store.ListFilter{Limit: 2, Offset: 4}, 1},
	}
	for _, c := range cases {
		got, err := s.ListPublished(ctx, c.f)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != c.want {
			t.Errorf("%s: got %d", c.name, len(got))
		}
		c.f.Limit, c.f.Offset = 0, 0
		if n, err := s.CountPublished(ctx, c.f); err != nil || (c.name != "page" && n != c.want) {
			t.Errorf("%s: count %d %v", c.name, n, err)
		}
	}
	admin, err := s.ListArticles(ctx, store.AdminFilter{Status: news.StatusDraft})
	if err != nil || len(admin) != 1 {
		t.Errorf("drafts: %d %v", len(admin), err)
	}
	last, err := s.LastPublishedAt(ctx)
	if err != nil || !last.Equal(base.Add(4*time.Hour)) {
		t.Errorf("LastPublishedAt = %v %v", last, err)
	}
}

func articleIDs(as []news.Article) []int64 {
	out := make([]int64, len(as))
	for i, a := range as {
		out[i] = a.ID
	}
	return out
}

func testRelated(t *testing.T, s *store.Store, f Fixture) {
	ctx := context.Background()
	at := time.Date(2026, 11, 1, 10, 0, 0, 0, time.UTC)
	main := f.Article("الأصل")
	main.Tags = []news.Tag{{Name: "أ"}, {Name: "ب"}}
	publish(t, s, main, at)
	two := f.Article("يشارك وسمين")
	two.SectionID = f.Sections[1].ID
	two.Tags = []news.Tag{{Name: "أ"}, {Name: "ب"}}
	publish(t, s, two, at.Add(-time.Hour))
	one := f.Article("يشارك وسما")
	one.SectionID = f.Sections[1].ID
	one.Tags = []news.Tag{{Name: "ب"}}
	publish(t, s, one, at.Add(time.Hour))
	same := f.Article("من القسم نفسه")
	publish(t, s, same, at.Add(-2*time.Hour))
	unrelated := f.Article("لا علاقة")
	unrelated.SectionID = f.Sections[1].ID
	publish(t, s, unrelated, at)

	got, _ := s.GetArticle(ctx, main.ID)
	rel, err := s.Related(ctx, got, 3)
	if err != nil {
		t.Fatal(err)
	}
	want := []int64{two.ID, one.ID, same.ID}
	if fmt.Sprint(articleIDs(rel)) != fmt.Sprint(want) {
		t.Errorf("related = %v, want %v", articleIDs(rel), want)
	}
}

func testTicker(t *testing.T, s *store.Store, _ Fixture) {
	ctx := context.Background()
	now := time.Now()
	live := news.TickerItem{Text: "خبر عاجل", URL: "/news/1"}
	expired := news.TickerItem{Text: "قديم", ExpiresAt: now.Add(-time.Minute)}
	later := news.TickerItem{Text: "ينتهي لاحقا", ExpiresAt: now.Add(time.Hour)}
	for _, it := range []*news.TickerItem{&live, &expired, &later} {
		if err := s.CreateTicker(ctx, it); err != nil {
			t.Fatal(err)
		}
	}
	active, err := s.ListTicker(ctx, store.OnShow, now)
	if err != nil {
		t.Fatal(err)
	}
	if len(active) != 2 {
		t.Errorf("active ticker: %+v", active)
	}
	next, err := s.NextTickerExpiry(ctx, now)
	if err != nil || next.Sub(later.ExpiresAt).Abs() > time.Millisecond {
		t.Errorf("next expiry %v %v, want %v", next, err, later.ExpiresAt)
	}
	bad := news.TickerItem{Text: "x", URL: "javascript:alert(1)"}
	if err := s.CreateTicker(ctx, &bad); !news.IsInvalid(err) {
		t.Errorf("javascript: URL accepted: %v", err)
	}
	if err := s.DeleteTicker(ctx, live.ID); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteTicker(ctx, live.ID); !errors.Is(err, news.ErrNotFound) {
		t.Errorf("second delete: %v", err)
	}
}

func testSettings(t *testing.T, s *store.Store, _ Fixture) {
	ctx := context.Background()
	if err := s.SaveSettings(ctx, map[string]string{"site_name": "خبر", "month_style": "levant"}); err != nil {
		t.Fatal(err)
	}
	if err := s.SaveSettings(ctx, map[string]string{"site_name": "خبر اليوم"}); err != nil {
		t.Fatal(err)
	}
	got, err := s.Settings(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got["site_name"] != "خبر اليوم" || got["month_style"] != "levant" {
		t.Errorf("settings %v", got)
	}
}

func testUsers(t *testing.T, s *store.Store, _ Fixture) {
	ctx := context.Background()
	u := auth.User{Email: " Editor@Example.COM ", Name: "محررة", Role: auth.RoleEditor, PasswordHash: "x"}
	if err := s.CreateUser(ctx, &u); err != nil {
		t.Fatal(err)
	}
	dup := auth.User{Email: "editor@example.com", Name: "أخرى", Role: auth.RoleWriter, PasswordHash: "x"}
	if err := s.CreateUser(ctx, &dup); !errors.Is(err, news.ErrDuplicate) {
		t.Errorf("duplicate email: %v", err)
	}
	bad := auth.User{Email: "x@y.z", Name: "n", Role: "king", PasswordHash: "x"}
	if err := s.CreateUser(ctx, &bad); err == nil {
		t.Error("unknown role accepted")
	}
	got, err := s.UserByEmail(ctx, "EDITOR@example.com")
	if err != nil || got.ID != u.ID || got.Role != auth.RoleEditor {
		t.Fatalf("UserByEmail: %+v %v", got, err)
	}
	if err := s.CreateSession(ctx, "h1", u.ID, time.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if err := s.CreateSession(ctx, "h2", u.ID, time.Now().Add(-time.Hour)); err != nil {
		t.Fatal(err)
	}
	if su, err := s.SessionUser(ctx, "h1"); err != nil || su.ID != u.ID {
		t.Errorf("live session: %+v %v", su, err)
	}
	if _, err := s.SessionUser(ctx, "h2"); !errors.Is(err, news.ErrNotFound) {
		t.Errorf("expired session: %v", err)
	}
	if n, err := s.DeleteExpiredSessions(ctx); err != nil || n != 1 {
		t.Errorf("expired deleted %d %v", n, err)
	}
	if err := s.DeleteSession(ctx, "h1"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.SessionUser(ctx, "h1"); !errors.Is(err, news.ErrNotFound) {
		t.Errorf("after logout: %v", err)
	}
	if n, _ := s.CountUsers(ctx); n != 1 {
		t.Errorf("count users %d", n)
	}
}

func testCursors(t *testing.T, s *store.Store, _ Fixture) {
	ctx := context.Background()
	if _, ok, err := s.Cursor(ctx, "search"); err != nil || ok {
		t.Fatalf("new cursor: ok=%v err=%v", ok, err)
	}
	for _, id := range []int64{5, 9} {
		if err := s.SaveCursor(ctx, "search", id); err != nil {
			t.Fatal(err)
		}
	}
	if id, ok, err := s.Cursor(ctx, "search"); err != nil || !ok || id != 9 {
		t.Errorf("cursor = %d %v %v", id, ok, err)
	}
	// Claims only move forward: the first node to claim events gets
	// them, from where the position was; one behind it gets nothing.
	for _, c := range []struct {
		id, from int64
		ok       bool
	}{{4, 0, true}, {4, 4, false}, {3, 4, false}, {7, 4, true}, {6, 7, false}} {
		if from, ok, err := s.ClaimEvents(ctx, "claims", c.id); err != nil || ok != c.ok || from != c.from {
			t.Errorf("claim up to %d: from %d, %v %v; want from %d, %v", c.id, from, ok, err, c.from, c.ok)
		}
	}
	if id, ok, err := s.Cursor(ctx, "claims"); err != nil || !ok || id != 7 {
		t.Errorf("claims at %d %v %v, want 7", id, ok, err)
	}
	// Nodes claiming at once: every event is claimed exactly once.
	var mu sync.Mutex
	owner := map[int64]int{}
	var wg sync.WaitGroup
	for node := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for id := int64(8); id <= 60; id += int64(node + 1) {
				from, ok, err := s.ClaimEvents(ctx, "claims", id)
				if err != nil {
					t.Error(err)
					return
				}
				if !ok {
					continue
				}
				mu.Lock()
				for e := from + 1; e <= id; e++ {
					if prev, taken := owner[e]; taken {
						t.Errorf("event %d claimed by nodes %d and %d", e, prev, node)
					}
					owner[e] = node
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if len(owner) != 60-7 {
		t.Errorf("%d of the events 8 to 60 claimed, want all 53", len(owner))
	}
}

// testReadiness: what /readyz asks, on a migrated database: no migration
// pending, and how long the oldest event after a position has waited.
func testReadiness(t *testing.T, s *store.Store, _ Fixture) {
	ctx := context.Background()
	if pending, err := s.PendingMigrations(ctx); err != nil || len(pending) != 0 {
		t.Fatalf("pending after Migrate: %v %v", pending, err)
	}
	last, err := s.LastEventID(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok, err := s.EventWrittenAfter(ctx, last); err != nil || ok {
		t.Fatalf("after the newest event: ok=%v err=%v", ok, err)
	}
	before := time.Now()
	for _, text := range []string{"سطر أول", "سطر ثان"} {
		if err := s.CreateTicker(ctx, &news.TickerItem{Text: text}); err != nil {
			t.Fatal(err)
		}
	}
	evs, err := s.EventsAfter(ctx, last, 10)
	if err != nil || len(evs) != 2 {
		t.Fatalf("two ticker events: %v %v", evs, err)
	}
	for _, c := range []struct {
		after int64
		want  time.Time
	}{{last, evs[0].At}, {evs[0].ID, evs[1].At}} {
		at, ok, err := s.EventWrittenAfter(ctx, c.after)
		if err != nil || !ok || !at.Equal(c.want) || at.Before(before.Add(-time.Second)) {
			t.Errorf("event after %d: %v %v %v, want %v", c.after, at, ok, err, c.want)
		}
	}
}

func testNotFound(t *testing.T, s *store.Store, _ Fixture) {
	ctx := context.Background()
	if _, err := s.GetArticle(ctx, 1<<62); !errors.Is(err, news.ErrNotFound) {
		t.Errorf("huge id: %v", err)
	}
	if _, err := s.SectionBySlug(ctx, "لا-يوجد"); !errors.Is(err, news.ErrNotFound) {
		t.Errorf("section: %v", err)
	}
	if _, err := s.TagBySlug(ctx, "x' OR '1'='1"); !errors.Is(err, news.ErrNotFound) {
		t.Errorf("tag: %v", err)
	}
	if _, err := s.AuthorBySlug(ctx, ""); !errors.Is(err, news.ErrNotFound) {
		t.Errorf("author: %v", err)
	}
	up := &news.Article{ID: 999999, Headline: "x", SectionID: 1, Version: 1}
	if err := s.UpdateArticle(ctx, up); !errors.Is(err, news.ErrNotFound) {
		t.Errorf("update missing: %v", err)
	}
}

func testInvalid(t *testing.T, s *store.Store, f Fixture) {
	ctx := context.Background()
	cases := []struct {
		name string
		edit func(a *news.Article)
	}{
		{"no headline", func(a *news.Article) { a.Headline = " \n " }},
		{"unknown section", func(a *news.Article) { a.SectionID = 424242 }},
		{"unknown author", func(a *news.Article) { a.Authors = []news.Author{{ID: 424242}} }},
		{"bad block", func(a *news.Article) { a.Body = []news.Block{{Type: "marquee", Text: "x"}} }},
		{"bad embed", func(a *news.Article) { a.Body = []news.Block{{Type: news.BlockEmbed, URL: "javascript:alert(1)"}} }},
		{"bad status", func(a *news.Article) { a.Status = "gone" }},
	}
	for _, c := range cases {
		a := f.Article("صالح")
		c.edit(a)
		err := s.CreateArticle(ctx, a)
		if !news.IsInvalid(err) {
			t.Errorf("%s: got %v, want a validation error", c.name, err)
		}
	}
	if n, _ := s.CountPublished(ctx, store.ListFilter{}); n != 0 {
		t.Errorf("invalid articles were stored: %d", n)
	}
}

func testConcurrentTags(t *testing.T, s *store.Store, f Fixture) {
	var wg sync.WaitGroup
	errs := make(chan error, 4)
	for i := 0; i < 4; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			a := f.Article("متزامن")
			a.Tags = []news.Tag{{Name: "وسم مشترك"}}
			errs <- s.CreateArticle(context.Background(), a)
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
	tag, err := s.TagBySlug(context.Background(), "وسم-مشترك")
	if err != nil || tag.Name != "وسم مشترك" {
		t.Errorf("shared tag: %+v %v", tag, err)
	}
}

func testSearchIndex(t *testing.T, s *store.Store, f Fixture) {
	ctx := context.Background()
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	mk := func(headline string, sec int, at time.Time, st news.Status) int64 {
		a := f.Article(headline)
		a.SectionID, a.Status, a.PublishedAt = f.Sections[sec].ID, st, at
		if err := s.CreateArticle(ctx, a); err != nil {
			t.Fatal(err)
		}
		return a.ID
	}
	inHeadline := mk("واحد", 0, base, news.StatusPublished)
	inBody := mk("اثنان", 1, base.Add(time.Hour), news.StatusPublished)
	draft := mk("ثلاثه", 0, base.Add(2*time.Hour), news.StatusDraft)
	// Published says readers can see the article (readers' searches go
	// by it on SQLite).
	docs := []store.SearchDoc{
		{ArticleID: inHeadline, Headline: []string{"بنك", "مركزي"}, Body: []string{"فايده"}, Published: base},
		{ArticleID: inBody, Headline: []string{"اقتصاد"}, Body: []string{"قال", "بنك", "مركزي", "بنك"}, Meta: []string{"ليلي"}, Published: base.Add(time.Hour)},
		{ArticleID: draft, Headline: []string{"بنك"}, Body: []string{"مسوده"}},
	}
	if err := s.IndexArticles(ctx, docs); err != nil {
		t.Fatal(err)
	}
	if err := s.IndexArticles(ctx, docs[:1]); err != nil { // re-indexing replaces
		t.Fatal(err)
	}
	// An article twice in one batch: its last version is the one kept.
	if err := s.IndexArticles(ctx, []store.SearchDoc{{ArticleID: inBody, Headline: []string{"قديم"}}, docs[1]}); err != nil {
		t.Fatal(err)
	}
	// Each term's document count follows the replacements, and below the
	// removals (PostgreSQL keeps them in a table of its own).
	termCounts := func(when string, want map[string]int) {
		t.Helper()
		got, err := s.TermCounts(ctx, []string{"بنك", "مركزي", "فايده", "اقتصاد", "قال", "ليلي", "مسوده", "قديم"})
		if err != nil {
			t.Fatal(err)
		}
		if !maps.Equal(got, want) {
			t.Errorf("%s: term counts %v, want %v", when, got, want)
		}
	}
	termCounts("indexed", map[string]int{"بنك": 3, "مركزي": 2, "فايده": 1, "اقتصاد": 1, "قال": 1, "ليلي": 1, "مسوده": 1})
	pub := []news.Status{news.StatusPublished}
	ids := func(hits []store.SearchHit) []int64 {
		out := make([]int64, len(hits))
		for i, h := range hits {
			out[i] = h.ArticleID
		}
		return out
	}
	cases := []struct {
		name  string
		q     store.SearchQuery
		want  []int64
		total int
	}{
		{"headline outranks body", store.SearchQuery{Phrases: [][]string{{"بنك"}}, Statuses: pub}, []int64{inHeadline, inBody}, 2},
		{"any state", store.SearchQuery{Phrases: [][]string{{"بنك"}}}, nil, 3},
		{"phrase", store.SearchQuery{Phrases: [][]string{{"بنك", "مركزي"}}, Statuses: pub}, nil, 2},
		{"phrase order matters", store.SearchQuery{Phrases: [][]string{{"مركزي", "بنك"}}, Statuses: pub}, []int64{inBody}, 1},
		{"phrase does not cross fields", store.SearchQuery{Phrases: [][]string{{"اقتصاد", "قال"}}}, nil, 0},
		{"and", store.SearchQuery{Phrases: [][]string{{"بنك"}, {"فايده"}}}, []int64{inHeadline}, 1},
		// Four words and more: PostgreSQL finds the articles through the
		// GIN index first.
		{"and, four words", store.SearchQuery{Phrases: [][]string{{"اقتصاد"}, {"قال"}, {"بنك"}, {"ليلي"}}, Statuses: pub}, []int64{inBody}, 1},
		{"and, four words, one in no article", store.SearchQuery{Phrases: [][]string{{"اقتصاد"}, {"قال"}, {"بنك"}, {"غايب"}}}, nil, 0},
		{"and, four words and a phrase", store.SearchQuery{Phrases: [][]string{{"اقتصاد"}, {"قال"}, {"ليلي"}, {"مركزي", "بنك"}}}, []int64{inBody}, 1},
		{"and, four words and a phrase out of order", store.SearchQuery{Phrases: [][]string{{"اقتصاد"}, {"قال"}, {"ليلي"}, {"بنك", "قال"}}}, nil, 0},
		{"and, four words, one excluded", store.SearchQuery{Phrases: [][]string{{"اقتصاد"}, {"قال"}, {"بنك"}, {"ليلي"}}, Not: []string{"مركزي"}}, nil, 0},
		{"not", store.SearchQuery{Phrases: [][]string{{"بنك"}}, Not: []string{"فايده"}, Statuses: pub}, []int64{inBody}, 1},
		{"meta", store.SearchQuery{Phrases: [][]string{{"ليلي"}}}, []int64{inBody}, 1},
		{"section", store.SearchQuery{Phrases: [][]string{{"بنك"}}, SectionID: f.Sections[1].ID}, []int64{inBody}, 1},
		{"date range", store.SearchQuery{Phrases: [][]string{{"بنك"}}, From: base.Add(30 * time.Minute), To: base.Add(90 * time.Minute)}, []int64{inBody}, 1},
		{"by date", store.SearchQuery{Phrases: [][]string{{"بنك"}}, ByDate: true}, []int64{draft, inBody, inHeadline}, 3},
		{"page", store.SearchQuery{Phrases: [][]string{{"بنك"}}, Statuses: pub, Limit: 1, Offset: 1}, []int64{inBody}, 2},
		{"no match", store.SearchQuery{Phrases: [][]string{{"غايب"}}}, nil, 0},
	}
	for _, c := range cases {
		hits, total, err := s.Search(ctx, c.q)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if total != c.total || (c.want != nil && fmt.Sprint(ids(hits)) != fmt.Sprint(c.want)) {
			t.Errorf("%s: got %v (total %d), want %v (total %d)", c.name, ids(hits), total, c.want, c.total)
		}
	}
	// Words near each other: in one field, either order, at most near
	// terms between them.
	nearCases := []struct {
		pair       [2]string
		near       int
		head, body int // pairs found near in inHeadline and inBody
	}{
		{[2]string{"بنك", "مركزي"}, 0, 1, 1},
		{[2]string{"مركزي", "بنك"}, 0, 1, 1},
		{[2]string{"بنك", "فايده"}, 5, 0, 0}, // headline and body: never near
		{[2]string{"قال", "مركزي"}, 0, 0, 0},
		{[2]string{"قال", "مركزي"}, 1, 0, 1},
	}
	for _, c := range nearCases {
		got, err := s.NearPairs(ctx, []int64{inHeadline, inBody, draft}, [][2]string{c.pair}, c.near)
		if err != nil {
			t.Fatal(err)
		}
		if got[inHeadline] != c.head || got[inBody] != c.body {
			t.Errorf("near %v within %d: %v, want %d in the headline's article and %d in the body's", c.pair, c.near, got, c.head, c.body)
		}
	}
	if _, err := s.NearPairs(ctx, []int64{inBody}, [][2]string{{"بنك", `x" OR "y`}}, 1); err == nil {
		t.Error("an unsafe term in a pair is accepted")
	}
	for _, bad := range []string{`a"b`, "a'b", "a b", "", "x) OR (1=1"} {
		if _, _, err := s.Search(ctx, store.SearchQuery{Phrases: [][]string{{bad}}}); err == nil {
			t.Errorf("unsafe term %q accepted", bad)
		}
	}
	// Withdrawn, not yet reindexed by the search consumer: readers never
	// see it, whatever the index says of it.
	if a, err := s.GetArticle(ctx, inHeadline); err != nil {
		t.Fatal(err)
	} else if _, err := s.SetStatus(ctx, inHeadline, a.Version, news.StatusDraft); err != nil {
		t.Fatal(err)
	}
	for _, q := range []store.SearchQuery{{Phrases: [][]string{{"بنك"}}, Statuses: pub}, {Phrases: [][]string{{"بنك"}, {"قال"}}, Statuses: pub, Partial: true}} {
		if hits, _, err := s.Search(ctx, q); err != nil || slices.Contains(ids(hits), inHeadline) {
			t.Errorf("withdrawn article found by %+v: %v %v", q, ids(hits), err)
		}
	}
	if err := s.UnindexArticle(ctx, inHeadline); err != nil {
		t.Fatal(err)
	}
	if _, total, _ := s.Search(ctx, store.SearchQuery{Phrases: [][]string{{"فايده"}}}); total != 0 {
		t.Errorf("unindexed article still found")
	}
	termCounts("one unindexed", map[string]int{"بنك": 2, "مركزي": 1, "اقتصاد": 1, "قال": 1, "ليلي": 1, "مسوده": 1})
	// A deleted article is never found, even before the search consumer
	// unindexes it.
	gone := mk("اربعه", 0, time.Time{}, news.StatusDraft)
	if err := s.IndexArticles(ctx, []store.SearchDoc{{ArticleID: gone, Headline: []string{"زايل"}}}); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteArticle(ctx, gone, 1); err != nil {
		t.Fatal(err)
	}
	if _, total, _ := s.Search(ctx, store.SearchQuery{Phrases: [][]string{{"زايل"}}}); total != 0 {
		t.Errorf("deleted article still found")
	}
	if err := s.UnindexArticle(ctx, gone); err != nil {
		t.Fatal(err)
	}
	if err := s.ClearSearchIndex(ctx); err != nil {
		t.Fatal(err)
	}
	if _, total, _ := s.Search(ctx, store.SearchQuery{Phrases: [][]string{{"بنك"}}}); total != 0 {
		t.Errorf("cleared index still finds %d", total)
	}
	termCounts("cleared", map[string]int{})
}

func testArticlesAfter(t *testing.T, s *store.Store, f Fixture) {
	ctx := context.Background()
	var ids []int64
	for i, tags := range [][]news.Tag{{{Name: "أول"}, {Name: "ثان"}}, nil, {{Name: "ثالث"}}} {
		a := f.Article(fmt.Sprintf("خبر %d", i))
		a.Tags = tags
		a.Authors = f.Authors[:i%2+1]
		if err := s.CreateArticle(ctx, a); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, a.ID)
	}
	summary := func(list []*news.Article) string {
		var sb strings.Builder
		for _, a := range list {
			fmt.Fprintf(&sb, "%s:", a.Headline)
			for _, tg := range a.Tags {
				sb.WriteString(" #" + tg.Name)
			}
			for _, au := range a.Authors {
				sb.WriteString(" @" + au.Name)
			}
			sb.WriteString(";")
		}
		return sb.String()
	}
	first, err := s.ArticlesAfter(ctx, 0, 2)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := summary(first), "خبر 0: #أول #ثان @ليلى حداد;خبر 1: @ليلى حداد @سامر ناصر;"; got != want {
		t.Errorf("first batch: %s, want %s", got, want)
	}
	rest, err := s.ArticlesAfter(ctx, ids[1], 10)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := summary(rest), "خبر 2: #ثالث @ليلى حداد;"; got != want {
		t.Errorf("second batch: %s, want %s", got, want)
	}
	if none, err := s.ArticlesAfter(ctx, ids[2], 10); err != nil || len(none) != 0 {
		t.Errorf("past the last: %d articles, %v", len(none), err)
	}
}

func testMediaVariants(t *testing.T, s *store.Store, f Fixture) {
	ctx := context.Background()
	m := news.Media{Path: "x/1.jpg", MIME: "image/jpeg", Width: 1600, Height: 900,
		Variants: map[string]news.MediaVariant{"1x1": {Path: "x/1-1x1.jpg", Width: 900, Height: 900}}}
	if err := s.CreateMedia(ctx, &m); err != nil {
		t.Fatal(err)
	}
	got, err := s.GetMedia(ctx, m.ID)
	if err != nil || got.Variants["1x1"].Width != 900 {
		t.Fatalf("variants: %+v %v", got, err)
	}
	a := f.Article("بصورة")
	a.FeaturedID = m.ID
	if err := s.CreateArticle(ctx, a); err != nil {
		t.Fatal(err)
	}
	full, _ := s.GetArticle(ctx, a.ID)
	if full.Featured == nil || full.Featured.Variants["1x1"].Path != "x/1-1x1.jpg" {
		t.Errorf("featured variants: %+v", full.Featured)
	}
	plain := news.Media{Path: "x/2.jpg", MIME: "image/jpeg"}
	if err := s.CreateMedia(ctx, &plain); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.GetMedia(ctx, plain.ID); len(got.Variants) != 0 {
		t.Errorf("a plain image has variants: %v", got.Variants)
	}
}

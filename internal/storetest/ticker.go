package storetest

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"khabar/internal/news"
	"khabar/internal/store"
)

// tickerTexts are the texts of the ticker's lines which says, at at.
func tickerTexts(t *testing.T, s *store.Store, which store.TickerLines, at time.Time) []string {
	t.Helper()
	items, err := s.ListTicker(context.Background(), which, at)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, it := range items {
		out = append(out, it.Text)
	}
	return out
}

// tickerEvents counts the ticker's outbox events after event id after.
func tickerEvents(t *testing.T, s *store.Store, after int64) int {
	t.Helper()
	evs, err := s.EventsAfter(context.Background(), after, 1000)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, ev := range evs {
		if ev.Kind == news.EventTickerChanged {
			n++
		}
	}
	return n
}

func addTicker(t *testing.T, s *store.Store, texts ...string) []*news.TickerItem {
	t.Helper()
	var out []*news.TickerItem
	for _, text := range texts {
		it := &news.TickerItem{Text: text}
		if err := s.CreateTicker(context.Background(), it); err != nil {
			t.Fatal(err)
		}
		out = append(out, it)
	}
	return out
}

func lastEvent(t *testing.T, s *store.Store) int64 {
	t.Helper()
	id, err := s.LastEventID(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// testTickerOrder: new lines go on top; a move is one change and one
// event; moves stop at the ends and step over expired lines.
func testTickerOrder(t *testing.T, s *store.Store, _ Fixture) {
	ctx := context.Background()
	it := addTicker(t, s, "أ", "ب", "ج", "د")
	now := time.Now()
	if got := fmt.Sprint(tickerTexts(t, s, store.OnShow, now)); got != "[د ج ب أ]" {
		t.Fatalf("new lines not on top: %s", got)
	}
	// ج expires: moves among what readers see step over it.
	if err := s.ExpireTicker(ctx, it[2].ID, now.Add(-time.Second)); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		item   *news.TickerItem
		by     int
		active string
	}{
		{it[0], -1, "[د أ ب]"},  // أ above ب
		{it[0], -1, "[أ د ب]"},  // and above د, over the expired ج
		{it[0], -1, "[أ د ب]"},  // at the top already
		{it[3], 5, "[أ ب د]"},   // far down stops at the bottom
		{it[1], -10, "[ب أ د]"}, // far up stops at the top
	}
	for _, c := range cases {
		before := lastEvent(t, s)
		if err := s.MoveTicker(ctx, c.item.ID, c.by, now); err != nil {
			t.Fatalf("move %s by %d: %v", c.item.Text, c.by, err)
		}
		if got := fmt.Sprint(tickerTexts(t, s, store.OnShow, now)); got != c.active {
			t.Errorf("move %s by %d: %s, want %s", c.item.Text, c.by, got, c.active)
		}
		if n := tickerEvents(t, s, before); n != 1 {
			t.Errorf("move %s by %d wrote %d events, want 1", c.item.Text, c.by, n)
		}
	}
	if got := fmt.Sprint(tickerTexts(t, s, store.RanOut, now)); got != "[ج]" {
		t.Errorf("expired lines: %s", got)
	}
	before := lastEvent(t, s)
	if err := s.MoveTicker(ctx, it[2].ID, -1, now); !news.IsInvalid(err) {
		t.Errorf("moving an expired line: %v", err)
	}
	if err := s.MoveTicker(ctx, 424242, -1, now); !errors.Is(err, news.ErrNotFound) {
		t.Errorf("moving a missing line: %v", err)
	}
	if n := tickerEvents(t, s, before); n != 0 {
		t.Errorf("refused moves wrote %d events", n)
	}
	// A restored line comes back on top.
	if err := s.RestoreTicker(ctx, it[2].ID); err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprint(tickerTexts(t, s, store.OnShow, now)); got != "[ج ب أ د]" {
		t.Errorf("restored: %s", got)
	}
	if err := s.RestoreTicker(ctx, 424242); !errors.Is(err, news.ErrNotFound) {
		t.Errorf("restoring a missing line: %v", err)
	}
}

// testTickerExpireAndUpdate: expiry set, changed and cleared; edits
// validated and kept in place; each change one event.
func testTickerExpireAndUpdate(t *testing.T, s *store.Store, _ Fixture) {
	ctx := context.Background()
	it := addTicker(t, s, "سطر أول", "سطر ثان")
	now := time.Now()
	later := now.Add(time.Hour).Truncate(time.Second)
	edit := *it[0]
	edit.Text, edit.URL, edit.ExpiresAt = "  سطر   معدل ", "/news/7/x", later
	before := lastEvent(t, s)
	if err := s.UpdateTicker(ctx, &edit); err != nil {
		t.Fatal(err)
	}
	if n := tickerEvents(t, s, before); n != 1 {
		t.Errorf("update wrote %d events", n)
	}
	got, err := s.GetTicker(ctx, it[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Text != "سطر معدل" || got.URL != "/news/7/x" || !got.ExpiresAt.Equal(later) {
		t.Errorf("updated: %+v", got)
	}
	if order := fmt.Sprint(tickerTexts(t, s, store.OnShow, now)); order != "[سطر ثان سطر معدل]" {
		t.Errorf("an edit moved the line: %s", order)
	}
	if next, _ := s.NextTickerExpiry(ctx, now); !next.Equal(later) {
		t.Errorf("next expiry %v, want %v", next, later)
	}
	for name, bad := range map[string]news.TickerItem{
		"javascript: link":  {ID: it[0].ID, Text: "x", URL: "javascript:alert(1)"},
		"protocol-relative": {ID: it[0].ID, Text: "x", URL: "//evil.example/"},
		"too long":          {ID: it[0].ID, Text: strings.Repeat("ع", 10000)},
		"empty":             {ID: it[0].ID, Text: "  \t "},
	} {
		if err := s.UpdateTicker(ctx, &bad); !news.IsInvalid(err) {
			t.Errorf("%s accepted: %v", name, err)
		}
	}
	if got, _ := s.GetTicker(ctx, it[0].ID); got.Text != "سطر معدل" {
		t.Errorf("a refused edit changed the line: %q", got.Text)
	}
	if err := s.UpdateTicker(ctx, &news.TickerItem{ID: 424242, Text: "x"}); !errors.Is(err, news.ErrNotFound) {
		t.Errorf("updating a missing line: %v", err)
	}
	// Expire now: off the ticker at once, still listed for the editors.
	if err := s.ExpireTicker(ctx, it[0].ID, now); err != nil {
		t.Fatal(err)
	}
	if active := tickerTexts(t, s, store.OnShow, now); fmt.Sprint(active) != "[سطر ثان]" {
		t.Errorf("after expiring: %v", active)
	}
	if next, _ := s.NextTickerExpiry(ctx, now); !next.IsZero() {
		t.Errorf("an expired line still drives the next expiry: %v", next)
	}
	if err := s.ExpireTicker(ctx, 424242, now); !errors.Is(err, news.ErrNotFound) {
		t.Errorf("expiring a missing line: %v", err)
	}
	// Clearing the expiry restores it in place.
	edit.ExpiresAt = time.Time{}
	if err := s.UpdateTicker(ctx, &edit); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.GetTicker(ctx, it[0].ID); !got.ExpiresAt.IsZero() || !got.Active(now) {
		t.Errorf("expiry not cleared: %+v", got)
	}
	if _, err := s.GetTicker(ctx, 424242); !errors.Is(err, news.ErrNotFound) {
		t.Errorf("missing line: %v", err)
	}
}

// testTickerFromArticle: an article's line is made once; sending it again
// raises and restores that line with the new link.
func testTickerFromArticle(t *testing.T, s *store.Store, f Fixture) {
	ctx := context.Background()
	a := f.Article("خبر عاجل يُرسل إلى الشريط")
	if err := s.CreateArticle(ctx, a); err != nil {
		t.Fatal(err)
	}
	line := &news.TickerItem{Text: a.Headline, URL: "/news/1/old", ArticleID: a.ID}
	raised, err := s.SendToTicker(ctx, line)
	if err != nil || raised {
		t.Fatalf("first send: raised %v, %v", raised, err)
	}
	addTicker(t, s, "سطر آخر")
	now := time.Now()
	if err := s.ExpireTicker(ctx, line.ID, now.Add(-time.Second)); err != nil {
		t.Fatal(err)
	}
	again := &news.TickerItem{Text: "عنوان آخر", URL: "/news/1/new", ArticleID: a.ID}
	before := lastEvent(t, s)
	raised, err = s.SendToTicker(ctx, again)
	if err != nil || !raised || again.ID != line.ID {
		t.Fatalf("second send: raised %v, id %d (first %d), %v", raised, again.ID, line.ID, err)
	}
	if n := tickerEvents(t, s, before); n != 1 {
		t.Errorf("second send wrote %d events", n)
	}
	all, _ := s.ListTicker(ctx, store.OnShow, now)
	if len(all) != 2 || all[0].ID != line.ID || all[0].Text != a.Headline || all[0].URL != "/news/1/new" || !all[0].Active(now) || all[0].ArticleID != a.ID {
		t.Errorf("after the second send: %+v", all)
	}
	bad := &news.TickerItem{Text: "x", URL: "javascript:alert(1)", ArticleID: a.ID}
	if _, err := s.SendToTicker(ctx, bad); !news.IsInvalid(err) {
		t.Errorf("bad link sent: %v", err)
	}
}

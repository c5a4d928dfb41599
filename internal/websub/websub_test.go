package websub

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"khabar/internal/news"
	"khabar/internal/outbound"
	"khabar/internal/settings"
	"khabar/internal/store"
	"khabar/internal/storetest"
)

// hub is an in-process WebSub hub recording the publish notifications it
// accepts; it refuses its first failFirst requests (all of them when
// negative), and what a hub must refuse.
type hub struct {
	*httptest.Server
	failFirst int

	mu    sync.Mutex
	pings []url.Values
	calls int
}

func startHub(t *testing.T, failFirst int) *hub {
	h := &hub{failFirst: failFirst}
	h.Server = httptest.NewServer(http.HandlerFunc(h.serve))
	t.Cleanup(h.Close)
	return h
}

func (h *hub) serve(w http.ResponseWriter, r *http.Request) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.calls++
	if h.failFirst < 0 || h.calls <= h.failFirst {
		http.Error(w, "busy", http.StatusServiceUnavailable)
		return
	}
	if r.URL.Path != "/hub" || r.Method != http.MethodPost || r.Header.Get("Content-Type") != "application/x-www-form-urlencoded" || r.ParseForm() != nil {
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	h.pings = append(h.pings, r.PostForm)
	w.WriteHeader(http.StatusNoContent)
}

// got is what the hub accepted, and how often it was called.
func (h *hub) got() ([]url.Values, int) {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]url.Values(nil), h.pings...), h.calls
}

// fixture is a Pinger alone on a fresh store with two sections
// (politics, economy), its hubs set in the store's settings.
type fixture struct {
	storetest.Fixture
	store *store.Store
	live  *settings.Live
	p     *Pinger
	log   *bytes.Buffer // what the pinger logged
}

func newFixture(t *testing.T, s *store.Store, hubs ...*hub) *fixture {
	t.Helper()
	f := &fixture{Fixture: storetest.Seed(t, s), store: s, log: &bytes.Buffer{}}
	f.setHubs(t, hubs...)
	live, err := settings.Load(context.Background(), s)
	if err != nil {
		t.Fatal(err)
	}
	f.live = live
	f.p = &Pinger{Store: s, Settings: live, Base: "http://khabar.test", Guard: outbound.Guard{AllowPrivate: true},
		Log: slog.New(slog.NewTextHandler(f.log, nil)), Backoff: []time.Duration{time.Millisecond, time.Millisecond}}
	return f
}

// setHubs saves the hubs' URLs as the outlet's settings; the pinger sees
// them once its settings reload.
func (f *fixture) setHubs(t *testing.T, hubs ...*hub) {
	t.Helper()
	var urls []string
	for _, h := range hubs {
		urls = append(urls, h.URL+"/hub")
	}
	if err := f.store.SaveSettings(context.Background(), map[string]string{"websub_hubs": strings.Join(urls, " ")}); err != nil {
		t.Fatal(err)
	}
}

// events are the store's events since after, as the outbox would hand
// them over.
func (f *fixture) events(t *testing.T, after int64) []news.Event {
	t.Helper()
	evs, err := f.store.EventsAfter(context.Background(), after, 1000)
	if err != nil {
		t.Fatal(err)
	}
	return evs
}

func (f *fixture) lastEvent(t *testing.T) int64 {
	t.Helper()
	id, err := f.store.LastEventID(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// handle feeds the events to the pinger, in order, as the outbox does.
func (f *fixture) handle(t *testing.T, evs []news.Event) {
	t.Helper()
	for _, ev := range evs {
		if err := f.p.HandleEvent(context.Background(), ev); err != nil {
			t.Fatalf("event %d (%s): %v", ev.ID, ev.Kind, err)
		}
	}
}

// publish stores a published article in sec.
func (f *fixture) publish(t *testing.T, headline string, sec news.Section) *news.Article {
	t.Helper()
	a := f.Article(headline)
	a.SectionID, a.Status, a.PublishedAt = sec.ID, news.StatusPublished, time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	if err := f.store.CreateArticle(context.Background(), a); err != nil {
		t.Fatal(err)
	}
	return a
}

func TestPingsHubsOnPublish(t *testing.T) {
	storetest.Each(t, testPingsHubsOnPublish)
}

// testPingsHubsOnPublish: publishing pings every hub once, retrying one
// that fails at first, with the site's feeds and those of the article's
// section, and no other section's.
func testPingsHubsOnPublish(t *testing.T, s *store.Store) {
	flaky, steady := startHub(t, 1), startHub(t, 0)
	f := newFixture(t, s, flaky, steady)
	start := f.lastEvent(t)
	f.publish(t, "خبر يُبلَّغ به المحور", f.Sections[1])
	f.handle(t, f.events(t, start))
	for name, h := range map[string]*hub{"flaky": flaky, "steady": steady} {
		pings, calls := h.got()
		if len(pings) != 1 {
			t.Fatalf("%s hub: %d pings in %d calls, want 1", name, len(pings), calls)
		}
		p := pings[0]
		urls := p["hub.url"]
		if p.Get("hub.mode") != "publish" || len(urls) != 2*len(news.FeedFiles) {
			t.Errorf("%s hub: %v", name, p)
		}
		all := strings.Join(urls, " ")
		for _, want := range []string{"http://khabar.test/feeds/rss.xml", "http://khabar.test/feeds/atom.xml", "http://khabar.test/feeds/feed.json",
			"http://khabar.test/feeds/section/economy/atom.xml", "http://khabar.test/feeds/section/economy/rss.xml"} {
			if !strings.Contains(all, want) {
				t.Errorf("%s hub: %s not named in %v", name, want, urls)
			}
		}
		if strings.Contains(all, "politics") {
			t.Errorf("%s hub: another section's feeds named: %v", name, urls)
		}
	}
	if _, calls := flaky.got(); calls != 2 {
		t.Errorf("the flaky hub was called %d times, want 2 (one refusal, one retry)", calls)
	}
}

func TestPingsParentSectionFeeds(t *testing.T) { storetest.Each(t, testPingsParentSectionFeeds) }

// testPingsParentSectionFeeds: an article of a subsection changes its
// parent's feeds too, which carry it, and the hub hears of both.
func testPingsParentSectionFeeds(t *testing.T, s *store.Store) {
	h := startHub(t, 0)
	f := newFixture(t, s, h)
	sub := news.Section{Name: "أسواق", Slug: "markets", ParentID: f.Sections[1].ID}
	if err := s.CreateSection(context.Background(), &sub); err != nil {
		t.Fatal(err)
	}
	start := f.lastEvent(t)
	f.publish(t, "الأسهم ترتفع", sub)
	f.handle(t, f.events(t, start))
	pings, _ := h.got()
	if len(pings) != 1 {
		t.Fatalf("%d pings, want 1", len(pings))
	}
	all := strings.Join(pings[0]["hub.url"], " ")
	for _, want := range []string{"http://khabar.test/feeds/section/markets/rss.xml", "http://khabar.test/feeds/section/economy/rss.xml"} {
		if !strings.Contains(all, want) {
			t.Errorf("%s not named in %s", want, all)
		}
	}
	if strings.Contains(all, "politics") {
		t.Errorf("another section's feeds named: %s", all)
	}
}

func TestPingsOnlyForPublicChanges(t *testing.T) {
	storetest.Each(t, testPingsOnlyForPublicChanges)
}

// testPingsOnlyForPublicChanges: what changes feeds (a publication, an
// edit of a published article, its move to another section, a correction
// to it, its withdrawal) pings; drafts, the ticker and settings do not; and with no
// hub set, nothing is sent.
func testPingsOnlyForPublicChanges(t *testing.T, s *store.Store) {
	ctx := context.Background()
	h := startHub(t, 0)
	f := newFixture(t, s) // no hubs yet
	start := f.lastEvent(t)
	a := f.publish(t, "خبر", f.Sections[0])
	f.handle(t, f.events(t, start))
	if _, calls := h.got(); calls != 0 {
		t.Fatalf("pinged with no hub set: %d calls", calls)
	}
	// Hubs set now, seen once the settings reload (as the outbox's
	// settings consumer does on every node).
	start = f.lastEvent(t)
	f.setHubs(t, h)
	if err := f.live.Reload(ctx); err != nil {
		t.Fatal(err)
	}
	draft := f.Article("مسودة")
	if err := s.CreateArticle(ctx, draft); err != nil {
		t.Fatal(err)
	}
	if err := s.CreateTicker(ctx, &news.TickerItem{Text: "عاجل"}); err != nil {
		t.Fatal(err)
	}
	f.handle(t, f.events(t, start))
	if _, calls := h.got(); calls != 0 {
		t.Fatalf("settings, a draft and the ticker pinged the hub: %d calls", calls)
	}
	// Edited, moved to the other section, corrected, withdrawn: four
	// pings.
	start = f.lastEvent(t)
	a, err := s.GetArticle(ctx, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	a.Lead = "مقدمة مصححة"
	if err := s.UpdateArticle(ctx, a); err != nil {
		t.Fatal(err)
	}
	if a, err = s.GetArticle(ctx, a.ID); err != nil {
		t.Fatal(err)
	}
	a.SectionID = f.Sections[1].ID
	if err := s.UpdateArticle(ctx, a); err != nil {
		t.Fatal(err)
	}
	if err := s.AddCorrection(ctx, &news.Correction{ArticleID: a.ID, Kind: news.Erratum, Text: "تصحيح"}); err != nil {
		t.Fatal(err)
	}
	if a, err = s.GetArticle(ctx, a.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.SetStatus(ctx, a.ID, a.Version, news.StatusUnpublished); err != nil {
		t.Fatal(err)
	}
	f.handle(t, f.events(t, start))
	pings, calls := h.got()
	if len(pings) != 4 || calls != 4 {
		t.Fatalf("%d pings in %d calls, want 4", len(pings), calls)
	}
	if corrected := strings.Join(pings[2]["hub.url"], " "); !strings.Contains(corrected, "/feeds/section/economy/") {
		t.Errorf("the correction's ping: %s", corrected)
	}
	// The move names both sections' feeds: the article left one and
	// joined the other.
	moved := strings.Join(pings[1]["hub.url"], " ")
	if !strings.Contains(moved, "/feeds/section/politics/") || !strings.Contains(moved, "/feeds/section/economy/") {
		t.Errorf("the move's ping: %s", moved)
	}
}

func TestPrivateHubRefused(t *testing.T) {
	storetest.Each(t, testPrivateHubRefused)
}

// testPrivateHubRefused: an admin can name a hub on this machine (the
// test's hubs are all on loopback); the pinger posts to it only when its
// guard allows private addresses, which only tests ask for. Refused, it
// is logged once, not retried.
func testPrivateHubRefused(t *testing.T, s *store.Store) {
	local := startHub(t, 0)
	f := newFixture(t, s, local)
	f.p.Guard = outbound.Guard{}
	start := f.lastEvent(t)
	f.publish(t, "خبر", f.Sections[0])
	f.handle(t, f.events(t, start))
	if _, calls := local.got(); calls != 0 {
		t.Errorf("the loopback hub was called %d times", calls)
	}
	if logged := f.log.String(); strings.Count(logged, "websub ping failed") != 1 || !strings.Contains(logged, "not public") {
		t.Errorf("the refusal is not logged once: %s", logged)
	}
}

func TestDeadHub(t *testing.T) {
	storetest.Each(t, testDeadHub)
}

// testDeadHub: a hub that keeps failing is tried as many times as the
// backoff says, logged and given up on; the other hubs still get the
// ping and the event is done. A node shutting down does not wait out the
// backoff.
func testDeadHub(t *testing.T, s *store.Store) {
	dead, alive := startHub(t, -1), startHub(t, 0)
	f := newFixture(t, s, dead, alive)
	start := f.lastEvent(t)
	f.publish(t, "خبر", f.Sections[0])
	evs := f.events(t, start)
	f.handle(t, evs)
	if _, calls := dead.got(); calls != 1+len(f.p.Backoff) {
		t.Errorf("the dead hub was called %d times, want %d", calls, 1+len(f.p.Backoff))
	}
	if pings, _ := alive.got(); len(pings) != 1 {
		t.Errorf("the live hub got %d pings behind the dead one", len(pings))
	}
	if !strings.Contains(f.log.String(), "websub ping failed") || !strings.Contains(f.log.String(), dead.URL) {
		t.Errorf("the dead hub is not logged: %s", f.log.String())
	}
	// Shutting down in the middle of an hour's backoff.
	f.p.Backoff = []time.Duration{time.Hour}
	f.p.Log = slog.New(slog.NewTextHandler(io.Discard, nil))
	_, before := dead.got()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- f.p.HandleEvent(ctx, evs[len(evs)-1]) }()
	deadline := time.Now().Add(10 * time.Second)
	for {
		if _, calls := dead.got(); calls > before {
			break // the first attempt failed; the pinger waits
		}
		if time.Now().After(deadline) {
			cancel()
			t.Fatal("the pinger never tried the dead hub again")
		}
		time.Sleep(5 * time.Millisecond)
	}
	cancel()
	select {
	case err := <-done:
		// Not handled: the outbox keeps the event for the next start.
		if !errors.Is(err, context.Canceled) {
			t.Errorf("an event cut short by shutdown counts as handled: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the pinger waited out its backoff after its context ended")
	}
}

package api

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"testing"
	"time"

	"khabar/internal/alert"
	"khabar/internal/auth"
	"khabar/internal/comment"
	"khabar/internal/locale"
	"khabar/internal/media"
	"khabar/internal/news"
	"khabar/internal/outbound"
	"khabar/internal/search"
	"khabar/internal/settings"
	"khabar/internal/store"
	"khabar/internal/storetest"
)

// fixture is the API alone on a fresh store, with two sections and two
// bylines (storetest.Seed): search over the store, bearer tokens, comments
// at test speed, a picture library on a temporary folder, and alerts
// through a fan-out with Web Push and Telegram configured. Nothing delivers the alerts (that is the job queue's work,
// tested end to end in internal/app), and no outbox runs: tests index what
// they search for themselves.
type fixture struct {
	storetest.Fixture
	store    *store.Store
	search   *search.Service
	comments *comment.Service
	media    *media.Library
	pushKey  string // the VAPID public key the API hands out
	api      *API
	h        http.Handler
}

// publicResolver stands in for DNS: every name is a public address, so
// push endpoints are checked as in production without the network.
func publicResolver(context.Context, string) ([]netip.Addr, error) {
	return []netip.Addr{netip.MustParseAddr("93.184.215.14")}, nil
}

// newFixture builds the API; tweak, when given, changes its options
// (a search budget, say) before it is made.
func newFixture(t *testing.T, s *store.Store, tweak ...func(*Options)) *fixture {
	t.Helper()
	ctx := context.Background()
	current, err := settings.Load(ctx, s)
	if err != nil {
		t.Fatal(err)
	}
	comments, err := comment.New(ctx, s, current)
	if err != nil {
		t.Fatal(err)
	}
	// No wait after the form token and no per-address limits: every
	// request of the tests comes from one address.
	comments.MinFill, comments.ByIP, comments.ByArticle = 0, nil, nil
	keys, err := alert.GenerateVAPIDKeys()
	if err != nil {
		t.Fatal(err)
	}
	push, err := alert.NewWebPush(alert.WebPushConfig{Keys: keys, Subject: "https://khabar.test"})
	if err != nil {
		t.Fatal(err)
	}
	telegram, err := alert.NewTelegram(alert.TelegramConfig{Token: "123456789:AAE_test-token-for-the-fake-bot-api", BaseURL: "https://telegram.invalid"})
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	fanout := &alert.Fanout{Store: s, Push: push, Telegram: telegram, TelegramChat: "@khabar_test", Lang: func() string { return "ar" }, Log: log,
		ArticleURL: func(a *news.Article) string { return "http://khabar.test" + news.ArticlePath(a) }}
	sr := search.New(s)
	files, err := media.OpenDisk(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { files.Close() })
	o := Options{Media: media.NewLibrary(s, files, log), Search: sr, Store: s, Settings: current, Auth: auth.NewService(s, log), Comments: comments, Catalog: locale.For("ar"),
		Base: "http://khabar.test", Log: log, Fanout: fanout, PushPublicKey: keys.PublicKey(),
		Guard: outbound.Guard{LookupIP: publicResolver}}
	for _, tw := range tweak {
		tw(&o)
	}
	mux := http.NewServeMux()
	a := New(o)
	a.Routes(mux)
	return &fixture{Fixture: storetest.Seed(t, s), store: s, search: sr, comments: comments, media: o.Media, pushKey: keys.PublicKey(), api: a, h: mux}
}

// publishedAt is when the fixture's published articles came out: a fixed
// instant, so that no test depends on the day it runs.
var publishedAt = time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)

// article stores an article of the first section in state st, its one
// paragraph text.
func (f *fixture) article(t *testing.T, st news.Status, headline, text string) *news.Article {
	t.Helper()
	a := f.Fixture.Article(headline)
	a.Body = []news.Block{{Type: news.BlockParagraph, Text: text}}
	a.Status = st
	if st == news.StatusPublished {
		a.PublishedAt = publishedAt
	}
	if err := f.store.CreateArticle(context.Background(), a); err != nil {
		t.Fatal(err)
	}
	return a
}

// reindex builds the search index from the articles stored so far, as
// the outbox's search consumer would have.
func (f *fixture) reindex(t *testing.T) {
	t.Helper()
	if err := f.search.Reindex(context.Background(), nil); err != nil {
		t.Fatal(err)
	}
}

// client is a caller with no cookies and no token.
func (f *fixture) client(t *testing.T) *storetest.Client { return storetest.NewClient(t, f.h) }

// bearer is a caller holding an API token of a new account of role.
func (f *fixture) bearer(t *testing.T, role auth.Role) (*auth.User, http.Header) {
	t.Helper()
	u, _ := storetest.Staff(t, f.store, role)
	return u, http.Header{"Authorization": {"Bearer " + storetest.APIToken(t, f.store, u)}}
}

// postJSON sends body as JSON, with hdr, and decodes the JSON answer; an
// answer that is not JSON fails the test.
func (f *fixture) postJSON(t *testing.T, method, path, body string, hdr http.Header) (storetest.Response, map[string]any) {
	t.Helper()
	h := http.Header{"Content-Type": {"application/json"}}
	for k, v := range hdr {
		h[k] = v
	}
	r := f.client(t).Do(method, path, strings.NewReader(body), h)
	return r, decodeJSON(t, path, r)
}

// decodeJSON reads a JSON object answer.
func decodeJSON(t *testing.T, path string, r storetest.Response) map[string]any {
	t.Helper()
	var out map[string]any
	if !strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") || json.Unmarshal([]byte(r.Body), &out) != nil {
		t.Fatalf("%s answered %d with non-JSON %q (%s)", path, r.Status, r.Body, r.Header.Get("Content-Type"))
	}
	return out
}

// crossSite are the headers a browser sends from another site's page.
var crossSite = http.Header{"Origin": {"https://evil.example"}, "Sec-Fetch-Site": {"cross-site"}}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

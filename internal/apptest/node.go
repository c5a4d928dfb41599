// Package apptest starts Khabar nodes for end-to-end tests (internal/app's
// and the browser tests') and drives them over HTTP: accounts, articles
// in a given state, uploads, the alert channels' peers.
package apptest

import (
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"khabar/internal/app"
	"khabar/internal/auth"
	"khabar/internal/config"
	"khabar/internal/demo"
	"khabar/internal/jobs"
	"khabar/internal/news"
	"khabar/internal/s3test"
	"khabar/internal/search"
	"khabar/internal/store"
	"khabar/internal/storetest"
)

// Node is a running app on a real port, with a client that does not
// follow redirects (so tests see them).
type Node struct {
	*app.App
	Base    string
	Client  *http.Client
	DataDir string
	stop    func() error
}

// Stop stops the node as SIGTERM does (its context ends; it finishes
// what runs within its shutdown grace) and releases it, mid-test; the
// test's end does the same to a node still running.
func (n *Node) Stop(t *testing.T) {
	t.Helper()
	if err := n.stop(); err != nil {
		t.Errorf("stop the node on %s: %v", n.Base, err)
	}
}

// SearchBudget is the search budget the rate-limit tests storm: ten at
// once and no more within the hour, so a storm of a few dozen is refused
// in part however slowly the machine answers it, on each node a proxy
// spreads it over.
const SearchBudget = 10

// TightSearch is the StartNode tweak that sets SearchBudget.
func TightSearch(c *config.Config) { c.SearchBurst, c.SearchRefill = SearchBudget, time.Hour }

// StartNode starts a node on a fresh data directory with the demo, on
// SQLite (dbURL empty) or on the PostgreSQL database dbURL names.
func StartNode(t *testing.T, dbURL string, tweaks ...func(*config.Config)) *Node {
	t.Helper()
	cfg := config.Default()
	cfg.Addr = "127.0.0.1:0"
	cfg.DataDir = t.TempDir()
	cfg.DatabaseURL = dbURL
	cfg.Demo = true
	cfg.BaseURL = "http://khabar.test"
	// A node wakes its consumers on its own writes and, on PostgreSQL, on
	// other nodes'; the poll is the fallback, and every poll of every
	// consumer is a query SQLite parses.
	cfg.EventPoll = 250 * time.Millisecond
	for _, tw := range tweaks {
		tw(&cfg)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	if _, err := os.Stat(filepath.Join(cfg.DataDir, "khabar.db")); cfg.Demo && cfg.DatabaseURL == "" && cfg.MediaStore == "" && errors.Is(err, fs.ErrNotExist) {
		demoNode.CopyTo(t, cfg.DataDir)
	}
	if cfg.Demo {
		firstAccount(t, cfg, log)
	}
	ctx, cancel := context.WithCancel(context.Background())
	a, err := app.New(ctx, cfg, log)
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- a.Run(ctx) }()
	stop := sync.OnceValue(func() error {
		cancel()
		err := Stopped(done)
		if err != errStuck {
			a.Close()
		}
		return err
	})
	t.Cleanup(func() {
		if err := stop(); err != nil {
			t.Errorf("run: %v", err)
		}
	})
	jar, _ := cookiejar.New(nil)
	// A minute per request: a login's argon2id under -race, with other
	// tests' logins on the same two cores, has taken more than ten
	// seconds; what a test waits for is bounded by its own deadlines.
	return &Node{App: a, Base: "http://" + a.Addr(), DataDir: cfg.DataDir, stop: stop, Client: &http.Client{Jar: jar, Timeout: time.Minute,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

// demoNode is a SQLite node's data directory as its first start with the
// demo leaves it (the store's and River's tables, the first account, the
// demo, the search index). SQLite nodes start from a copy: under the race
// detector, SQLite parsing the SQL of the migrations and the demo was a
// third of these tests' time. A start on an empty directory is tested
// by the command-line tests.
var demoNode = storetest.Template{Make: func(dir string) error {
	ctx := context.Background()
	cfg := config.Default()
	cfg.DataDir = dir
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	s, err := app.OpenStore(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer s.Close()
	if err := createFirstAccount(ctx, s); err != nil {
		return err
	}
	files, err := app.OpenMedia(ctx, cfg)
	if err != nil {
		return err
	}
	defer files.Close()
	if _, err := demo.Load(ctx, s, files); err != nil {
		return err
	}
	if err := search.New(s).EnsureIndex(ctx); err != nil {
		return err
	}
	q, err := jobs.New(ctx, s, log)
	if err != nil {
		return err
	}
	q.Close()
	return s.Close()
}}

// firstAccount makes the newsroom's first account before the demo loads,
// so the demo does not make its admin: that admin's argon2id hash costs
// most of a second under the race detector, in every node of every test.
// Tests that sign in make their own accounts (Login).
func firstAccount(t *testing.T, cfg config.Config, log *slog.Logger) {
	t.Helper()
	ctx := context.Background()
	s, err := app.OpenStore(ctx, cfg, log)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if n, err := s.CountUsers(ctx); err != nil {
		t.Fatal(err)
	} else if n > 0 {
		return // a second node on the same database
	}
	if err := createFirstAccount(ctx, s); err != nil {
		t.Fatal(err)
	}
}

func createFirstAccount(ctx context.Context, s *store.Store) error {
	return s.CreateUser(ctx, &auth.User{Email: "first@khabar.test", Name: "أول حساب", Role: auth.RoleAdmin, PasswordHash: testPasswordHash()})
}

var errStuck = errors.New("the node did not stop within a minute of its context ending")

// Stopped waits for what a node's Run returns once its context has ended;
// a node still running a minute later (its shutdown grace is 10 s) gives
// errStuck, so that the test fails instead of hanging.
func Stopped(done <-chan error) error {
	select {
	case err := <-done:
		return err
	case <-time.After(time.Minute):
		return errStuck
	}
}

// Resp is an answer, its body read (and gunzipped).
type Resp struct {
	Status int
	Header http.Header
	Body   string
}

// Do sends a request with form as its body (nil: none) and headers hdr.
func (n *Node) Do(t *testing.T, method, path string, form url.Values, hdr map[string]string) Resp {
	t.Helper()
	r, err := n.Try(method, path, form, hdr)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// Try is Do for goroutines other than the test's, which must not call
// t.Fatal: the test would wait for them forever.
func (n *Node) Try(method, path string, form url.Values, hdr map[string]string) (Resp, error) {
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, n.Base+path, body)
	if err != nil {
		return Resp{}, err
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	req.Header.Set("Accept-Encoding", "identity")
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	res, err := n.Client.Do(req)
	if err != nil {
		return Resp{}, err
	}
	defer res.Body.Close()
	var r io.Reader = res.Body
	if res.Header.Get("Content-Encoding") == "gzip" {
		if r, err = gzip.NewReader(res.Body); err != nil {
			return Resp{}, fmt.Errorf("%s %s: %w", method, path, err)
		}
	}
	b, err := io.ReadAll(r)
	if err != nil {
		return Resp{}, fmt.Errorf("%s %s: %w", method, path, err)
	}
	return Resp{res.StatusCode, res.Header, string(b)}, nil
}

// Get is a GET of path.
func (n *Node) Get(t *testing.T, path string) Resp { return n.Do(t, "GET", path, nil, nil) }

// WaitEvents blocks until the page cache has seen every event so far.
func (n *Node) WaitEvents(t *testing.T) {
	t.Helper()
	id, err := n.Store.LastEventID(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	// A minute: 45 articles' events (search indexing among them) took more
	// than ten seconds under -race beside three other tests and a browser.
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := n.Outbox.WaitFor(ctx, id); err != nil {
		t.Fatalf("%v (the node's consumers did not reach event %d within a minute)", err, id)
	}
}

// Backends runs fn on a node on SQLite and on one on PostgreSQL, each
// started with tweaks.
func Backends(t *testing.T, fn func(t *testing.T, n *Node), tweaks ...func(*config.Config)) {
	t.Run("sqlite", func(t *testing.T) { fn(t, StartNode(t, "", tweaks...)) })
	t.Run("postgres", func(t *testing.T) { fn(t, StartNode(t, storetest.PostgresURL(t), tweaks...)) })
}

// FirstPublished is the newest published article.
func FirstPublished(t *testing.T, s *store.Store) *news.Article {
	t.Helper()
	list, err := s.ListPublished(context.Background(), store.ListFilter{Limit: 1})
	if err != nil || len(list) == 0 {
		t.Fatalf("no published article: %v", err)
	}
	a, err := s.GetArticle(context.Background(), list[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// Login signs n's client in with an account of role (made on first use)
// through a session of its own.
func Login(t *testing.T, n *Node, role auth.Role) {
	t.Helper()
	ctx := context.Background()
	email := string(role) + "@khabar.test"
	u, err := n.Store.UserByEmail(ctx, email)
	if errors.Is(err, news.ErrNotFound) {
		u = &auth.User{Email: email, Name: "مستخدم " + string(role), Role: role, PasswordHash: testPasswordHash()}
		err = n.Store.CreateUser(ctx, u)
	}
	if err != nil {
		t.Fatal(err)
	}
	// A session of its own, as the login form would open; the form
	// itself (and its argon2id) is tested in internal/newsroom.
	token, hash, err := auth.NewToken()
	if err == nil {
		err = n.Store.CreateSession(ctx, hash, u.ID, time.Now().Add(time.Hour))
	}
	if err != nil {
		t.Fatal(err)
	}
	base, _ := url.Parse(n.Base)
	n.Client.Jar.SetCookies(base, []*http.Cookie{{Name: "khabar_session", Value: token, Path: "/"}})
}

// testPasswordHash is the hash of "correct horse battery", the password
// of Login's accounts (the browser tests type it), made once: argon2id
// costs most of a second under the race detector.
var testPasswordHash = sync.OnceValue(func() string {
	h, err := auth.HashPassword("correct horse battery")
	if err != nil {
		panic(err)
	}
	return h
})

// MediaStore is the tweak that keeps a node's media in the bucket url
// (s3://bucket/prefix) of srv instead of its data directory.
func MediaStore(srv *s3test.Server, url string) func(*config.Config) {
	return func(c *config.Config) {
		o := srv.Options(url)
		c.MediaStore, c.MediaS3Endpoint, c.MediaS3PathStyle, c.S3AccessKey, c.S3SecretKey = o.URL, o.Endpoint, o.PathStyle, o.AccessKey, o.SecretKey
	}
}

// EachDatabase runs fn as parallel subtests "sqlite" (dbURL empty) and
// "postgres" (the test server's URL; skipped or failed as
// storetest.PostgresURL says when there is none).
func EachDatabase(t *testing.T, fn func(t *testing.T, dbURL string)) {
	t.Helper()
	for _, db := range []string{"sqlite", "postgres"} {
		t.Run(db, func(t *testing.T) {
			t.Parallel()
			dbURL := ""
			if db == "postgres" {
				dbURL = storetest.PostgresURL(t)
			}
			fn(t, dbURL)
		})
	}
}

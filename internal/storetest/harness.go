package storetest

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"khabar/internal/auth"
	"khabar/internal/news"
	"khabar/internal/store"
)

// Each runs fn on a fresh, migrated store of every backend, as subtests
// named after them; PostgreSQL's is skipped (or, under EnvRequire, fails)
// without a server. It is the harness of the surfaces' handler tests.
// The test and its subtests run in parallel with the package's others
// (-parallel of them at once): each has a store of its own, and much of
// their time is spent waiting on a database.
func Each(t *testing.T, fn func(t *testing.T, s *store.Store)) {
	t.Helper()
	t.Parallel()
	for _, b := range Backends {
		t.Run(b.Name, func(t *testing.T) {
			t.Parallel()
			fn(t, b.Open(t))
		})
	}
}

// Password is the password of every account Staff makes.
const Password = "كلمة-سر-الاختبار"

// passwordHash is Password's argon2id hash, made once: each hash costs
// 64 MiB and, under the race detector, most of a second.
var passwordHash = sync.OnceValue(func() string {
	h, err := auth.HashPassword(Password)
	if err != nil {
		panic(err)
	}
	return h
})

var staffSeq atomic.Int64

// Staff makes a newsroom account of role, with a byline of its own and a
// signed-in session: it returns the user and the session's token (the
// newsroom's cookie value). No login form is involved, so no test pays
// for argon2 unless it tests logging in.
func Staff(t testing.TB, s *store.Store, role auth.Role) (*auth.User, string) {
	t.Helper()
	ctx := context.Background()
	n := staffSeq.Add(1)
	u := &auth.User{Email: fmt.Sprintf("%s%d@khabar.test", role, n), Name: fmt.Sprintf("%s %d", role, n), Role: role, PasswordHash: passwordHash()}
	if err := s.CreateUser(ctx, u); err != nil {
		t.Fatalf("staff: %v", err)
	}
	if err := s.CreateAuthor(ctx, &news.Author{Name: u.Name, Slug: fmt.Sprintf("%s-%d", role, n), UserID: u.ID}); err != nil {
		t.Fatalf("staff's byline: %v", err)
	}
	token, hash, err := auth.NewToken()
	if err != nil {
		t.Fatal(err)
	}
	if err := s.CreateSession(ctx, hash, u.ID, time.Now().Add(time.Hour)); err != nil {
		t.Fatalf("staff's session: %v", err)
	}
	return u, token
}

// APIToken gives u an API token and returns it.
func APIToken(t testing.TB, s *store.Store, u *auth.User) string {
	t.Helper()
	token, hash, err := auth.NewToken()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.CreateAPIToken(context.Background(), u.ID, "test", hash); err != nil {
		t.Fatalf("API token: %v", err)
	}
	return token
}

// Client sends requests to a handler in-process, as one browser would: it
// keeps the cookies it is given and does not follow redirects, so tests
// see them.
type Client struct {
	t       testing.TB
	h       http.Handler
	cookies map[string]*http.Cookie
	// Header is sent with every request (Accept, Authorization, …).
	Header http.Header
	// RemoteAddr is the address requests come from.
	RemoteAddr string
}

// NewClient is a browser with no cookies yet.
func NewClient(t testing.TB, h http.Handler) *Client {
	return &Client{t: t, h: h, cookies: map[string]*http.Cookie{}, Header: http.Header{}, RemoteAddr: "192.0.2.1:1234"}
}

// SetCookie adds a cookie, as a login would.
func (c *Client) SetCookie(name, value string) {
	c.cookies[name] = &http.Cookie{Name: name, Value: value}
}

// Response is what a request got.
type Response struct {
	Status int
	Header http.Header
	Body   string
}

// Get requests path.
func (c *Client) Get(path string) Response { return c.Do("GET", path, nil, nil) }

// Post sends form to path.
func (c *Client) Post(path string, form url.Values) Response { return c.Form("POST", path, form) }

// Form sends a request with form as its body; a nil form sends none.
func (c *Client) Form(method, path string, form url.Values) Response {
	if form == nil {
		return c.Do(method, path, nil, nil)
	}
	return c.Do(method, path, strings.NewReader(form.Encode()), http.Header{"Content-Type": {"application/x-www-form-urlencoded"}})
}

// Do sends a request with body and extra headers.
func (c *Client) Do(method, path string, body io.Reader, header http.Header) Response {
	c.t.Helper()
	req := httptest.NewRequest(method, path, body)
	req.RemoteAddr = c.RemoteAddr
	for k, v := range c.Header {
		req.Header[k] = v
	}
	for k, v := range header {
		req.Header[k] = v
	}
	for _, ck := range c.cookies {
		req.AddCookie(ck)
	}
	w := httptest.NewRecorder()
	c.h.ServeHTTP(w, req)
	res := w.Result()
	for _, ck := range res.Cookies() {
		if ck.MaxAge < 0 {
			delete(c.cookies, ck.Name)
		} else {
			c.cookies[ck.Name] = ck
		}
	}
	return Response{Status: res.StatusCode, Header: res.Header, Body: w.Body.String()}
}

// Command crashbench is bench/crash.sh: it runs "khabar serve --demo" as
// its child, publishes articles through the newsroom's form and posts
// comments through the API while it kill -9s the server at random moments
// and starts it again on the same data, then checks that every write the
// server acknowledged is there exactly once, renders, is found by search,
// and that no outbox consumer's cursor is past an event that exists.
//
//	crashbench -khabar ./khabar [-db postgres://…] [-articles 1000] [-comments 10000]
//
// It exits 1 when anything acknowledged is lost or duplicated, or a check
// fails.
package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	mrand "math/rand/v2"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"khabar/internal/news"
	"khabar/internal/outbox"
	"khabar/internal/store"
)

type options struct {
	bin, dbURL, data  string
	articles, notes   int
	commenters, kills int
	fill              time.Duration
}

func main() {
	var o options
	flag.StringVar(&o.bin, "khabar", "./khabar", "the khabar binary to run")
	flag.StringVar(&o.dbURL, "db", "", "PostgreSQL URL of an empty database (default: SQLite in the data directory)")
	flag.StringVar(&o.data, "data", "", "the server's data directory (default: a new temporary one, removed afterwards)")
	flag.IntVar(&o.articles, "articles", 1000, "articles to publish")
	flag.IntVar(&o.notes, "comments", 10000, "comments to post")
	flag.IntVar(&o.commenters, "commenters", 200, "concurrent commenters")
	flag.IntVar(&o.kills, "kills", 20, "kill -9s while writing")
	flag.DurationVar(&o.fill, "fill", 3*time.Second, "wait between taking a comment token and posting (the server's minimum)")
	flag.Parse()
	if err := run(o); err != nil {
		fmt.Fprintln(os.Stderr, "crashbench:", err)
		os.Exit(1)
	}
}

func run(o options) (err error) {
	if o.articles < 1 || o.notes < 0 || o.commenters < 1 || o.kills < 1 || o.kills > (o.articles+o.notes)/2 {
		return errors.New("-articles, -commenters and -kills must be at least 1, -comments at least 0, and -kills at most half the writes")
	}
	if o.data == "" {
		dir, merr := os.MkdirTemp("", "khabar-crash-")
		if merr != nil {
			return fmt.Errorf("data directory: %w", merr)
		}
		// Kept when something failed: the servers' logs are in it.
		defer func() {
			if err == nil {
				os.RemoveAll(dir)
			} else {
				fmt.Fprintln(os.Stderr, "crashbench: the data and the servers' logs are kept in", dir)
			}
		}()
		o.data = dir
	}
	if err := os.MkdirAll(o.data, 0o755); err != nil {
		return fmt.Errorf("data directory: %w", err)
	}
	port, err := freePort()
	if err != nil {
		return err
	}
	srv := &server{o: o, addr: "127.0.0.1:" + strconv.Itoa(port)}
	login, err := srv.start()
	if err != nil {
		return err
	}
	defer srv.stop()
	if login == nil {
		return errors.New("the server printed no one-time newsroom login (is the database empty?)")
	}
	w, err := newWriter(o, srv.base(), login)
	if err != nil {
		return err
	}
	section, err := firstSection(o)
	if err != nil {
		return err
	}
	start := time.Now()
	done := make(chan struct{})
	killed := make(chan error, 1)
	go func() { killed <- srv.killer(&w.progress, o.articles+o.notes, done) }()
	werr := w.write(section)
	close(done)
	if err := <-killed; err != nil {
		return err
	}
	if werr != nil {
		return werr
	}
	took := time.Since(start)
	// The last stop is a crash too: what is checked is what a kill left.
	if err := srv.kill(); err != nil {
		return err
	}
	r := report{kills: srv.kills.Load(), took: took}
	if err := r.checkStore(o, w); err != nil {
		return err
	}
	if _, err := srv.start(); err != nil {
		return err
	}
	if err := r.checkSite(o, w); err != nil {
		return err
	}
	r.print(w)
	return r.verdict()
}

// server is the child khabar process.
type server struct {
	o     options
	addr  string
	mu    sync.Mutex
	cmd   *exec.Cmd
	gone  chan error // cmd's exit, reaped in the background
	runs  int
	kills atomic.Int64
}

func (s *server) base() string { return "http://" + s.addr }

var loginLine = regexp.MustCompile(`newsroom login \(shown once\): (\S+) / (\S+) `)

// start runs khabar on the data and waits until it answers /healthz; it
// returns the one-time login when the server printed one.
func (s *server) start() (*url.Values, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.runs++
	args := []string{"serve", "--demo", "--data", s.o.data, "--addr", s.addr}
	if s.o.dbURL != "" {
		args = append(args, "--db", s.o.dbURL)
	}
	cmd := exec.Command(s.o.bin, args...)
	logf, err := os.Create(filepath.Join(s.o.data, fmt.Sprintf("serve-%d.log", s.runs)))
	if err != nil {
		return nil, fmt.Errorf("server log: %w", err)
	}
	defer logf.Close()
	// The file itself, not a buffer, so the child writes it directly:
	// whatever it printed before it listened is in it once it answers.
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", s.o.bin, err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	s.cmd, s.gone = cmd, exited
	deadline := time.Now().Add(2 * time.Minute)
	for {
		res, err := http.Get(s.base() + "/healthz")
		if err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				break
			}
		}
		select {
		case err := <-exited:
			return nil, fmt.Errorf("khabar exited before answering (%v); see %s", err, logf.Name())
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			return nil, fmt.Errorf("khabar did not answer /healthz within 2 minutes; see %s", logf.Name())
		}
	}
	out, err := os.ReadFile(logf.Name())
	if err != nil {
		return nil, fmt.Errorf("server log: %w", err)
	}
	m := loginLine.FindSubmatch(out)
	if m == nil {
		return nil, nil
	}
	return &url.Values{"email": {string(m[1])}, "password": {string(m[2])}}, nil
}

// kill sends SIGKILL to the running child (ours) and waits for it to go.
func (s *server) kill() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.signal(syscall.SIGKILL)
}

func (s *server) signal(sig syscall.Signal) error {
	if s.cmd == nil {
		return nil
	}
	cmd := s.cmd
	s.cmd = nil
	if err := cmd.Process.Signal(sig); err != nil {
		return fmt.Errorf("signal khabar (pid %d): %w", cmd.Process.Pid, err)
	}
	select {
	case <-s.gone:
	case <-time.After(time.Minute):
		return fmt.Errorf("khabar (pid %d) did not exit within a minute of %v", cmd.Process.Pid, sig)
	}
	if sig == syscall.SIGKILL {
		s.kills.Add(1)
	}
	return nil
}

// stop ends the child politely.
func (s *server) stop() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.signal(syscall.SIGTERM); err != nil {
		fmt.Fprintln(os.Stderr, "crashbench:", err)
	}
}

// killer kill -9s the server and starts it again, -kills times, each at a
// random moment of its own slice of the writing: when the writes settled
// so far (progress, of total) reach a random point in the slice. The
// slices end at nine tenths of the writes, so every kill comes while the
// writers are still at work.
func (s *server) killer(progress *atomic.Int64, total int, done <-chan struct{}) error {
	span := int64(total) * 9 / 10 / int64(s.o.kills)
	for k := range int64(s.o.kills) {
		at := k*span + mrand.Int64N(span)
		for progress.Load() < at {
			select {
			case <-done:
				return fmt.Errorf("the writers finished before kill %d (at write %d of %d)", k+1, at, total)
			case <-time.After(5 * time.Millisecond):
			}
		}
		if err := s.kill(); err != nil {
			return err
		}
		if _, err := s.start(); err != nil {
			return err
		}
	}
	return nil
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("find a free port: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

func openStore(o options) (*store.Store, error) {
	s, err := store.Open(context.Background(), o.dbURL, o.data)
	if err != nil {
		return nil, fmt.Errorf("open the store: %w", err)
	}
	return s, nil
}

// firstSection is the section the articles go to.
func firstSection(o options) (int64, error) {
	s, err := openStore(o)
	if err != nil {
		return 0, err
	}
	defer s.Close()
	list, err := s.ListSections(context.Background())
	if err != nil || len(list) == 0 {
		return 0, fmt.Errorf("no section to publish in: %v", err)
	}
	return list[0].ID, nil
}

// writer publishes and comments, recording what the server acknowledged.
type writer struct {
	o      options
	base   string
	editor *http.Client

	mu        sync.Mutex
	articles  map[int64]string // acknowledged: id → headline
	published []int64
	comments  map[int64]string // acknowledged: id → body
	unacked   int              // comments stored by a try whose answer was lost
	retries   atomic.Int64
	progress  atomic.Int64 // writes settled: acknowledged, or known stored
}

func newWriter(o options, base string, login *url.Values) (*writer, error) {
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, Timeout: time.Minute,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := c.PostForm(base+"/admin/login", *login)
	if err != nil {
		return nil, fmt.Errorf("sign in: %w", err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusSeeOther || len(jar.Cookies(res.Request.URL)) == 0 {
		return nil, fmt.Errorf("sign in: answered %d without a session", res.StatusCode)
	}
	return &writer{o: o, base: base, editor: c, articles: map[int64]string{}, comments: map[int64]string{}}, nil
}

// write runs the editor and the commenters to the end.
func (w *writer) write(section int64) error {
	errs := make(chan error, w.o.commenters+1)
	var wg sync.WaitGroup
	published := make(chan struct{})
	wg.Add(1)
	go func() {
		defer wg.Done()
		errs <- w.publish(section, published)
	}()
	var posted atomic.Int64
	for i := range w.o.commenters {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-published
			errs <- w.comment(i, &posted)
		}()
	}
	wg.Wait()
	close(errs)
	var all []error
	for err := range errs {
		all = append(all, err)
	}
	return errors.Join(all...)
}

// headline is article i's headline; its code word, made of letters no
// Arabic affix uses, is what search is asked for.
func headline(i int) string {
	const letters = "جحخدذرزشصضطظعغقث"
	l := []rune(letters)
	code := make([]rune, 0, 4)
	for k := i; len(code) < 4; k /= len(l) {
		code = append(code, l[k%len(l)])
	}
	return "خبر تجربة الانهيار " + string(code) + " رقم " + strconv.Itoa(i)
}

var savedAt = regexp.MustCompile(`^/admin/articles/(\d+)\?done=`)

// publish saves and publishes each article in one post of the new-article
// form; a try cut off by a crash is sent again with the same draft key,
// which the newsroom turns into a save of the article the first try made.
func (w *writer) publish(section int64, first chan<- struct{}) error {
	for i := range w.o.articles {
		key := make([]byte, 16)
		rand.Read(key)
		h := headline(i)
		form := url.Values{"headline": {h}, "section": {strconv.FormatInt(section, 10)}, "blocks": {"1"},
			"b0_type": {"paragraph"}, "b0_text": {"فقرة من خبر تجربة الانهيار رقم " + strconv.Itoa(i)},
			"action": {"publish"}, "draft_key": {hex.EncodeToString(key)}}
		var id int64
		err := w.retry("publish "+h, func() (bool, error) {
			res, err := w.editor.PostForm(w.base+"/admin/articles/new", form)
			if err != nil {
				return false, nil
			}
			io.Copy(io.Discard, res.Body)
			res.Body.Close()
			if res.StatusCode >= 500 {
				return false, nil
			}
			m := savedAt.FindStringSubmatch(res.Header.Get("Location"))
			if res.StatusCode != http.StatusSeeOther || m == nil {
				return false, fmt.Errorf("publish %s: answered %d, location %q", h, res.StatusCode, res.Header.Get("Location"))
			}
			id, _ = strconv.ParseInt(m[1], 10, 64)
			return true, nil
		})
		if err != nil {
			return err
		}
		w.mu.Lock()
		w.articles[id] = h
		w.published = append(w.published, id)
		w.mu.Unlock()
		w.progress.Add(1)
		if i == 0 {
			close(first)
		}
	}
	return nil
}

// retry calls try until it succeeds, fails for good, or two minutes of
// failed tries (the server down) pass.
func (w *writer) retry(what string, try func() (bool, error)) error {
	deadline := time.Now().Add(2 * time.Minute)
	for n := 0; ; n++ {
		ok, err := try()
		if ok || err != nil {
			return err
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%s: no answer for two minutes", what)
		}
		w.retries.Add(1)
		time.Sleep(100 * time.Millisecond)
	}
}

// commenterClient posts from its own loopback address, as from a reader
// of its own, so the per-address limits stay out of the way.
func commenterClient(ip net.IP) *http.Client {
	dialer := &net.Dialer{LocalAddr: &net.TCPAddr{IP: ip}, Timeout: 5 * time.Second}
	return &http.Client{Timeout: time.Minute, Transport: &http.Transport{DialContext: dialer.DialContext, DisableKeepAlives: true}}
}

// comment posts comments on published articles until enough were
// acknowledged. A post cut off by a crash is sent again with its token:
// the token is spent in the comment's transaction, so "token_used" then
// means the first try was stored though its answer was lost.
func (w *writer) comment(i int, posted *atomic.Int64) error {
	for k := 0; ; k++ {
		n := posted.Add(1)
		if n > int64(w.o.notes) {
			return nil
		}
		client := commenterClient(net.IPv4(127, byte(1+i/250), byte(i%250), byte(2+k%250)))
		w.mu.Lock()
		article := w.published[mrand.IntN(len(w.published))]
		w.mu.Unlock()
		api := w.base + "/api/v1/articles/" + strconv.FormatInt(article, 10) + "/comments"
		body := fmt.Sprintf("تعليق تجربة الانهيار رقم %d من المعلّق %d على الخبر %d", n, i, article)
		var tok struct{ Token string }
		err := w.retry("comment token", func() (bool, error) {
			res, err := client.Get(api + "/token")
			if err != nil {
				return false, nil
			}
			defer res.Body.Close()
			if res.StatusCode != http.StatusOK {
				return false, nil
			}
			return json.NewDecoder(res.Body).Decode(&tok) == nil, nil
		})
		if err != nil {
			return err
		}
		time.Sleep(w.o.fill)
		payload, _ := json.Marshal(map[string]string{"name": "قارئ " + strconv.Itoa(i), "body": body, "token": tok.Token})
		first := true
		err = w.retry("post a comment", func() (bool, error) {
			res, err := client.Post(api, "application/json", bytes.NewReader(payload))
			if err != nil {
				first = false
				return false, nil
			}
			defer res.Body.Close()
			var r struct {
				ID    int64
				Error string
				Code  string
			}
			b, _ := io.ReadAll(res.Body)
			json.Unmarshal(b, &r)
			switch {
			case res.StatusCode == http.StatusCreated:
				w.mu.Lock()
				w.comments[r.ID] = body
				w.mu.Unlock()
				return true, nil
			case !first && strings.Contains(string(b), "token_used"):
				w.mu.Lock()
				w.unacked++
				w.mu.Unlock()
				return true, nil
			case res.StatusCode >= 500 || res.StatusCode == http.StatusTooManyRequests:
				first = false
				return false, nil
			}
			return false, fmt.Errorf("post a comment: answered %d: %s", res.StatusCode, b)
		})
		if err != nil {
			return err
		}
		w.progress.Add(1)
	}
}

// report is what the checks found.
type report struct {
	kills                  int64
	took                   time.Duration
	articles, comments     tally
	strays                 int // unacknowledged comment bodies stored twice
	cursors                []string
	pagesBad, searchMissed []string
}

type tally struct{ acked, found, lost, duplicated int }

func (t *tally) add(stored int) {
	t.acked++
	switch {
	case stored == 0:
		t.lost++
	case stored > 1:
		t.found++
		t.duplicated++
	default:
		t.found++
	}
}

// checkStore reads the database the last kill left.
func (r *report) checkStore(o options, w *writer) error {
	s, err := openStore(o)
	if err != nil {
		return err
	}
	defer s.Close()
	ctx := context.Background()
	last, err := s.LastEventID(ctx)
	if err != nil {
		return err
	}
	for _, name := range []string{outbox.Search, outbox.WebSub, outbox.Alerts, outbox.CommentNotices} {
		id, ok, err := s.Cursor(ctx, name)
		if err != nil {
			return err
		}
		if ok && id > last {
			r.cursors = append(r.cursors, fmt.Sprintf("%s at event %d, past the last event %d", name, id, last))
		}
	}
	headlines, err := countPages(func(off int) ([]news.Article, error) {
		return s.ListPublished(ctx, store.ListFilter{Limit: pageSize, Offset: off})
	}, func(a news.Article) string { return a.Headline })
	if err != nil {
		return err
	}
	for _, h := range w.articles {
		r.articles.add(headlines[h])
	}
	bodies, err := countPages(func(off int) ([]news.Comment, error) {
		return s.ListComments(ctx, store.CommentFilter{Limit: pageSize, Offset: off})
	}, func(c news.Comment) string { return c.Body })
	if err != nil {
		return err
	}
	acked := map[string]bool{}
	for _, b := range w.comments {
		r.comments.add(bodies[b])
		acked[b] = true
	}
	for b, n := range bodies {
		if !acked[b] && n > 1 {
			r.strays++
		}
	}
	return nil
}

// checkSite waits for the restarted server's search index to catch up,
// then asks for every acknowledged article's page and searches for it.
func (r *report) checkSite(o options, w *writer) error {
	if err := caughtUp(o); err != nil {
		return err
	}
	site := &http.Client{Timeout: time.Minute}
	i := 0
	for id, h := range w.articles {
		res, err := site.Get(w.base + "/news/" + strconv.FormatInt(id, 10))
		if err != nil {
			return fmt.Errorf("article page %d: %w", id, err)
		}
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != http.StatusOK || !bytes.Contains(b, []byte(h)) {
			r.pagesBad = append(r.pagesBad, fmt.Sprintf("article %d: %d", id, res.StatusCode))
		}
		// The search API limits each address; each question comes from
		// its own.
		i++
		c := commenterClient(net.IPv4(127, 200+byte(i/62500), byte(i/250%250), byte(2+i%250)))
		res, err = c.Get(w.base + "/api/v1/search?limit=50&q=" + url.QueryEscape(h))
		if err != nil {
			return fmt.Errorf("search for article %d: %w", id, err)
		}
		var found struct{ Results []struct{ ID int64 } }
		err = json.NewDecoder(res.Body).Decode(&found)
		res.Body.Close()
		hit := false
		for _, f := range found.Results {
			hit = hit || f.ID == id
		}
		if err != nil || !hit {
			r.searchMissed = append(r.searchMissed, fmt.Sprintf("article %d (%s): %d, %v", id, h, res.StatusCode, err))
		}
	}
	return nil
}

// caughtUp waits until the search consumer has handled every event.
func caughtUp(o options) error {
	s, err := openStore(o)
	if err != nil {
		return err
	}
	defer s.Close()
	ctx := context.Background()
	last, err := s.LastEventID(ctx)
	if err != nil {
		return err
	}
	deadline := time.Now().Add(5 * time.Minute)
	for {
		id, _, err := s.Cursor(ctx, outbox.Search)
		if err != nil {
			return err
		}
		if id >= last {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("the search consumer is at event %d, not %d, five minutes after the restart", id, last)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func (r *report) print(w *writer) {
	fmt.Printf("crashbench: %s, %d articles and %d comments asked for, %d commenters, %d retried requests\n",
		r.took.Round(time.Second), w.o.articles, w.o.notes, w.o.commenters, w.retries.Load())
	fmt.Printf("%-9s %12s %8s %6s %11s\n", "", "acknowledged", "found", "lost", "duplicated")
	for _, row := range []struct {
		name string
		t    tally
	}{{"articles", r.articles}, {"comments", r.comments}} {
		fmt.Printf("%-9s %12d %8d %6d %11d\n", row.name, row.t.acked, row.t.found, row.t.lost, row.t.duplicated)
	}
	fmt.Printf("comments stored whose answer a crash cut off: %d; unacknowledged comments stored twice: %d\n", w.unacked, r.strays)
	fmt.Printf("kills survived: %d\n", r.kills)
	fmt.Printf("article pages not rendering: %d; published articles search missed: %d; cursors past the last event: %d\n",
		len(r.pagesBad), len(r.searchMissed), len(r.cursors))
	for _, l := range [][]string{r.pagesBad, r.searchMissed, r.cursors} {
		for _, s := range l[:min(len(l), 5)] {
			fmt.Println("  ", s)
		}
	}
}

func (r *report) verdict() error {
	bad := r.articles.lost + r.articles.duplicated + r.comments.lost + r.comments.duplicated + r.strays +
		len(r.pagesBad) + len(r.searchMissed) + len(r.cursors)
	if bad > 0 {
		return fmt.Errorf("%d failed checks", bad)
	}
	return nil
}

// pageSize is how many rows a check reads at a time.
const pageSize = 1000

// countPages counts how often each key occurs over every page page gives,
// reading until a page comes back short.
func countPages[T any](page func(off int) ([]T, error), key func(T) string) (map[string]int, error) {
	n := map[string]int{}
	for off := 0; ; off += pageSize {
		list, err := page(off)
		if err != nil {
			return nil, err
		}
		for _, it := range list {
			n[key(it)]++
		}
		if len(list) < pageSize {
			return n, nil
		}
	}
}

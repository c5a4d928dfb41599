// Command crashbench is bench/crash.sh: it runs "khabar serve --demo" as
// its child, publishes articles through the newsroom's form and posts
// comments through the API while it kill -9s the server at random moments
// and starts it again on the same data, then checks that every write the
// server acknowledged is there exactly once, renders, is found by search,
// that no outbox consumer's cursor is past an event that exists, and that
// every alert asked for reached the Bot API it plays for the server's
// Telegram channel, no more often than the kills can explain. Halfway
// through the articles it takes a backup with "khabar backup"; at the end it
// restores it into a new data directory (and the database -restore-db
// names) and checks that the restored site serves every article
// acknowledged before the backup began, and the home page's pictures.
//
//	crashbench -khabar ./khabar [-db postgres://… -restore-db postgres://…] [-articles 1000] [-comments 10000] [-alert-every 10]
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
	"maps"
	mrand "math/rand/v2"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
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
	restoreDB         string
	articles, notes   int
	commenters, kills int
	alertEvery        int
	fill              time.Duration
}

func main() {
	var o options
	flag.StringVar(&o.bin, "khabar", "./khabar", "the khabar binary to run")
	flag.StringVar(&o.dbURL, "db", "", "PostgreSQL URL of an empty database (default: SQLite in the data directory)")
	flag.StringVar(&o.restoreDB, "restore-db", "", "PostgreSQL URL of another empty database, for the restore of the backup taken while writing (needed with -db)")
	flag.StringVar(&o.data, "data", "", "the server's data directory (default: a new temporary one, removed afterwards)")
	flag.IntVar(&o.articles, "articles", 1000, "articles to publish")
	flag.IntVar(&o.notes, "comments", 10000, "comments to post")
	flag.IntVar(&o.commenters, "commenters", 200, "concurrent commenters")
	flag.IntVar(&o.kills, "kills", 20, "kill -9s while writing")
	flag.IntVar(&o.alertEvery, "alert-every", 10, "every so many articles is published with a Telegram alert")
	flag.DurationVar(&o.fill, "fill", 3*time.Second, "wait between taking a comment token and posting (the server's minimum)")
	flag.Parse()
	if err := run(o); err != nil {
		fmt.Fprintln(os.Stderr, "crashbench:", err)
		os.Exit(1)
	}
}

func run(o options) (err error) {
	if o.dbURL != "" && o.restoreDB == "" {
		return errors.New("-db needs -restore-db: the backup taken while writing is restored into another database")
	}
	if o.articles < 1 || o.notes < 0 || o.commenters < 1 || o.kills < 1 || o.kills > (o.articles+o.notes)/2 || o.alertEvery < 1 {
		return errors.New("-articles, -commenters, -kills and -alert-every must be at least 1, -comments at least 0, and -kills at most half the writes")
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
	tg, err := startTelegram()
	if err != nil {
		return err
	}
	defer tg.srv.Close()
	srv := &server{o: o, addr: "127.0.0.1:" + strconv.Itoa(port), telegram: tg.addr}
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
	backedUp := make(chan *midBackup, 1)
	go func() { backedUp <- w.backupMidway(done) }()
	werr := w.write(section)
	close(done)
	mid := <-backedUp
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
	r.checkAlerts(w, tg)
	if err := r.checkRestore(o, mid); err != nil {
		return err
	}
	r.print(w)
	return r.verdict()
}

// server is the child khabar process.
type server struct {
	o        options
	addr     string
	telegram string // the Bot API's address
	mu       sync.Mutex
	cmd      *exec.Cmd
	gone     chan error // cmd's exit, reaped in the background
	runs     int
	kills    atomic.Int64
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
	if s.telegram != "" {
		args = append(args, "--telegram-chat", "@khabar_crash", "--telegram-api", "http://"+s.telegram, "--outbound-allow-private")
	}
	if s.o.dbURL != "" {
		args = append(args, "--db", s.o.dbURL)
	}
	cmd := exec.Command(s.o.bin, args...)
	if s.telegram != "" {
		cmd.Env = append(os.Environ(), "KHABAR_TELEGRAM_TOKEN="+botToken)
	}
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
	alerted   []int64          // acknowledged with an alert asked for
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
		alert := i%w.o.alertEvery == 0
		if alert {
			form.Set("publish_alert", "telegram")
		}
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
		if alert {
			w.alerted = append(w.alerted, id)
		}
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
	alerts                 alertTally
	backup                 *midBackup
	restored, pictures     int
	restoreBad             []string
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

// checkAlerts waits until every alert asked for has reached the Bot API,
// for up to five minutes after the restart, and counts what it got. A
// batch a kill cut off stays "running" in the job queue until River's
// rescuer gives it another attempt, two minutes or so after it started
// (jobs.rescueAfter), with the dead node's lease on it run out.
func (r *report) checkAlerts(w *writer, tg *telegram) {
	deadline := time.Now().Add(5 * time.Minute)
	for {
		r.alerts = tg.tally(w.alerted)
		if r.alerts.missing == 0 || time.Now().After(deadline) {
			return
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
	a := r.alerts
	fmt.Printf("alerts asked: %d; sent: %d; missing: %d; sent again: %d (allowed: %d); sent unasked: %d; refused requests: %d\n",
		a.asked, a.sent, a.missing, a.again, r.againAllowed(), a.unasked, len(a.bad))
	if b := r.backup; b != nil {
		fmt.Printf("backup while writing: %s, %d articles acknowledged before it; restored: %d of them served, %d pictures served; failed: %d\n",
			b.took.Round(time.Millisecond), len(b.before), r.restored, r.pictures, len(r.restoreBad))
	}
	fmt.Printf("kills survived: %d\n", r.kills)
	fmt.Printf("article pages not rendering: %d; published articles search missed: %d; cursors past the last event: %d\n",
		len(r.pagesBad), len(r.searchMissed), len(r.cursors))
	for _, l := range [][]string{r.pagesBad, r.searchMissed, r.cursors, a.bad, r.restoreBad} {
		for _, s := range l[:min(len(l), 5)] {
			fmt.Println("  ", s)
		}
	}
}

func (r *report) verdict() error {
	bad := r.articles.lost + r.articles.duplicated + r.comments.lost + r.comments.duplicated + r.strays +
		len(r.pagesBad) + len(r.searchMissed) + len(r.cursors) + r.alerts.missing + r.alerts.unasked + len(r.alerts.bad) +
		max(r.alerts.again-r.againAllowed(), 0) + len(r.restoreBad)
	if bad > 0 {
		return fmt.Errorf("%d failed checks", bad)
	}
	return nil
}

// alertJobs is how many jobs the server's queue runs at once (River's
// MaxWorkers), so how many deliveries one kill can cut off between the
// send and its record.
const alertJobs = 4

// againAllowed is how many messages may be sent again: delivery is at
// least once, and only a kill between a send and its record makes a
// second send.
func (r *report) againAllowed() int { return int(r.kills) * alertJobs }

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

// botToken is the server's Telegram bot token; the Bot API answers only
// to it, in the path.
const botToken = "123456789:AAH-crash_bench_bot_token_0123"

// telegram plays Telegram's Bot API for the server's alert channel: it
// takes sendMessage as the real one does and counts the messages each
// article's link gets.
type telegram struct {
	addr string
	srv  *http.Server
	mu   sync.Mutex
	sent map[int64]int // article id → messages
	bad  []string      // requests the real API would refuse
}

func startTelegram() (*telegram, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("bot API: %w", err)
	}
	tg := &telegram{addr: ln.Addr().String(), sent: map[int64]int{}}
	tg.srv = &http.Server{Handler: http.HandlerFunc(tg.serve), ReadHeaderTimeout: 10 * time.Second}
	go tg.srv.Serve(ln)
	return tg, nil
}

// alertLink is the article's address in an alert's text.
var alertLink = regexp.MustCompile(`/news/(\d+)`)

func (tg *telegram) serve(w http.ResponseWriter, r *http.Request) {
	var m struct {
		ChatID string `json:"chat_id"`
		Text   string `json:"text"`
	}
	err := json.NewDecoder(io.LimitReader(r.Body, 1<<20)).Decode(&m)
	link := alertLink.FindStringSubmatch(m.Text)
	tg.mu.Lock()
	defer tg.mu.Unlock()
	if r.Method != http.MethodPost || r.URL.Path != "/bot"+botToken+"/sendMessage" || err != nil || m.ChatID != "@khabar_crash" || link == nil {
		tg.bad = append(tg.bad, fmt.Sprintf("%s %s: %v, chat %q, text %q", r.Method, r.URL.Path, err, m.ChatID, m.Text))
		w.WriteHeader(http.StatusBadRequest)
		io.WriteString(w, `{"ok":false,"error_code":400,"description":"Bad Request"}`)
		return
	}
	id, _ := strconv.ParseInt(link[1], 10, 64)
	tg.sent[id]++
	io.WriteString(w, `{"ok":true,"result":{"message_id":1}}`)
}

// alertTally is what the Bot API got against what was asked.
type alertTally struct {
	asked, sent, missing, again, unasked int
	bad                                  []string
}

// tally counts the messages for the articles asked (alerted) and any other.
func (tg *telegram) tally(alerted []int64) alertTally {
	tg.mu.Lock()
	defer tg.mu.Unlock()
	t := alertTally{asked: len(alerted), bad: slices.Clone(tg.bad)}
	asked := map[int64]bool{}
	for _, id := range alerted {
		asked[id] = true
		if tg.sent[id] == 0 {
			t.missing++
		}
	}
	for id, n := range tg.sent {
		t.sent += n
		if !asked[id] {
			t.unasked++
		} else if n > 1 {
			t.again += n - 1
		}
	}
	return t
}

// midBackup is the backup taken while the writers work.
type midBackup struct {
	file   string
	before map[int64]string // articles acknowledged before it began
	took   time.Duration
	err    error
}

// backupMidway runs "khabar backup" once half the articles are
// acknowledged, while the editor goes on publishing, the commenters post
// and the killer kills; nil when the writers finished first.
func (w *writer) backupMidway(done <-chan struct{}) *midBackup {
	var before map[int64]string
	for {
		w.mu.Lock()
		if len(w.articles) >= w.o.articles/2 {
			before = maps.Clone(w.articles)
		}
		w.mu.Unlock()
		if before != nil {
			break
		}
		select {
		case <-done:
			return nil
		case <-time.After(10 * time.Millisecond):
		}
	}
	b := &midBackup{file: filepath.Join(w.o.data, "midway.tar.gz"), before: before}
	args := []string{"backup", "--data", w.o.data, "--out", b.file}
	if w.o.dbURL != "" {
		args = append(args, "--db", w.o.dbURL)
	}
	start := time.Now()
	out, err := exec.Command(w.o.bin, args...).CombinedOutput()
	b.took = time.Since(start)
	if err != nil {
		b.err = fmt.Errorf("khabar backup while writing: %w: %s", err, out)
	}
	return b
}

// checkRestore restores the backup taken while writing into a data
// directory of its own (and -restore-db), serves it, and asks for every
// article acknowledged before the backup began and every picture of the
// home page.
func (r *report) checkRestore(o options, b *midBackup) error {
	if b == nil {
		return errors.New("the writers finished before the backup was due")
	}
	if b.err != nil {
		return b.err
	}
	r.backup = b
	ro := o
	ro.data, ro.dbURL = filepath.Join(o.data, "restored"), o.restoreDB
	args := []string{"restore", b.file, "--data", ro.data}
	if ro.dbURL != "" {
		args = append(args, "--db", ro.dbURL)
	}
	if out, err := exec.Command(o.bin, args...).CombinedOutput(); err != nil {
		return fmt.Errorf("khabar restore: %w: %s", err, out)
	}
	port, err := freePort()
	if err != nil {
		return err
	}
	// No alert channel: the restored site must not send the alerts again.
	srv := &server{o: ro, addr: "127.0.0.1:" + strconv.Itoa(port)}
	if _, err := srv.start(); err != nil {
		return fmt.Errorf("serve the restored data: %w", err)
	}
	defer srv.stop()
	site := &http.Client{Timeout: time.Minute}
	get := func(path string) (int, []byte, error) {
		res, err := site.Get(srv.base() + path)
		if err != nil {
			return 0, nil, err
		}
		defer res.Body.Close()
		body, err := io.ReadAll(res.Body)
		return res.StatusCode, body, err
	}
	for id, h := range b.before {
		code, body, err := get("/news/" + strconv.FormatInt(id, 10))
		if err != nil || code != http.StatusOK || !bytes.Contains(body, []byte(h)) {
			r.restoreBad = append(r.restoreBad, fmt.Sprintf("restored article %d: %d %v", id, code, err))
			continue
		}
		r.restored++
	}
	code, home, err := get("/")
	if err != nil || code != http.StatusOK {
		return fmt.Errorf("restored home page: %d %v", code, err)
	}
	for _, m := range pictureSrc.FindAllSubmatch(home, -1) {
		if code, _, err := get(string(m[1])); err != nil || code != http.StatusOK {
			r.restoreBad = append(r.restoreBad, fmt.Sprintf("restored picture %s: %d %v", m[1], code, err))
			continue
		}
		r.pictures++
	}
	if r.pictures == 0 {
		r.restoreBad = append(r.restoreBad, "the restored home page shows no picture")
	}
	return nil
}

// pictureSrc is a picture's address on a page.
var pictureSrc = regexp.MustCompile(`src="(/media/[^"]+)"`)

// Command searchbench measures Khabar's search on a corpus of real Arabic
// news: import rate, index throughput (search.Service.Reindex) and query
// latency through search.Service.Search, on SQLite or PostgreSQL.
//
// The corpus (JSON Lines, as read by "khabar import jsonl") is imported
// -copies times, each copy with its own ids (id + "-cN"); titles, bodies
// and dates are kept as they are, so every term is -copies times as common
// as in the corpus. Nothing of the corpus is stored outside the throwaway
// database.
//
// Usage:
//
//	searchbench [-db postgres://...] [-corpus FILE] [-copies 7] [-queries 100] [-runs 5]
//
// -db empty means SQLite in a temporary directory; a PostgreSQL URL gets a
// fresh schema searchbench_<random>, dropped at the end (unless -keep).
//
// Output is one record per line, "key=value" pairs after a leading word
// (bench, import, index, latency, class, slow, query), so that scripts can
// pick figures with awk. Durations are in milliseconds.
package main

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	mrand "math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"runtime/pprof"
	"slices"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"

	"khabar/internal/api"
	"khabar/internal/arabic"
	"khabar/internal/auth"
	"khabar/internal/importer"
	"khabar/internal/locale"
	"khabar/internal/news"
	"khabar/internal/search"
	"khabar/internal/settings"
	"khabar/internal/store"
	"khabar/internal/throttle"
)

func main() {
	dbURL := flag.String("db", "", "PostgreSQL URL (postgres://...); empty: SQLite in a temporary directory")
	corpus := flag.String("corpus", "../shared/data/arabic-news.jsonl", "JSON Lines corpus (id, title, body, category, date, ...)")
	copies := flag.Int("copies", 7, "times the corpus is imported, each copy with distinct ids")
	nq := flag.Int("queries", 100, "queries in the mix (60% one to three words, 10% phrases, 10% by date, 10% with an exclusion, 10% ten-word questions)")
	runs := flag.Int("runs", 5, "timed runs of each query (after one warm-up run)")
	seed := flag.Uint64("seed", 20261129, "seed of the query mix")
	analyze := flag.Bool("analyze", true, "PostgreSQL: ANALYZE after indexing, as autovacuum would soon do")
	keep := flag.Bool("keep", false, "PostgreSQL: keep the schema at the end (to EXPLAIN queries); SQLite: keep the directory")
	timeout := flag.Duration("timeout", 30*time.Minute, "give up after this long")
	cpuProfile := flag.String("cpuprofile", "", "write a CPU profile of the import, the rebuild and the queries to this file")
	overHTTP := flag.Bool("http", true, "time queries through GET /api/v1/search on a loopback server (false: search.Service.Search in process)")
	reuse := flag.String("reuse", "", "work on the database an earlier -keep run left (its SQLite directory, or its PostgreSQL schema) instead of importing the corpus")
	rebuild := flag.Bool("rebuild", true, "time a full rebuild of the index (with -reuse, -rebuild=false times the queries alone)")
	flag.Parse()
	if *copies < 1 || *nq < 0 || *runs < 1 {
		fmt.Fprintln(os.Stderr, "searchbench: -copies and -runs must be at least 1, -queries at least 0")
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	ctx, cancel := context.WithTimeout(ctx, *timeout)
	defer cancel()
	b := &bench{dbURL: *dbURL, corpus: *corpus, copies: *copies, nq: *nq, runs: *runs, seed: *seed, analyze: *analyze, keep: *keep, http: *overHTTP, cpuProfile: *cpuProfile, reuse: *reuse, rebuild: *rebuild}
	err := b.run(ctx)
	b.cleanup()
	if err != nil {
		fmt.Fprintln(os.Stderr, "searchbench:", err)
		os.Exit(1)
	}
}

type bench struct {
	dbURL, corpus string
	copies, nq    int
	runs          int
	seed          uint64
	analyze, keep bool
	http          bool
	cpuProfile    string
	reuse         string
	rebuild       bool
	backend       string
	store         *store.Store
	cleanups      []func()
	titles        []string
}

func (b *bench) cleanup() {
	for i := len(b.cleanups) - 1; i >= 0; i-- {
		b.cleanups[i]()
	}
}

func (b *bench) run(ctx context.Context) error {
	lines, err := b.readCorpus()
	if err != nil {
		return err
	}
	if err := b.open(ctx); err != nil {
		return err
	}
	fmt.Printf("bench backend=%s copies=%d corpus_lines=%d go_maxprocs=%s\n", b.backend, b.copies, len(lines), os.Getenv("GOMAXPROCS"))

	if b.cpuProfile != "" {
		f, err := os.Create(b.cpuProfile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	svc := search.New(b.store)
	n, err := b.store.CountArticles(ctx)
	if err != nil {
		return err
	}
	if b.reuse == "" {
		if n, err = b.load(ctx, lines); err != nil {
			return err
		}
	} else {
		fmt.Printf("reused articles=%d\n", n)
	}
	if b.rebuild {
		if err := b.reindex(ctx, svc, n); err != nil {
			return err
		}
	}
	if b.nq == 0 {
		return nil
	}

	// Query latency.
	mix := buildMix(b.titles, b.nq, b.seed)
	query := b.inProcess(svc)
	via := "service"
	if b.http {
		if query, err = b.overHTTP(ctx, svc); err != nil {
			return err
		}
		via = "http"
	}
	for i := range mix { // warm-up, and the hit counts
		if mix[i].total, err = query(ctx, mix[i]); err != nil {
			return fmt.Errorf("query %q: %w", mix[i].text, err)
		}
	}
	var all []time.Duration
	for r := 0; r < b.runs; r++ {
		for i := range mix {
			t := time.Now()
			if _, err := query(ctx, mix[i]); err != nil {
				return fmt.Errorf("query %q: %w", mix[i].text, err)
			}
			d := time.Since(t)
			mix[i].times = append(mix[i].times, d)
			all = append(all, d)
		}
	}
	fmt.Printf("latency backend=%s via=%s queries=%d runs=%d samples=%d %s\n", b.backend, via, len(mix), b.runs, len(all), stats(all))
	var short []time.Duration // one to three words, the first target
	for _, q := range mix {
		if q.class != "question" {
			short = append(short, q.times...)
		}
	}
	fmt.Printf("class name=1-3-words %s\n", stats(short))
	classes := []string{"word", "two-words", "three-words", "phrase", "by-date", "exclusion", "question"}
	for _, c := range classes {
		var ds []time.Duration
		k := 0
		for _, q := range mix {
			if q.class == c {
				ds = append(ds, q.times...)
				k++
			}
		}
		if k > 0 {
			fmt.Printf("class name=%s queries=%d %s\n", c, k, stats(ds))
		}
	}
	// Where the time goes: the SQL of store.Search alone (one more pass,
	// with the arguments Service.Search passes: a 200-hit window to re-rank
	// unless sorted by date), and one GetArticle (Search loads each hit).
	var sqlTimes []time.Duration
	for i := range mix {
		q := search.Parse(mix[i].text)
		sq := store.SearchQuery{Phrases: q.Phrases, Not: q.Not, Statuses: []news.Status{news.StatusPublished},
			ByDate: mix[i].byDate, Limit: 200}
		if mix[i].byDate {
			sq.Limit = 10
		}
		t := time.Now()
		if _, _, err := b.store.Search(ctx, sq); err != nil {
			return fmt.Errorf("store search %q: %w", mix[i].text, err)
		}
		mix[i].sql = time.Since(t)
		sqlTimes = append(sqlTimes, mix[i].sql)
	}
	fmt.Printf("store_search samples=%d %s\n", len(sqlTimes), stats(sqlTimes))
	var getTimes []time.Duration
	for id := int64(1); id <= int64(n) && len(getTimes) < 200; id += int64(max(1, n/200)) {
		t := time.Now()
		if _, err := b.store.GetArticle(ctx, id); err != nil {
			return fmt.Errorf("get article %d: %w", id, err)
		}
		getTimes = append(getTimes, time.Since(t))
	}
	fmt.Printf("get_article samples=%d %s\n", len(getTimes), stats(getTimes))
	slow := slices.Clone(mix)
	sort.SliceStable(slow, func(i, j int) bool { return median(slow[i].times) > median(slow[j].times) })
	for i, q := range slow[:min(5, len(slow))] {
		fmt.Printf("slow rank=%d p50_ms=%s max_ms=%s sql_ms=%s total=%d class=%s query=%s\n",
			i+1, ms(median(q.times)), ms(slices.Max(q.times)), ms(q.sql), q.total, q.class, strconv.Quote(q.text))
	}
	if os.Getenv("SEARCHBENCH_LIST") != "" {
		for _, q := range mix {
			fmt.Printf("query p50_ms=%s sql_ms=%s total=%d class=%s query=%s\n", ms(median(q.times)), ms(q.sql), q.total, q.class, strconv.Quote(q.text))
		}
	}
	return nil
}

// load imports the corpus copies, returning the number of articles.
func (b *bench) load(ctx context.Context, lines [][]byte) (int, error) {
	// Import: importer.JSONL reads the modified lines from a pipe.
	pr, pw := io.Pipe()
	go func() { pw.CloseWithError(feed(pw, lines, b.titles, b.copies)) }()
	start := time.Now()
	st, err := importer.JSONL(ctx, b.store, pr, news.StatusPublished, nil)
	pr.Close()
	if err != nil {
		return 0, fmt.Errorf("import: %w", err)
	}
	el := time.Since(start)
	fmt.Printf("import read=%d imported=%d skipped=%d seconds=%.2f rate=%.0f\n",
		st.Read, st.Imported, st.Skips(), el.Seconds(), float64(st.Imported)/el.Seconds())
	if st.Skips() > 0 {
		fmt.Fprint(os.Stderr, st.Summary())
	}
	return b.store.CountArticles(ctx)
}

// reindex times a full rebuild of the index of n articles.
func (b *bench) reindex(ctx context.Context, svc *search.Service, n int) error {
	start, cpu := time.Now(), cpuTime()
	if err := svc.Reindex(ctx, nil); err != nil {
		return fmt.Errorf("reindex: %w", err)
	}
	el := time.Since(start)
	// This process's CPU time says more than the clock on a shared
	// machine; on SQLite it is nearly all the work (PostgreSQL's is in
	// the server).
	fmt.Printf("index articles=%d seconds=%.2f rate=%.0f cpu_seconds=%.2f\n", n, el.Seconds(), float64(n)/el.Seconds(), (cpuTime() - cpu).Seconds())
	if b.backend == "postgres" && b.analyze {
		if _, err := b.store.DB().ExecContext(ctx, "ANALYZE"); err != nil {
			return fmt.Errorf("analyze: %w", err)
		}
	}
	return nil
}

// readCorpus loads the corpus lines and the titles the queries come from.
func (b *bench) readCorpus() ([][]byte, error) {
	f, err := os.Open(b.corpus)
	if err != nil {
		return nil, fmt.Errorf("corpus: %w", err)
	}
	defer f.Close()
	var lines [][]byte
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), importer.MaxLine)
	for sc.Scan() {
		line := sc.Bytes()
		if len(strings.TrimSpace(string(line))) == 0 {
			continue
		}
		var rec struct {
			Title string `json:"title"`
		}
		if json.Unmarshal(line, &rec) == nil && rec.Title != "" {
			b.titles = append(b.titles, rec.Title)
		}
		lines = append(lines, slices.Clone(line))
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("corpus: %w", err)
	}
	if len(lines) == 0 || len(b.titles) == 0 {
		return nil, fmt.Errorf("corpus %s: no articles", b.corpus)
	}
	return lines, nil
}

// feed writes every line copies times, with "-cN" appended to the id.
// Copies after the first vary, so that no two articles are the same text:
// the body's paragraphs turn by the copy's number and a headline of another
// article joins them, which moves words apart and mixes vocabularies.
func feed(w io.Writer, lines [][]byte, titles []string, copies int) error {
	bw := bufio.NewWriterSize(w, 256<<10)
	for c := 0; c < copies; c++ {
		for i, line := range lines {
			var rec map[string]json.RawMessage
			if err := json.Unmarshal(line, &rec); err != nil {
				continue // the importer would skip it too
			}
			var id string
			if json.Unmarshal(rec["id"], &id) != nil {
				var n json.Number
				if json.Unmarshal(rec["id"], &n) != nil {
					continue
				}
				id = n.String()
			}
			rec["id"], _ = json.Marshal(id + "-c" + strconv.Itoa(c))
			var body string
			if c > 0 && json.Unmarshal(rec["body"], &body) == nil {
				paras := strings.Split(body, "\n")
				k := c % len(paras)
				paras = append(paras[k:], paras[:k]...)
				paras = append(paras, titles[(i*31+c*7919)%len(titles)])
				rec["body"], _ = json.Marshal(strings.Join(paras, "\n"))
			}
			out, err := json.Marshal(rec)
			if err != nil {
				return err
			}
			bw.Write(out)
			if err := bw.WriteByte('\n'); err != nil {
				return err
			}
		}
	}
	return bw.Flush()
}

// inProcess runs a query through search.Service.Search, returning its
// total.
func (b *bench) inProcess(svc *search.Service) func(context.Context, benchQuery) (int, error) {
	return func(ctx context.Context, q benchQuery) (int, error) {
		res, err := svc.Search(ctx, search.Parse(q.text), search.Options{Statuses: []news.Status{news.StatusPublished}, Limit: 10, ByDate: q.byDate})
		if err != nil {
			return 0, err
		}
		return res.Total, nil
	}
}

// overHTTP serves the real API on a loopback port and returns a client
// of GET /api/v1/search, as a trusted client with a token calls it (the
// token lifts the per-address limit; checking it is part of the time).
func (b *bench) overHTTP(ctx context.Context, svc *search.Service) (func(context.Context, benchQuery) (int, error), error) {
	// A database an earlier run left (-reuse) has its user already.
	u := auth.User{Email: fmt.Sprintf("searchbench-%d@khabar.test", time.Now().UnixNano()), Name: "searchbench", Role: auth.RoleEditor}
	if err := b.store.CreateUser(ctx, &u); err != nil {
		return nil, err
	}
	token, hash, err := auth.NewToken()
	if err != nil {
		return nil, err
	}
	if _, err := b.store.CreateAPIToken(ctx, u.ID, "searchbench", hash); err != nil {
		return nil, err
	}
	live, err := settings.Load(ctx, b.store)
	if err != nil {
		return nil, err
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	mux := http.NewServeMux()
	api.New(api.Options{Search: svc, Store: b.store, Settings: live, Auth: auth.NewService(b.store, log),
		Catalog: locale.For("ar"), Base: "http://searchbench.test", SearchLimit: throttle.NewLimiter(10, time.Second), Log: log}).Routes(mux)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go srv.Serve(ln)
	b.cleanups = append(b.cleanups, func() { srv.Close() })
	base := "http://" + ln.Addr().String() + "/api/v1/search?limit=10&q="
	client := &http.Client{Timeout: time.Minute}
	return func(ctx context.Context, q benchQuery) (int, error) {
		target := base + url.QueryEscape(q.text)
		if q.byDate {
			target += "&sort=date"
		}
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, target, nil)
		if err != nil {
			return 0, err
		}
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := client.Do(req)
		if err != nil {
			return 0, err
		}
		defer resp.Body.Close()
		var out struct {
			Total int `json:"total"`
		}
		if resp.StatusCode != http.StatusOK {
			body, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
			return 0, fmt.Errorf("%s: %s", resp.Status, body)
		}
		if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
			return 0, err
		}
		return out.Total, nil
	}, nil
}

// open makes a fresh, migrated store.
func (b *bench) open(ctx context.Context) error {
	if b.dbURL == "" {
		b.backend = "sqlite"
		dir, err := b.reuse, error(nil)
		if dir == "" {
			dir, err = os.MkdirTemp("", "searchbench-")
		}
		if err != nil {
			return err
		}
		if b.keep || b.reuse != "" {
			fmt.Fprintln(os.Stderr, "searchbench: keeping", dir)
		} else {
			b.cleanups = append(b.cleanups, func() { os.RemoveAll(dir) })
		}
		s, err := store.OpenSQLite(dir)
		if err != nil {
			return err
		}
		b.store = s
		b.cleanups = append(b.cleanups, func() { s.Close() })
	} else {
		b.backend = "postgres"
		u, err := url.Parse(b.dbURL)
		if err != nil {
			return fmt.Errorf("parse -db: %w", err)
		}
		r := make([]byte, 6)
		rand.Read(r)
		schema := "searchbench_" + hex.EncodeToString(r)
		admin, err := store.OpenPostgres(ctx, b.dbURL)
		if err != nil {
			return err
		}
		b.cleanups = append(b.cleanups, func() { admin.Close() })
		if b.reuse != "" {
			schema = b.reuse
		} else if _, err := admin.DB().ExecContext(ctx, "CREATE SCHEMA "+schema); err != nil {
			return fmt.Errorf("create schema: %w", err)
		}
		if b.keep || b.reuse != "" {
			fmt.Fprintln(os.Stderr, "searchbench: keeping schema", schema)
		} else {
			b.cleanups = append(b.cleanups, func() {
				// The run's context may be cancelled by now.
				dctx, cancel := context.WithTimeout(context.Background(), time.Minute)
				defer cancel()
				if _, err := admin.DB().ExecContext(dctx, "DROP SCHEMA "+schema+" CASCADE"); err != nil {
					fmt.Fprintf(os.Stderr, "searchbench: drop schema %s: %v\n", schema, err)
				}
			})
		}
		q := u.Query()
		q.Set("search_path", schema)
		u.RawQuery = q.Encode()
		s, err := store.OpenPostgres(ctx, u.String())
		if err != nil {
			return err
		}
		b.store = s
		b.cleanups = append(b.cleanups, func() { s.Close() })
	}
	if _, err := b.store.Migrate(ctx); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	return nil
}

type benchQuery struct {
	text   string
	class  string
	byDate bool
	total  int
	times  []time.Duration
	sql    time.Duration // store.Search alone, once
}

// titleWords is a title's words as written, with whether each one is a
// searchable word (not a stop word, analyses to a term).
type titleWord struct {
	text string
	ok   bool
}

func words(title string) []titleWord {
	var out []titleWord
	for _, t := range arabic.Tokenize(title) {
		n := arabic.Normalize(t.Text)
		ok := n != "" && !arabic.IsStopword(n) && arabic.Term(t.Text) != "" && len([]rune(n)) >= 2
		out = append(out, titleWord{t.Text, ok})
	}
	return out
}

// buildMix draws n queries from the titles with a fixed seed: 60% one,
// two or three words (from the same title), 10% quoted two-word phrases
// (adjacent words of a title), 10% a word sorted by date, 10% a word with
// an exclusion (-word from another title), 10% ten-word questions. Titles are drawn uniformly, so
// common words come up as often as they do in headlines.
func buildMix(titles []string, n int, seed uint64) []benchQuery {
	rng := mrand.New(mrand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	pick := func() []titleWord {
		for {
			ws := words(titles[rng.IntN(len(titles))])
			var good []titleWord
			for _, w := range ws {
				if w.ok {
					good = append(good, w)
				}
			}
			if len(good) >= 2 {
				return ws
			}
		}
	}
	good := func(ws []titleWord) []string {
		var g []string
		for _, w := range ws {
			if w.ok {
				g = append(g, w.text)
			}
		}
		return g
	}
	nPhrase, nDate, nNot, nQuestion := n/10, n/10, n/10, n/10
	nWords := n - nPhrase - nDate - nNot - nQuestion
	seen := map[string]bool{}
	var mix []benchQuery
	add := func(q benchQuery) bool {
		key := q.text + "|" + q.class
		if seen[key] {
			return false
		}
		seen[key] = true
		mix = append(mix, q)
		return true
	}
	// One, two and three words in turn, the words of one title.
	for i := 0; i < nWords; {
		g := good(pick())
		k := i%3 + 1
		if len(g) < k {
			continue
		}
		rng.Shuffle(len(g), func(x, y int) { g[x], g[y] = g[y], g[x] })
		if add(benchQuery{text: strings.Join(g[:k], " "), class: []string{"word", "two-words", "three-words"}[k-1]}) {
			i++
		}
	}
	// Ten-word questions, as readers type them: a question word, then the
	// words of a title, then of another when the first runs out.
	asks := []string{"ما هي", "متى", "كيف", "لماذا", "هل", "أين"}
	for i := 0; i < nQuestion; {
		q := strings.Fields(asks[rng.IntN(len(asks))])
		for len(q) < 10 {
			g := good(pick())
			q = append(q, g[:min(len(g), 10-len(q))]...)
		}
		if add(benchQuery{text: strings.Join(q, " ") + "؟", class: "question"}) {
			i++
		}
	}
	for i := 0; i < nPhrase; {
		ws := pick()
		var pairs [][2]string
		for j := 0; j+1 < len(ws); j++ {
			if ws[j].ok && ws[j+1].ok {
				pairs = append(pairs, [2]string{ws[j].text, ws[j+1].text})
			}
		}
		if len(pairs) == 0 {
			continue
		}
		p := pairs[rng.IntN(len(pairs))]
		if add(benchQuery{text: `"` + p[0] + " " + p[1] + `"`, class: "phrase"}) {
			i++
		}
	}
	for i := 0; i < nDate; {
		g := good(pick())
		if add(benchQuery{text: g[rng.IntN(len(g))], class: "by-date", byDate: true}) {
			i++
		}
	}
	for i := 0; i < nNot; {
		g := good(pick())
		other := good(pick())
		a, x := g[rng.IntN(len(g))], other[rng.IntN(len(other))]
		if arabic.Term(a) == arabic.Term(x) {
			continue
		}
		if add(benchQuery{text: a + " -" + x, class: "exclusion"}) {
			i++
		}
	}
	return mix
}

// cpuTime is the user and system time this process has used.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func median(ds []time.Duration) time.Duration { return pct(ds, 50) }

// pct is the nearest-rank percentile.
func pct(ds []time.Duration, p float64) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	k := int(float64(len(s))*p/100+0.999999) - 1
	return s[max(0, min(k, len(s)-1))]
}

func ms(d time.Duration) string { return strconv.FormatFloat(float64(d)/1e6, 'f', 2, 64) }

func stats(ds []time.Duration) string {
	var sum time.Duration
	for _, d := range ds {
		sum += d
	}
	mean := time.Duration(0)
	if len(ds) > 0 {
		mean = sum / time.Duration(len(ds))
	}
	return fmt.Sprintf("p50_ms=%s p95_ms=%s p99_ms=%s max_ms=%s mean_ms=%s",
		ms(pct(ds, 50)), ms(pct(ds, 95)), ms(pct(ds, 99)), ms(slices.Max(ds)), ms(mean))
}

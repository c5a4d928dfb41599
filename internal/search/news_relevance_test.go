package search_test

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"khabar/internal/news"
	"khabar/internal/search"
	"khabar/internal/store"
	"khabar/internal/storetest"
)

// newsCorpus is the ANT sample of real Arabic news the relevance set was
// judged over. It lives outside the module (the product never reads it),
// so the test skips when it is absent.
var newsCorpus = filepath.Join("..", "..", "..", "shared", "data", "arabic-news.jsonl")

// newsJudgments: one query a line, «query<TAB>id[,id…]<TAB>kind», the ids
// those of the corpus articles that answer it, written by reading them.
const newsJudgments = "testdata/relevance-news.tsv"

// Floors under which TestNewsRelevance fails, a little under what the set
// measured when it was written (see the comments): a regression in the
// analyser or the ranking moves these first.
//
// Measured (identical on SQLite and PostgreSQL, 1,154 articles): all 170
// queries MRR@10 0.961, Recall@10 0.982; the 110 keyword queries 0.953 and
// 0.973; the 60 questions 0.975 and 1.000. Three keyword queries miss:
// «جوجل بلس» (the article writes غوغل بلاس), «الافروباسكت» (الأفروبسكات)
// and «سوتشي» (سو تشي, two words): spellings the analyser does not join.
var newsFloors = map[string]struct{ mrr, recall float64 }{
	"all":      {0.93, 0.95},
	"keyword":  {0.92, 0.94},
	"question": {0.94, 0.97},
}

// judgment is one query of the set and the corpus articles answering it.
type judgment struct {
	line     int
	q        string
	relevant []string // corpus ids
	kind     string   // "keyword" or "question"
}

func loadJudgments(t *testing.T) []judgment {
	t.Helper()
	f, err := os.Open(newsJudgments)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []judgment
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		if strings.TrimSpace(line) == "" || strings.HasPrefix(line, "#") {
			continue
		}
		cols := strings.Split(line, "\t")
		if len(cols) != 3 || cols[0] == "" || cols[1] == "" {
			t.Fatalf("%s:%d: want query<TAB>ids<TAB>kind, got %q", newsJudgments, n, line)
		}
		if cols[2] != "keyword" && cols[2] != "question" {
			t.Fatalf("%s:%d: kind %q is neither keyword nor question", newsJudgments, n, cols[2])
		}
		out = append(out, judgment{line: n, q: cols[0], relevant: strings.Split(cols[1], ","), kind: cols[2]})
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// newsRecord is the part of a corpus line the test reads.
type newsRecord struct {
	ID    string `json:"id"`
	Title string `json:"title"`
	Body  string `json:"body"`
	Date  string `json:"date"`
}

func readNewsCorpus(t *testing.T) []newsRecord {
	t.Helper()
	f, err := os.Open(newsCorpus)
	if errors.Is(err, fs.ErrNotExist) {
		t.Skipf("news relevance skipped: %s is absent (the shared ANT sample; see shared/data/SOURCES.md)", newsCorpus)
	}
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []newsRecord
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 8<<20)
	for sc.Scan() {
		var r newsRecord
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			t.Fatalf("%s: %v", newsCorpus, err)
		}
		out = append(out, r)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// loadNews publishes every corpus article in one section of a fresh store
// and indexes them; it returns article id → corpus id.
func loadNews(t *testing.T, s *store.Store, corpus []newsRecord) map[int64]string {
	t.Helper()
	ctx := context.Background()
	sec := news.Section{Name: "أخبار", Slug: "news"}
	if err := s.CreateSection(ctx, &sec); err != nil {
		t.Fatal(err)
	}
	ids := make(map[int64]string, len(corpus))
	docs := make([]store.SearchDoc, 0, len(corpus))
	for _, r := range corpus {
		// The corpus dates are 2016–2019, years before any run of this
		// test, so the freshness boost leaves every article alike.
		at, err := time.Parse(time.RFC3339, r.Date)
		if err != nil {
			if at, err = time.Parse(time.DateOnly, r.Date); err != nil {
				t.Fatalf("%s: date %q: %v", r.ID, r.Date, err)
			}
		}
		a := news.Article{Headline: r.Title, SectionID: sec.ID, Status: news.StatusPublished, PublishedAt: at, UpdatedAt: at}
		for _, p := range strings.Split(r.Body, "\n") {
			if p = strings.TrimSpace(p); p != "" {
				a.Body = append(a.Body, news.Block{Type: news.BlockParagraph, Text: p})
			}
		}
		if err := s.CreateArticle(ctx, &a); err != nil {
			t.Fatalf("create %s: %v", r.ID, err)
		}
		ids[a.ID] = r.ID
		// Indexed as Reindex does (search.Doc), from the article just
		// created rather than read back: under the race detector, reading
		// back every article doubled the load's time.
		docs = append(docs, search.Doc(&a))
	}
	for batch := range slices.Chunk(docs, 500) {
		if err := s.IndexArticles(ctx, batch); err != nil {
			t.Fatalf("index: %v", err)
		}
	}
	return ids
}

// distractorEvery keeps every third corpus article besides the judged
// ones. Loading all 3,046 took 45 s per backend under the race detector
// (SQLite parses each statement in Go and checks every pointer), most of
// the package's budget; a third keeps a thousand articles on the same
// subjects (Tunisian politics and sport, the Middle East, technology) to
// rank against.
const distractorEvery = 3

// newsSubset is the judged articles and every distractorEvery-th other.
func newsSubset(corpus []newsRecord, set []judgment) []newsRecord {
	judged := map[string]bool{}
	for _, j := range set {
		for _, id := range j.relevant {
			judged[id] = true
		}
	}
	var out []newsRecord
	for i, r := range corpus {
		if judged[r.ID] || i%distractorEvery == 0 {
			out = append(out, r)
		}
	}
	return out
}

// scores accumulates MRR@10 and Recall@10 over queries.
type scores struct {
	n          int
	rr, recall float64
}

func (s *scores) add(rr, recall float64) { s.n++; s.rr += rr; s.recall += recall }
func (s scores) mrr() float64            { return s.rr / float64(max(s.n, 1)) }
func (s scores) rec() float64            { return s.recall / float64(max(s.n, 1)) }

// TestNewsRelevance runs the relevance set over real news on each
// backend: MRR@10 (one over the rank of the first relevant hit) and
// Recall@10 (the share of the relevant articles in the first ten),
// averaged over the queries, must stay above newsFloors.
func TestNewsRelevance(t *testing.T) {
	corpus := readNewsCorpus(t)
	set := loadJudgments(t)
	known := map[string]bool{}
	for _, r := range corpus {
		known[r.ID] = true
	}
	nq := 0
	for _, j := range set {
		for _, id := range j.relevant {
			if !known[id] {
				t.Fatalf("%s:%d: %q judges %s, which is not in the corpus", newsJudgments, j.line, j.q, id)
			}
		}
		if j.kind == "question" {
			nq++
		}
	}
	if len(set) < 150 || nq < 50 {
		t.Fatalf("the set has %d queries, %d of them questions; want at least 150 and 50", len(set), nq)
	}
	sub := newsSubset(corpus, set)
	ctx := context.Background()
	top := map[string][][]string{} // backend → query → first ten corpus ids
	for _, b := range storetest.Backends {
		t.Run(b.Name, func(t *testing.T) {
			s := b.Open(t)
			ids := loadNews(t, s, sub)
			svc := search.New(s)
			t0 := time.Now()
			defer func() { t.Logf("%d queries in %v", len(set), time.Since(t0)) }()
			by := map[string]*scores{"all": {}, "keyword": {}, "question": {}}
			got := make([][]string, len(set))
			for i, j := range set {
				res, err := svc.Search(ctx, search.Parse(j.q), search.Options{Statuses: []news.Status{news.StatusPublished}, Limit: 10})
				if err != nil {
					t.Fatalf("Search(%q): %v", j.q, err)
				}
				for _, h := range res.Hits {
					got[i] = append(got[i], ids[h.Article.ID])
				}
				rr, found := 0.0, 0
				for r, id := range got[i] {
					if slices.Contains(j.relevant, id) {
						if found == 0 {
							rr = 1 / float64(r+1)
						}
						found++
					}
				}
				recall := float64(found) / float64(len(j.relevant))
				by["all"].add(rr, recall)
				by[j.kind].add(rr, recall)
				if rr == 0 {
					// Kept in the set: a weakness to fix, not to hide.
					t.Logf("miss: %q (line %d): none of %v in the first ten", j.q, j.line, j.relevant)
				}
			}
			top[b.Name] = got
			for _, k := range []string{"all", "keyword", "question"} {
				sc, floor := by[k], newsFloors[k]
				t.Logf("%-8s %3d queries over %d articles: MRR@10 %.3f (floor %.2f), Recall@10 %.3f (floor %.2f)",
					k, sc.n, len(sub), sc.mrr(), floor.mrr, sc.rec(), floor.recall)
				if sc.mrr() < floor.mrr {
					t.Errorf("%s: MRR@10 %.3f is under the floor %.2f", k, sc.mrr(), floor.mrr)
				}
				if sc.rec() < floor.recall {
					t.Errorf("%s: Recall@10 %.3f is under the floor %.2f", k, sc.rec(), floor.recall)
				}
			}
		})
	}

	// Both backends rank with the same BM25 over the same analysis: the
	// first three hits of a query must agree.
	sq, pg := top["sqlite"], top["postgres"]
	if sq == nil || pg == nil {
		t.Log("one backend did not run: not comparing rankings")
		return
	}
	for i, j := range set {
		a, b := sq[i][:min(3, len(sq[i]))], pg[i][:min(3, len(pg[i]))]
		if !slices.Equal(a, b) {
			t.Errorf("%q: top 3 differ\nsqlite:   %v\npostgres: %v", j.q, a, b)
		}
	}
}

package api

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"khabar/internal/auth"
	"khabar/internal/news"
	"khabar/internal/store"
	"khabar/internal/storetest"
)

// articlePage is the list's answer, as a client reads it.
type articlePage struct {
	Articles []struct {
		ID          int64   `json:"id"`
		URL         string  `json:"url"`
		Headline    string  `json:"headline"`
		SectionID   int64   `json:"section_id"`
		AuthorIDs   []int64 `json:"author_ids"`
		Status      string  `json:"status"`
		Version     int64   `json:"version"`
		PublishedAt *string `json:"published_at"`
		UpdatedAt   string  `json:"updated_at"`
	} `json:"articles"`
	NextCursor string `json:"next_cursor"`
}

func (p articlePage) ids() []int64 {
	var out []int64
	for _, a := range p.Articles {
		out = append(out, a.ID)
	}
	return out
}

// list gets a page of articles with hdr, failing on anything but 200.
func (f *fixture) list(t *testing.T, query string, hdr http.Header) articlePage {
	t.Helper()
	r := f.client(t).Do("GET", "/api/v1/articles?"+query, nil, hdr)
	var p articlePage
	if r.Status != http.StatusOK || json.Unmarshal([]byte(r.Body), &p) != nil {
		t.Fatalf("list ?%s: %d %s", query, r.Status, r.Body)
	}
	return p
}

// published stores a published article at the given time, in section
// sec (an index into the fixture's sections), with tags.
func (f *fixture) published(t *testing.T, headline string, at time.Time, sec int, tags ...string) *news.Article {
	t.Helper()
	a := f.Fixture.Article(headline)
	a.Status, a.PublishedAt, a.SectionID = news.StatusPublished, at, f.Sections[sec].ID
	for _, tg := range tags {
		a.Tags = append(a.Tags, news.Tag{Name: tg})
	}
	if err := f.store.CreateArticle(context.Background(), a); err != nil {
		t.Fatal(err)
	}
	return a
}

// walk follows next_cursor from query to the end, returning every id in
// order; between pages it calls between (may be nil) with the page count.
func (f *fixture) walk(t *testing.T, query string, hdr http.Header, between func(page int)) []int64 {
	t.Helper()
	var ids []int64
	q := query
	for page := 1; ; page++ {
		if page > 100 {
			t.Fatalf("walk ?%s: no end after 100 pages", query)
		}
		p := f.list(t, q, hdr)
		ids = append(ids, p.ids()...)
		if p.NextCursor == "" {
			return ids
		}
		if between != nil {
			between(page)
		}
		q = query + "&cursor=" + url.QueryEscape(p.NextCursor)
	}
}

func TestListArticles(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		f := newFixture(t, s)
		t0 := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
		old := f.published(t, "قديم", t0, 0, "نفط")
		mid := f.published(t, "وسط", t0.Add(time.Hour), 1, "نفط", "غاز")
		newest := f.published(t, "أحدث", t0.Add(2*time.Hour), 0)
		f.article(t, news.StatusDraft, "مسودة", "نص")

		r := f.client(t).Get("/api/v1/articles")
		if r.Status != 200 || r.Header.Get("Cache-Control") != publicMaxAge || !strings.Contains(r.Header.Get("Vary"), "Authorization") {
			t.Fatalf("list: %d %q %q %s", r.Status, r.Header.Get("Cache-Control"), r.Header.Get("Vary"), r.Body)
		}
		cases := []struct {
			query string
			want  []int64
		}{
			{"", []int64{newest.ID, mid.ID, old.ID}},
			{"section=economy", []int64{mid.ID}},
			{"section=" + itoa(f.Sections[0].ID), []int64{newest.ID, old.ID}},
			{"tag=" + url.QueryEscape(old.Tags[0].Slug), []int64{mid.ID, old.ID}},
			{"author=" + itoa(f.Authors[0].ID), []int64{newest.ID, mid.ID, old.ID}},
			{"author=" + url.QueryEscape(f.Authors[1].Slug), nil},
			{"limit=2", []int64{newest.ID, mid.ID}},
		}
		for _, c := range cases {
			if got := f.list(t, c.query, nil).ids(); !slices.Equal(got, c.want) {
				t.Errorf("?%s: %v, want %v", c.query, got, c.want)
			}
		}
		// A page that ends the list gives no cursor to an empty one.
		if p := f.list(t, "limit=3", nil); p.NextCursor != "" || f.list(t, "limit=2", nil).NextCursor == "" {
			t.Errorf("limit=3 of 3: next_cursor %q; limit=2 must have one", p.NextCursor)
		}
	})
}

// TestArticleShape reads one article and checks every field of the shape.
func TestArticleShape(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		f := newFixture(t, s)
		a := f.Fixture.Article("عنوان <الخبر>")
		a.Kicker, a.Status, a.PublishedAt, a.Breaking, a.ExternalID = "عاجل", news.StatusPublished, publishedAt, true, "wp-42"
		a.Tags = []news.Tag{{Name: "انتخابات"}}
		a.Body = append(a.Body, news.Block{Type: news.BlockEmbed, URL: "https://www.youtube.com/watch?v=abc"})
		if err := f.store.CreateArticle(context.Background(), a); err != nil {
			t.Fatal(err)
		}
		r := f.client(t).Get("/api/v1/articles/" + itoa(a.ID))
		got := decodeJSON(t, "article", r)
		if r.Status != 200 || r.Header.Get("ETag") != `"`+itoa(a.Version)+`"` {
			t.Fatalf("article: %d ETag %q %s", r.Status, r.Header.Get("ETag"), r.Body)
		}
		want := map[string]any{
			"id": float64(a.ID), "url": "http://khabar.test" + news.ArticlePath(a), "headline": "عنوان <الخبر>", "kicker": "عاجل",
			"lead": "مقدمة الخبر", "section_id": float64(f.Sections[0].ID), "status": "published", "version": float64(a.Version),
			"breaking": true, "pinned": false, "published_at": "2026-03-01T09:00:00Z", "external_id": "wp-42",
		}
		for k, v := range want {
			if got[k] != v {
				t.Errorf("%s: %v, want %v", k, got[k], v)
			}
		}
		var shape struct {
			AuthorIDs []int64 `json:"author_ids"`
			Tags      []tagJSON
			Blocks    []map[string]any
		}
		if err := json.Unmarshal([]byte(r.Body), &shape); err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(shape.AuthorIDs, []int64{f.Authors[0].ID}) || len(shape.Tags) != 1 || shape.Tags[0].Name != "انتخابات" || shape.Tags[0].Slug == "" {
			t.Errorf("authors %v, tags %+v", shape.AuthorIDs, shape.Tags)
		}
		wantBlocks := []map[string]any{
			{"type": "paragraph", "text": "فقرة <strong>أولى</strong>"},
			{"type": "heading", "text": "عنوان فرعي", "level": float64(2)},
			{"type": "quote", "text": "قول مأثور", "cite": "مسؤول"},
			{"type": "embed", "url": "https://www.youtube.com/watch?v=abc"},
		}
		if len(shape.Blocks) != len(wantBlocks) {
			t.Fatalf("blocks: %v", shape.Blocks)
		}
		for i, b := range wantBlocks {
			for k, v := range b {
				if got := shape.Blocks[i][k]; !strings.HasPrefix(strings.TrimSpace(toString(got)), toString(v)) {
					t.Errorf("block %d %s: %v, want %v", i, k, got, v)
				}
			}
		}
	})
}

func toString(v any) string {
	b, _ := json.Marshal(v)
	return strings.Trim(string(b), `"`)
}

// TestArticleCursorWalk walks the list a page at a time while articles are
// published between pages (some at the same instant as those already
// listed): every article there at the start is seen exactly once.
func TestArticleCursorWalk(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		f := newFixture(t, s)
		t0 := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
		var want []int64
		for i := range 11 {
			// Pairs share their publication time: the id breaks the tie.
			want = append(want, f.published(t, "خبر "+itoa(int64(i)), t0.Add(time.Duration(i/2)*time.Minute), i%2).ID)
		}
		slices.Reverse(want)
		got := f.walk(t, "limit=3", nil, func(page int) {
			f.published(t, "جديد", t0.Add(time.Hour), 0)
			f.published(t, "في الوقت نفسه", t0.Add(2*time.Minute), 0)
		})
		seen := map[int64]int{}
		for _, id := range got {
			seen[id]++
		}
		for _, id := range want {
			if seen[id] != 1 {
				t.Errorf("article %d seen %d times in %v", id, seen[id], got)
			}
		}
		for id, n := range seen {
			if n > 1 {
				t.Errorf("article %d seen %d times", id, n)
			}
		}
	})
}

// TestUpdatedSinceWalk is a sync client's walk: changes oldest first; an
// article changed during the walk comes again at its end.
func TestUpdatedSinceWalk(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		f := newFixture(t, s)
		var all []*news.Article
		for i := range 7 {
			all = append(all, f.published(t, "خبر "+itoa(int64(i)), publishedAt, 0))
		}
		since := "updated_since=" + url.QueryEscape(all[0].UpdatedAt.Add(-time.Second).UTC().Format(time.RFC3339))
		var changed *news.Article
		got := f.walk(t, since+"&limit=2", nil, func(page int) {
			if page == 1 {
				stored, err := f.store.GetArticle(context.Background(), all[0].ID)
				if err != nil {
					t.Fatal(err)
				}
				stored.Headline = "خبر معدّل"
				if err := f.store.UpdateArticle(context.Background(), stored); err != nil {
					t.Fatal(err)
				}
				changed = stored
			}
		})
		var want []int64
		for _, a := range all {
			want = append(want, a.ID)
		}
		want = append(want, changed.ID)
		if !slices.Equal(got, want) {
			t.Errorf("sync walk %v, want %v", got, want)
		}
		// From after the last change, nothing is new.
		last := changed.UpdatedAt.Add(time.Second).UTC().Format(time.RFC3339)
		if p := f.list(t, "updated_since="+url.QueryEscape(last), nil); len(p.Articles) != 0 {
			t.Errorf("since the last change: %v", p.ids())
		}
	})
}

// TestArticleReadRoles is who reads what: the list with status= and one
// article by id, for each kind of caller.
func TestArticleReadRoles(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		f := newFixture(t, s)
		ctx := context.Background()
		writer, writerHdr := f.bearer(t, auth.RoleWriter)
		_, editorHdr := f.bearer(t, auth.RoleEditor)
		_, adminHdr := f.bearer(t, auth.RoleAdmin)
		_, moderatorHdr := f.bearer(t, auth.RoleModerator)
		revoked, revokedHdr := f.bearer(t, auth.RoleEditor)
		tokens, err := f.store.ListAPITokens(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, tk := range tokens {
			if tk.UserID == revoked.ID {
				if err := f.store.RevokeAPIToken(ctx, tk.ID, news.Actor{}); err != nil {
					t.Fatal(err)
				}
			}
		}
		pub := f.article(t, news.StatusPublished, "منشور", "نص")
		others := f.article(t, news.StatusDraft, "مسودة غيره", "نص")
		own := f.Fixture.Article("مسودته")
		own.CreatedBy = writer.ID
		if err := f.store.CreateArticle(ctx, own); err != nil {
			t.Fatal(err)
		}

		lists := []struct {
			name   string
			hdr    http.Header
			query  string
			status int
			want   []int64
		}{
			{"anonymous", nil, "", 200, []int64{pub.ID}},
			{"anonymous drafts", nil, "status=draft", 401, nil},
			{"writer drafts", writerHdr, "status=draft", 200, []int64{own.ID}},
			{"writer published", writerHdr, "status=published", 200, []int64{pub.ID}},
			{"editor drafts", editorHdr, "status=draft", 200, []int64{own.ID, others.ID}},
			{"admin drafts", adminHdr, "status=draft", 200, []int64{own.ID, others.ID}},
			{"moderator drafts", moderatorHdr, "status=draft", 403, nil},
			{"moderator published", moderatorHdr, "", 200, []int64{pub.ID}},
			{"revoked", revokedHdr, "", 401, nil},
			{"not bearer", http.Header{"Authorization": {"Basic YTpi"}}, "", 401, nil},
		}
		for _, c := range lists {
			r := f.client(t).Do("GET", "/api/v1/articles?"+c.query, nil, c.hdr)
			if r.Status != c.status {
				t.Errorf("%s: %d, want %d: %s", c.name, r.Status, c.status, r.Body)
				continue
			}
			if c.status != 200 {
				checkProblem(t, c.name, r, c.status)
				continue
			}
			var p articlePage
			json.Unmarshal([]byte(r.Body), &p)
			if got := p.ids(); !sameSet(got, c.want) {
				t.Errorf("%s: %v, want %v", c.name, got, c.want)
			}
			wantCache := "private, no-store"
			if c.hdr == nil {
				wantCache = publicMaxAge
			}
			if cc := r.Header.Get("Cache-Control"); cc != wantCache {
				t.Errorf("%s: Cache-Control %q, want %q", c.name, cc, wantCache)
			}
		}

		reads := []struct {
			name   string
			hdr    http.Header
			id     int64
			status int
		}{
			{"anonymous published", nil, pub.ID, 200},
			{"anonymous draft", nil, own.ID, 404},
			{"writer own draft", writerHdr, own.ID, 200},
			{"writer others' draft", writerHdr, others.ID, 404},
			{"editor draft", editorHdr, others.ID, 200},
			{"admin draft", adminHdr, own.ID, 200},
			{"moderator draft", moderatorHdr, own.ID, 404},
			{"revoked", revokedHdr, pub.ID, 401},
			{"no such id", editorHdr, 1 << 40, 404},
		}
		for _, c := range reads {
			r := f.client(t).Do("GET", "/api/v1/articles/"+itoa(c.id), nil, c.hdr)
			if r.Status != c.status {
				t.Errorf("%s: %d, want %d: %s", c.name, r.Status, c.status, r.Body)
			} else if c.status != 200 {
				checkProblem(t, c.name, r, c.status)
			}
		}
	})
}

func sameSet(a, b []int64) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}

// checkProblem fails unless r is an RFC 9457 problem of status.
func checkProblem(t *testing.T, name string, r storetest.Response, status int) map[string]any {
	t.Helper()
	var p map[string]any
	if r.Header.Get("Content-Type") != "application/problem+json" || json.Unmarshal([]byte(r.Body), &p) != nil {
		t.Fatalf("%s: not a problem: %s %s", name, r.Header.Get("Content-Type"), r.Body)
	}
	if typ, _ := p["type"].(string); !strings.HasPrefix(typ, ProblemBase) || p["title"] == "" || p["status"] != float64(status) {
		t.Errorf("%s: problem %v", name, p)
	}
	if status == 401 && r.Header.Get("WWW-Authenticate") == "" {
		t.Errorf("%s: 401 without WWW-Authenticate", name)
	}
	return p
}

func TestArticleETag(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		f := newFixture(t, s)
		a := f.article(t, news.StatusPublished, "خبر", "نص")
		path := "/api/v1/articles/" + itoa(a.ID)
		etag := f.client(t).Get(path).Header.Get("ETag")
		for _, inm := range []string{etag, "W/" + etag, `"nope", ` + etag, "*"} {
			r := f.client(t).Do("GET", path, nil, http.Header{"If-None-Match": {inm}})
			if r.Status != http.StatusNotModified || r.Body != "" || r.Header.Get("ETag") != etag {
				t.Errorf("If-None-Match %s: %d %q", inm, r.Status, r.Body)
			}
		}
		stored, err := f.store.GetArticle(context.Background(), a.ID)
		if err != nil {
			t.Fatal(err)
		}
		stored.Lead = "مقدمة أخرى"
		if err := f.store.UpdateArticle(context.Background(), stored); err != nil {
			t.Fatal(err)
		}
		r := f.client(t).Do("GET", path, nil, http.Header{"If-None-Match": {etag}})
		if r.Status != 200 || r.Header.Get("ETag") == etag {
			t.Errorf("after a change: %d ETag %q (was %q)", r.Status, r.Header.Get("ETag"), etag)
		}
	})
}

// TestArticleBadParameters sends hostile parameters: each is a 400 (or
// 404) problem naming the parameter, in both languages, never a 500.
func TestArticleBadParameters(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		f := newFixture(t, s)
		f.article(t, news.StatusPublished, "خبر", "نص")
		huge := strings.Repeat("9", 5000)
		tagCursor := cursor{mode: 't', id: 1}.String()
		cases := []struct {
			query, param, reason string
		}{
			{"limit=0", "limit", "out_of_range"},
			{"limit=1000", "limit", "out_of_range"},
			{"limit=abc", "limit", "not_a_number"},
			{"limit=99999999999999999999", "limit", "not_a_number"},
			{"cursor=abc", "cursor", "bad_cursor"},
			{"cursor=" + tagCursor, "cursor", "bad_cursor"},
			{"cursor=" + cursor{mode: 'p', id: -1}.String(), "cursor", "bad_cursor"},
			{"updated_since=yesterday", "updated_since", "bad_time"},
			{"updated_since=2026-13-01T00:00:00Z", "updated_since", "bad_time"},
			{"section=nowhere", "section", "unknown"},
			{"section=999999", "section", "unknown"},
			{"section=99999999999999999999", "section", "unknown"},
			{"tag=none", "tag", "unknown"},
			{"author=0", "author", "unknown"},
			{"status=deleted", "status", "unknown_status"},
			{"section=%ff%fe", "section", "malformed"},
			{"tag=" + huge, "tag", "malformed"},
		}
		for _, c := range cases {
			r := f.client(t).Get("/api/v1/articles?" + c.query)
			if r.Status != 400 {
				t.Errorf("?%.40s: %d %s", c.query, r.Status, r.Body)
				continue
			}
			p := checkProblem(t, c.query, r, 400)
			errs, _ := p["errors"].([]any)
			if len(errs) != 1 {
				t.Errorf("?%.40s: errors %v", c.query, p["errors"])
				continue
			}
			e := errs[0].(map[string]any)
			msg, _ := e["message"].(map[string]any)
			ar, _ := msg["ar"].(string)
			en, _ := msg["en"].(string)
			if e["name"] != c.param || e["reason"] != c.reason || !strings.Contains(en, c.param) || ar == "" || ar == en || strings.HasPrefix(ar, "api_") {
				t.Errorf("?%.40s: error %v", c.query, e)
			}
		}
		// Several at once are all named.
		for _, q := range []string{"limit=0&cursor=x", "limit=abc&section=%ff&section=%fe"} {
			p := checkProblem(t, q, f.client(t).Get("/api/v1/articles?"+q), 400)
			if errs, _ := p["errors"].([]any); len(errs) != 2 {
				t.Errorf("?%s: two bad parameters, %v", q, p)
			}
		}
		for _, path := range []string{"/api/v1/articles/abc", "/api/v1/articles/-1", "/api/v1/articles/0", "/api/v1/articles/" + huge} {
			checkProblem(t, path, f.client(t).Get(path), 404)
		}
	})
}

func TestTaxonomyLists(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		f := newFixture(t, s)
		ctx := context.Background()
		sub := news.Section{Name: "محلي", Slug: "local", ParentID: f.Sections[0].ID, Position: 3}
		if err := s.CreateSection(ctx, &sub); err != nil {
			t.Fatal(err)
		}
		var tags []string
		for i := range 5 {
			tags = append(tags, "وسم"+itoa(int64(i)))
		}
		f.published(t, "خبر", publishedAt, 0, tags...)

		var secs struct{ Sections []sectionJSON }
		r := f.client(t).Get("/api/v1/sections")
		if err := json.Unmarshal([]byte(r.Body), &secs); err != nil || r.Status != 200 || len(secs.Sections) != 3 {
			t.Fatalf("sections: %d %s", r.Status, r.Body)
		}
		last := secs.Sections[2]
		if last.Slug != "local" || last.ParentID == nil || *last.ParentID != f.Sections[0].ID || last.URL != "http://khabar.test/section/local" || secs.Sections[0].ParentID != nil {
			t.Errorf("sections: %+v", secs.Sections)
		}

		var authors struct{ Authors []namedJSON }
		r = f.client(t).Get("/api/v1/authors")
		if err := json.Unmarshal([]byte(r.Body), &authors); err != nil || len(authors.Authors) != 2 || authors.Authors[0].URL == "" {
			t.Fatalf("authors: %d %s", r.Status, r.Body)
		}

		var seen []string
		q := "limit=2"
		for page := 0; ; page++ {
			if page > 10 {
				t.Fatal("tags: no end")
			}
			var p struct {
				Tags       []namedJSON
				NextCursor string `json:"next_cursor"`
			}
			r := f.client(t).Get("/api/v1/tags?" + q)
			if err := json.Unmarshal([]byte(r.Body), &p); err != nil || r.Status != 200 {
				t.Fatalf("tags: %d %s", r.Status, r.Body)
			}
			for _, tg := range p.Tags {
				seen = append(seen, tg.Name)
			}
			if p.NextCursor == "" {
				break
			}
			q = "limit=2&cursor=" + url.QueryEscape(p.NextCursor)
		}
		if r := f.client(t).Get("/api/v1/tags?limit=5"); strings.Contains(r.Body, "next_cursor") {
			t.Errorf("5 tags of 5: %s", r.Body)
		}
		if !slices.Equal(seen, tags) {
			t.Errorf("tags %v, want %v", seen, tags)
		}
		for _, q := range []string{"limit=0", "cursor=zz", "cursor=" + cursor{mode: 'p', at: publishedAt, id: 1}.String()} {
			checkProblem(t, "tags "+q, f.client(t).Get("/api/v1/tags?"+q), 400)
		}
	})
}

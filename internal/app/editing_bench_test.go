package app_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"khabar/internal/news"
)

// formOf is the article form as the editor page posts it, every block
// with its fields.
func formOf(a *news.Article) url.Values {
	f := url.Values{"headline": {a.Headline}, "kicker": {a.Kicker}, "lead": {a.Lead}, "slug": {a.Slug},
		"section": {strconv.FormatInt(a.SectionID, 10)}, "version": {strconv.FormatInt(a.Version, 10)},
		"blocks": {strconv.Itoa(len(a.Body))}}
	for _, au := range a.Authors {
		f.Add("authors", strconv.FormatInt(au.ID, 10))
	}
	var tags []string
	for _, t := range a.Tags {
		tags = append(tags, t.Name)
	}
	f.Set("tags", strings.Join(tags, "، "))
	for i, b := range a.Body {
		p := "b" + strconv.Itoa(i) + "_"
		f.Set(p+"type", string(b.Type))
		f.Set(p+"pos", strconv.Itoa(i+1))
		for k, v := range map[string]string{"text": b.Text, "cite": b.Cite, "caption": b.Caption, "credit": b.Credit, "alt": b.Alt,
			"url": b.URL, "title": b.Title, "items": strings.Join(b.Items, "\n")} {
			if v != "" {
				f.Set(p+k, v)
			}
		}
		if b.Level > 0 {
			f.Set(p+"level", strconv.Itoa(b.Level))
		}
		if b.MediaID > 0 {
			f.Set(p+"media", strconv.FormatInt(b.MediaID, 10))
		}
		if b.ArticleID > 0 {
			f.Set(p+"article", strconv.FormatInt(b.ArticleID, 10))
		}
		if b.Ordered {
			f.Set(p+"ordered", "on")
		}
	}
	return f
}

// BenchmarkAutosave is one autosave round trip of the demo article with
// the most blocks, as its editor's page sends it every few seconds,
// through the whole middleware stack without the network (issue 3: under
// 50 ms): as a draft (saved in place) and as a live article (a staged
// update).
func BenchmarkAutosave(b *testing.B) {
	a := benchApp(b)
	h := a.Handler()
	cookies := benchEditor(b, a, h)
	long := longestArticle(b, a.Store)
	draft := *long
	draft.ID, draft.Slug, draft.Status, draft.PublishedAt = 0, "", news.StatusDraft, time.Time{}
	if err := a.Store.CreateArticle(context.Background(), &draft); err != nil {
		b.Fatal(err)
	}
	for _, art := range []*news.Article{&draft, long} {
		b.Run(string(art.Status), func(b *testing.B) {
			form := formOf(art)
			path := "/admin/articles/" + strconv.FormatInt(art.ID, 10) + "/autosave"
			version := art.Version
			b.ReportAllocs()
			for b.Loop() {
				form.Set("version", strconv.FormatInt(version, 10))
				r := httptest.NewRequest("POST", path, strings.NewReader(form.Encode()))
				r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				r.Header.Set("Accept", "application/json")
				for _, c := range cookies {
					r.AddCookie(c)
				}
				w := httptest.NewRecorder()
				h.ServeHTTP(w, r)
				if w.Code != http.StatusOK {
					b.Fatalf("autosave: %d %s", w.Code, w.Body)
				}
				version++
			}
			b.ReportMetric(float64(len(form.Encode())), "form-bytes")
		})
	}
}

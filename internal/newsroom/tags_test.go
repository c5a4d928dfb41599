package newsroom

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"khabar/internal/auth"
	"khabar/internal/news"
	"khabar/internal/store"
	"khabar/internal/storetest"
)

// TestTagSuggestionsAndCanonicalLink: the tag field's suggestions come as
// JSON for newsroom writers only, hamza-insensitive; an overlong query is
// refused; the article form shows the article's permanent link, unescaped.
func TestTagSuggestionsAndCanonicalLink(t *testing.T) {
	storetest.Each(t, testTagSuggestionsAndCanonicalLink)
}

func testTagSuggestionsAndCanonicalLink(t *testing.T, s *store.Store) {
	f := newFixture(t, s)
	wu, writer := f.as(t, auth.RoleWriter)
	_, moderator := f.as(t, auth.RoleModerator)
	a := f.articleIn(t, news.StatusDraft, wu.ID)
	a.Tags = []news.Tag{{Name: "أوكسجين طبي"}, {Name: "اوكسجين"}}
	a.Slug = "سقوط-الحكومة"
	if err := s.UpdateArticle(context.Background(), a); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		c      *storetest.Client
		q      string
		status int
		want   []string
	}{
		{writer, "اوكس", 200, []string{"أوكسجين طبي", "اوكسجين"}},
		{writer, "أوكسجين ط", 200, []string{"أوكسجين طبي"}},
		{writer, "%", 200, []string{}},
		{writer, "", 200, []string{}},
		{writer, strings.Repeat("ت", 101), 400, nil},
		{moderator, "الاس", 403, nil},
	} {
		r := c.c.Get("/admin/tags?q=" + url.QueryEscape(c.q))
		if r.Status != c.status {
			t.Errorf("%.20q: %d, want %d", c.q, r.Status, c.status)
			continue
		}
		if c.want == nil {
			continue
		}
		var got struct{ Tags []string }
		if err := json.Unmarshal([]byte(r.Body), &got); err != nil {
			t.Fatalf("%q: %v %s", c.q, err, r.Body)
		}
		if strings.Join(got.Tags, "|") != strings.Join(c.want, "|") || got.Tags == nil {
			t.Errorf("%q: %q, want %q", c.q, got.Tags, c.want)
		}
	}

	page := writer.Get(adminPath(a))
	if !strings.Contains(page.Body, `/news/`+itoa(a.ID)+`/سقوط-الحكومة</a>`) || !strings.Contains(page.Body, `href="http`) || !strings.Contains(page.Body, `list="tag-suggestions"`) {
		t.Errorf("the article form lacks its permanent link or tag suggestions:\n%s", page.Body)
	}
	if page := writer.Get("/admin/articles/new"); !strings.Contains(page.Body, "يظهر رابط الخبر الدائم بعد حفظه") {
		t.Error("a new article's form does not say when its link shows")
	}
	if r := writer.Get("/admin/articles/new"); r.Status != http.StatusOK {
		t.Fatal(r.Status)
	}
}

package app

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"khabar/internal/auth"
	"khabar/internal/news"
)

// TestTagSuggestionsAndCanonicalLink: the tag field's suggestions come as
// JSON for newsroom writers only, hamza-insensitive; an overlong query is
// refused; the article form shows the article's permanent link, unescaped.
func TestTagSuggestionsAndCanonicalLink(t *testing.T) {
	n := startNode(t, "")
	writer, wid := loginAs(t, n, auth.RoleWriter)
	moderator := asRole(t, n, auth.RoleModerator)
	a := articleIn(t, n, news.StatusDraft, wid)
	a.Tags = []news.Tag{{Name: "أوكسجين طبي"}, {Name: "اوكسجين"}}
	a.Slug = "سقوط-الحكومة"
	if err := n.Store.UpdateArticle(context.Background(), a); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		c      *node
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
		r := c.c.get(t, "/admin/tags?q="+url.QueryEscape(c.q))
		if r.status != c.status {
			t.Errorf("%.20q: %d, want %d", c.q, r.status, c.status)
			continue
		}
		if c.want == nil {
			continue
		}
		var got struct{ Tags []string }
		if err := json.Unmarshal([]byte(r.body), &got); err != nil {
			t.Fatalf("%q: %v %s", c.q, err, r.body)
		}
		if strings.Join(got.Tags, "|") != strings.Join(c.want, "|") || got.Tags == nil {
			t.Errorf("%q: %q, want %q", c.q, got.Tags, c.want)
		}
	}

	page := writer.get(t, "/admin/articles/"+id(a))
	if !strings.Contains(page.body, `/news/`+id(a)+`/سقوط-الحكومة</a>`) || !strings.Contains(page.body, `href="http`) || !strings.Contains(page.body, `list="tag-suggestions"`) {
		t.Errorf("the article form lacks its permanent link or tag suggestions:\n%s", page.body)
	}
	if page := writer.get(t, "/admin/articles/new"); !strings.Contains(page.body, "يظهر رابط الخبر الدائم بعد حفظه") {
		t.Error("a new article's form does not say when its link shows")
	}
	if r := writer.get(t, "/admin/articles/new"); r.status != http.StatusOK {
		t.Fatal(r.status)
	}
}

package api_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"

	"khabar/internal/api"
	"khabar/internal/apptest"
	"khabar/internal/auth"
	"khabar/internal/feed"
	"khabar/internal/feed/feedtest"
	"khabar/internal/news"
	"khabar/internal/storetest"
)

// TestNinjsOfDemoArticles: every demo article, published or not, read as
// ninjs 2.2 and 3.1 by ?format= and by Accept, is valid against IPTC's
// schema and against the API's OpenAPI document, on SQLite and
// PostgreSQL; pictures come with renditions a client can fetch.
func TestNinjsOfDemoArticles(t *testing.T) {
	t.Parallel()
	apptest.EachDatabase(t, func(t *testing.T, dbURL string) {
		n := apptest.StartNode(t, dbURL)
		editor, _ := storetest.Staff(t, n.Store, auth.RoleEditor)
		bearer := "Bearer " + storetest.APIToken(t, n.Store, editor)
		var ids []int64
		for _, status := range []string{"published", "draft", "review", "scheduled", "unpublished"} {
			r := n.Do(t, "GET", "/api/v1/articles?limit=100&status="+status, nil, map[string]string{"Authorization": bearer})
			var page struct {
				Articles []struct{ ID int64 } `json:"articles"`
			}
			if r.Status != http.StatusOK || json.Unmarshal([]byte(r.Body), &page) != nil {
				t.Fatalf("list %s: %d %s", status, r.Status, r.Body)
			}
			for _, a := range page.Articles {
				ids = append(ids, a.ID)
			}
		}
		if len(ids) < 10 {
			t.Fatalf("%d demo articles: the demo should have more", len(ids))
		}
		pictures := 0
		contract := api.NewContract(t)
		for _, id := range ids {
			path := "/api/v1/articles/" + strconv.FormatInt(id, 10)
			for _, ask := range []struct {
				query, accept, version string
			}{
				{"?format=ninjs", "", feed.Ninjs2},
				{"?format=ninjs3", "", feed.Ninjs3},
				{"", "application/ninjs+json", feed.Ninjs2},
				{"", "text/html;q=0.5, application/ninjs+json; version=3.1", feed.Ninjs3},
			} {
				hdr := map[string]string{"Authorization": bearer}
				if ask.accept != "" {
					hdr["Accept"] = ask.accept
				}
				r := n.Do(t, "GET", path+ask.query, nil, hdr)
				if r.Status != http.StatusOK || r.Header.Get("Content-Type") != api.NinjsType+"; version="+ask.version {
					t.Fatalf("%s%s (Accept %q): %d %s\n%s", path, ask.query, ask.accept, r.Status, r.Header.Get("Content-Type"), r.Body)
				}
				feedtest.CheckNinjs(t, []byte(r.Body), ask.version)
				// And as the API's OpenAPI document describes it.
				sent := http.Header{}
				for k, v := range hdr {
					sent.Set(k, v)
				}
				contract.Check(t, "GET", path+ask.query, sent, nil, storetest.Response{Status: r.Status, Header: r.Header, Body: r.Body})
				var doc struct {
					URI          string `json:"uri"`
					Associations []struct {
						Renditions []struct {
							Href string `json:"href"`
						} `json:"renditions"`
					} `json:"associations"`
				}
				if err := json.Unmarshal([]byte(r.Body), &doc); err != nil {
					t.Fatal(err)
				}
				if u, err := url.Parse(doc.URI); err != nil || !u.IsAbs() || u.Path != "/news/"+strconv.FormatInt(id, 10) {
					t.Errorf("%s: uri %q", path, doc.URI)
				}
				if ask.query != "?format=ninjs" {
					continue
				}
				for _, p := range doc.Associations {
					pictures++
					for _, rend := range p.Renditions {
						u, err := url.Parse(rend.Href)
						if err != nil || !u.IsAbs() || !strings.HasPrefix(u.Path, "/media/") {
							t.Fatalf("%s: rendition %q is not one of our media URLs", path, rend.Href)
						}
						if got := n.Get(t, u.Path); got.Status != http.StatusOK {
							t.Errorf("%s: rendition %s: %d", path, u.Path, got.Status)
						}
					}
				}
			}
		}
		if pictures == 0 {
			t.Error("no demo article has a picture: renditions went untested")
		}
	})
}

// TestNinjsNegotiation: ninjs has its own ETag and is negotiated by
// Accept (Vary says so); an unknown ?format= is a 400 problem; a draft
// stays hidden without a token, whatever the format.
func TestNinjsNegotiation(t *testing.T) {
	t.Parallel()
	n := apptest.StartNode(t, "")
	a := apptest.FirstPublished(t, n.Store)
	path := "/api/v1/articles/" + apptest.ID(a)
	plain := n.Get(t, path)
	ninjs := n.Get(t, path+"?format=ninjs")
	if plain.Header.Get("ETag") == ninjs.Header.Get("ETag") || !slices.Contains(ninjs.Header.Values("Vary"), "Accept") {
		t.Fatalf("ETag %q and %q, Vary %q: each representation needs its own tag, and caches must key on Accept",
			plain.Header.Get("ETag"), ninjs.Header.Get("ETag"), ninjs.Header.Values("Vary"))
	}
	for _, tc := range []struct {
		name   string
		query  string
		inm    string
		status int
	}{
		{"ninjs tag", "?format=ninjs", ninjs.Header.Get("ETag"), http.StatusNotModified},
		{"JSON tag on ninjs", "?format=ninjs", plain.Header.Get("ETag"), http.StatusOK},
		{"ninjs tag on JSON", "", ninjs.Header.Get("ETag"), http.StatusOK},
		{"ninjs 2 tag on 3", "?format=ninjs3", ninjs.Header.Get("ETag"), http.StatusOK},
	} {
		if r := n.Do(t, "GET", path+tc.query, nil, map[string]string{"If-None-Match": tc.inm}); r.Status != tc.status {
			t.Errorf("%s: %d, want %d", tc.name, r.Status, tc.status)
		}
	}
	for _, q := range []string{"?format=xml", "?format=", "?format=ninjs&format=json", "?format=%FF"} {
		r := n.Get(t, path+q)
		if r.Status != http.StatusBadRequest || r.Header.Get("Content-Type") != "application/problem+json" || !strings.Contains(r.Body, `"name":"format"`) {
			t.Errorf("%s: %d %s %s", q, r.Status, r.Header.Get("Content-Type"), r.Body)
		}
	}
	draft := apptest.ArticleIn(t, n, news.StatusDraft, 0)
	if r := n.Get(t, "/api/v1/articles/"+apptest.ID(draft)+"?format=ninjs"); r.Status != http.StatusNotFound {
		t.Errorf("a draft as ninjs without a token: %d", r.Status)
	}
}

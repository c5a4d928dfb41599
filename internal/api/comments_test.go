package api

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"khabar/internal/news"
	"khabar/internal/store"
	"khabar/internal/storetest"
)

// commentList is the list endpoint's answer, as a client reads it.
type commentList struct {
	ArticleID int64 `json:"article_id"`
	Count     int
	Page      int
	Pages     int
	Comments  []struct {
		ID      int64
		Name    string
		Body    string
		Replies []struct{ ID int64 }
	}
}

func (f *fixture) listComments(t *testing.T, articleID int64, query string) commentList {
	t.Helper()
	r := f.client(t).Get("/api/v1/articles/" + itoa(articleID) + "/comments" + query)
	var l commentList
	if r.Status != 200 || json.Unmarshal([]byte(r.Body), &l) != nil {
		t.Fatalf("list comments%s: %d %s", query, r.Status, r.Body)
	}
	return l
}

// token is a fresh form token for the article, from the API.
func (f *fixture) token(t *testing.T, articleID int64) string {
	t.Helper()
	path := "/api/v1/articles/" + itoa(articleID) + "/comments/token"
	r := f.client(t).Get(path)
	tok, _ := decodeJSON(t, path, r)["token"].(string)
	if r.Status != 200 || tok == "" || r.Header.Get("Cache-Control") != "no-store" {
		t.Fatalf("token: %d %s %q", r.Status, r.Body, r.Header.Get("Cache-Control"))
	}
	return tok
}

func (f *fixture) approve(t *testing.T, ids ...int64) {
	t.Helper()
	if _, err := f.store.ModerateComments(context.Background(), ids, news.CommentApproved, news.Actor{}); err != nil {
		t.Fatal(err)
	}
}

func TestCommentsAPI(t *testing.T) {
	storetest.Each(t, testCommentsAPI)
}

// testCommentsAPI: a reader's script takes a form token, posts a comment
// and a reply (in JSON, or as a form), and lists what was approved, each
// comment with its replies, newest or oldest first.
func testCommentsAPI(t *testing.T, s *store.Store) {
	f := newFixture(t, s)
	a := f.article(t, news.StatusPublished, "خبر للتعليق", "نص الخبر")
	api := "/api/v1/articles/" + itoa(a.ID) + "/comments"
	r, out := f.postJSON(t, "POST", api, `{"name":"ريم","body":"تحليل دقيق، شكرًا للكاتب.","token":"`+f.token(t, a.ID)+`"}`, nil)
	if r.Status != http.StatusCreated || out["status"] != "pending" || out["message"] != "تعليقك بانتظار المراجعة" {
		t.Fatalf("post: %d %v", r.Status, out)
	}
	first := int64(out["id"].(float64))
	next, _ := out["token"].(string)
	if next == "" {
		t.Fatalf("the answer brings no token for the next comment: %v", out)
	}
	if l := f.listComments(t, a.ID, ""); l.Count != 0 || l.Comments == nil || len(l.Comments) != 0 {
		t.Fatalf("a pending comment is listed: %+v", l)
	}
	f.approve(t, first)
	r, out = f.postJSON(t, "POST", api, `{"name":"Sami","body":"أوافق تمامًا","parent_id":`+itoa(first)+`,"token":"`+next+`"}`, nil)
	if r.Status != http.StatusCreated || out["status"] != "pending" || out["parent"] != float64(first) {
		t.Fatalf("reply: %d %v", r.Status, out)
	}
	reply := int64(out["id"].(float64))
	// Without JavaScript's JSON: the site's form fields.
	r = f.client(t).Post(api, url.Values{"name": {"هالة"}, "body": {"رأي آخر"}, "token": {f.token(t, a.ID)}})
	out = decodeJSON(t, api, r)
	if r.Status != http.StatusCreated || out["status"] != "pending" {
		t.Fatalf("form post: %d %v", r.Status, out)
	}
	second := int64(out["id"].(float64))
	f.approve(t, reply, second)
	l := f.listComments(t, a.ID, "")
	if l.ArticleID != a.ID || l.Count != 3 || l.Page != 1 || l.Pages != 1 || len(l.Comments) != 2 {
		t.Fatalf("list: %+v", l)
	}
	if l.Comments[0].ID != second || l.Comments[1].ID != first || len(l.Comments[1].Replies) != 1 || l.Comments[1].Replies[0].ID != reply {
		t.Errorf("newest first, replies under their comment: %+v", l.Comments)
	}
	if l := f.listComments(t, a.ID, "?sort=oldest"); len(l.Comments) != 2 || l.Comments[0].ID != first || l.Comments[0].Name != "ريم" {
		t.Errorf("oldest first: %+v", l.Comments)
	}
	if r := f.client(t).Get(api); !strings.HasPrefix(r.Header.Get("Cache-Control"), "public") {
		t.Errorf("list Cache-Control: %q", r.Header.Get("Cache-Control"))
	}
}

func TestCommentsAPIBadInput(t *testing.T) {
	storetest.Each(t, testCommentsAPIBadInput)
}

// testCommentsAPIBadInput: JSON errors that say what was wrong, never a
// 500, and nothing refused is stored.
func testCommentsAPIBadInput(t *testing.T, s *store.Store) {
	f := newFixture(t, s)
	ctx := context.Background()
	a := f.article(t, news.StatusPublished, "خبر", "نص")
	other := f.article(t, news.StatusPublished, "خبر آخر", "نص")
	draft := f.article(t, news.StatusDraft, "مسودة", "نص")
	closed := f.article(t, news.StatusPublished, "خبر مغلق", "نص")
	closed.CommentsMode = news.CommentsClosed
	if err := s.UpdateArticle(ctx, closed); err != nil {
		t.Fatal(err)
	}
	foreign := &news.Comment{ArticleID: other.ID, Status: news.CommentApproved, Name: "n", Body: "b", Identity: "i", IPHash: "h", BodyHash: "bh"}
	if err := s.CreateComment(ctx, foreign); err != nil {
		t.Fatal(err)
	}
	api := "/api/v1/articles/" + itoa(a.ID) + "/comments"
	spent := f.token(t, a.ID)
	if r, out := f.postJSON(t, "POST", api, `{"name":"x","body":"أول","token":"`+spent+`"}`, nil); r.Status != http.StatusCreated {
		t.Fatalf("post: %d %v", r.Status, out)
	}
	for _, c := range []struct {
		name, path, body string
		hdr              http.Header
		status           int
		want             string // the error code
	}{
		{"broken JSON", api, `{"name":`, nil, http.StatusBadRequest, ""},
		{"huge body", api, `{"body":"` + strings.Repeat("x", 100<<10) + `"}`, nil, http.StatusRequestEntityTooLarge, ""},
		{"wrong types", api, `{"name":1,"body":[]}`, nil, http.StatusBadRequest, ""},
		{"negative parent", api, `{"name":"x","body":"y","parent_id":-5,"token":"` + f.token(t, a.ID) + `"}`, nil, http.StatusCreated, ""},
		{"cross-origin", api, `{"name":"x","body":"y","token":"` + f.token(t, a.ID) + `"}`, crossSite, http.StatusForbidden, ""},
		{"empty name", api, `{"name":"","body":"y","token":"` + f.token(t, a.ID) + `"}`, nil, http.StatusUnprocessableEntity, "invalid"},
		{"honeypot filled", api, `{"name":"x","body":"y","website":"http://spam","token":"` + f.token(t, a.ID) + `"}`, nil, http.StatusForbidden, "spam"},
		{"no token", api, `{"name":"x","body":"y"}`, nil, http.StatusBadRequest, "bad_token"},
		{"another article's token", api, `{"name":"x","body":"y","token":"` + f.token(t, other.ID) + `"}`, nil, http.StatusBadRequest, "other_article"},
		{"a spent token", api, `{"name":"x","body":"مكرر","token":"` + spent + `"}`, nil, http.StatusConflict, "token_used"},
		{"parent on another article", api, `{"name":"x","body":"z","parent_id":` + itoa(foreign.ID) + `,"token":"` + f.token(t, a.ID) + `"}`, nil, http.StatusConflict, "parent_gone"},
		{"closed", "/api/v1/articles/" + itoa(closed.ID) + "/comments", `{"name":"x","body":"y","token":"` + f.token(t, closed.ID) + `"}`, nil, http.StatusForbidden, "closed"},
		{"article 0", "/api/v1/articles/0/comments", `{}`, nil, http.StatusNotFound, ""},
		{"a draft", "/api/v1/articles/" + itoa(draft.ID) + "/comments", `{}`, nil, http.StatusNotFound, ""},
	} {
		r, out := f.postJSON(t, "POST", c.path, c.body, c.hdr)
		if r.Status != c.status || c.want != "" && out["error"] != c.want {
			t.Errorf("API %s: %d %v, want %d %s", c.name, r.Status, out, c.status, c.want)
		}
		// A comment taken, or a token that cannot be sent again, brings a
		// fresh token in the answer.
		fresh := r.Status == http.StatusCreated || c.want == "bad_token" || c.want == "other_article" || c.want == "token_used"
		if tok, _ := out["token"].(string); fresh != (tok != "") {
			t.Errorf("API %s: token in the answer %q", c.name, tok)
		}
	}
	// Bad fields are named, and told in the outlet's language.
	if r, out := f.postJSON(t, "POST", api, `{"name":"","body":"y","token":"`+f.token(t, a.ID)+`"}`, nil); r.Status != 422 || !strings.Contains(out["message"].(string), "الاسم: هذا الحقل مطلوب") || out["fields"] == nil {
		t.Errorf("invalid fields: %d %v", r.Status, out)
	}
	// Text that is not UTF-8 is refused, not repaired with U+FFFD: raw
	// bytes, and escapes of half a surrogate pair. A whole pair and an
	// escaped backslash before "u" are fine.
	for _, c := range []struct {
		name, fields string // JSON members; fields: what is named bad
		bad          string
	}{
		{"invalid byte in the body", "\"name\":\"x\",\"body\":\"نص \xff\"", "body"},
		{"invalid bytes in name and e-mail", "\"name\":\"\xc3\x28\",\"email\":\"a\xe2@x.example\",\"body\":\"y\"", "email name"},
		{"lone high surrogate", `"name":"x","body":"a\ud83d b"`, "body"},
		{"lone low surrogate", `"name":"\uDE00","body":"y"`, "name"},
		{"high surrogate, then another escape", `"name":"x","body":"\ud83d\u0041"`, "body"},
	} {
		r, out := f.postJSON(t, "POST", api, `{`+c.fields+`,"token":"`+f.token(t, a.ID)+`"}`, nil)
		fields, _ := out["fields"].(map[string]any)
		var bad []string
		for k, v := range fields {
			if v == "bad_encoding" {
				bad = append(bad, k)
			}
		}
		slices.Sort(bad)
		if r.Status != http.StatusUnprocessableEntity || out["error"] != "invalid" || strings.Join(bad, " ") != c.bad {
			t.Errorf("%s: %d %v, want 422 naming %s bad_encoding", c.name, r.Status, out, c.bad)
		}
	}
	for _, body := range []string{`a \ud83d\ude00 b`, `\\ud83d`, `\ufffd is a character`} {
		if r, out := f.postJSON(t, "POST", api, `{"name":"x","body":"`+body+`","token":"`+f.token(t, a.ID)+`"}`, nil); r.Status != http.StatusCreated {
			t.Errorf("body %s: %d %v", body, r.Status, out)
		}
	}
	// A script that posts the moment it has the token is told to wait.
	f.comments.MinFill = time.Minute
	r, out := f.postJSON(t, "POST", api, `{"name":"x","body":"سريع","token":"`+f.token(t, a.ID)+`"}`, nil)
	if r.Status != http.StatusTooManyRequests || out["error"] != "too_fast" || r.Header.Get("Retry-After") == "" {
		t.Errorf("instant post: %d %v %q", r.Status, out, r.Header.Get("Retry-After"))
	}
	// It says how long: a minute less the moment the request took.
	if msg, _ := out["message"].(string); !regexp.MustCompile(`انتظر (59|60) ثانية ثم`).MatchString(msg) {
		t.Errorf("the refusal does not say how long to wait: %q", msg)
	}
	// Only the first, the comment with a negative parent (taken as none)
	// and the three well-encoded bodies got in.
	if list, err := s.ListComments(ctx, store.CommentFilter{Limit: 100}); err != nil || len(list) != 6 {
		t.Errorf("stored %d comments (%v), want the fixture's and the five accepted", len(list), err)
	}
	for path, want := range map[string]int{
		api + "?sort=sideways":                                   http.StatusBadRequest,
		api + "?page=0":                                          http.StatusBadRequest,
		api + "?page=abc":                                        http.StatusBadRequest,
		"/api/v1/articles/999999/comments":                       http.StatusNotFound,
		"/api/v1/articles/abc/comments":                          http.StatusNotFound,
		"/api/v1/articles/" + itoa(draft.ID) + "/comments":       http.StatusNotFound,
		"/api/v1/articles/" + itoa(draft.ID) + "/comments/token": http.StatusNotFound,
	} {
		r := f.client(t).Get(path)
		if decodeJSON(t, path, r); r.Status != want {
			t.Errorf("GET %s: %d, want %d", path, r.Status, want)
		}
	}
}

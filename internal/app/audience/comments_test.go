package audience_test

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"khabar/internal/apptest"
	"khabar/internal/auth"
	"khabar/internal/news"
	"khabar/internal/store"
)

// formToken is a fresh form token for a comment on the article, as the
// comment script asks for one (each token takes one comment; the form
// cached in the page is the first reader's).
func formToken(t *testing.T, n *apptest.Node, articleID int64) string {
	t.Helper()
	r := n.Get(t, "/api/v1/articles/"+strconv.FormatInt(articleID, 10)+"/comments/token")
	var out struct{ Token string }
	if err := json.Unmarshal([]byte(r.Body), &out); r.Status != http.StatusOK || err != nil || out.Token == "" {
		t.Fatalf("no form token for article %d: %d %s", articleID, r.Status, r.Body)
	}
	return out.Token
}

func postForm(t *testing.T, n *apptest.Node, articleID int64, v url.Values, hdr map[string]string) apptest.Resp {
	t.Helper()
	if _, ok := v["token"]; !ok {
		v.Set("token", formToken(t, n, articleID))
	}
	return n.Do(t, "POST", "/comments/"+strconv.FormatInt(articleID, 10), v, hdr)
}

func postJSON(t *testing.T, n *apptest.Node, path string, body string, hdr map[string]string) (int, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest("POST", n.Base+path, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	res, err := n.Client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var out map[string]any
	b, _ := io.ReadAll(res.Body)
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatalf("%s answered %d with non-JSON %q", path, res.StatusCode, b)
	}
	return res.StatusCode, out
}

func TestCommentsEndToEnd(t *testing.T) {
	t.Parallel()
	apptest.Backends(t, func(t *testing.T, n *apptest.Node) {
		apptest.CommentReady(n)
		a := apptest.FirstPublished(t, n.Store)
		aid := strconv.FormatInt(a.ID, 10)
		page := n.Get(t, "/news/"+aid+"/"+url.PathEscape(a.Slug))
		if !strings.Contains(page.Body, `id="comment-form"`) || !strings.Contains(page.Body, "شاركنا رأيك في التعليقات") {
			t.Fatal("article page has no comment form")
		}
		// Without JavaScript: the form posts, the reader lands on a notice.
		r := postForm(t, n, a.ID, url.Values{"name": {"ريم"}, "body": {"تحليل دقيق، شكرًا للكاتب."}}, nil)
		if r.Status != http.StatusSeeOther || r.Header.Get("Location") != "/comments/"+aid+"/sent?status=pending" {
			t.Fatalf("post: %d %s %s", r.Status, r.Header.Get("Location"), r.Body)
		}
		if r := n.Get(t, r.Header.Get("Location")); r.Status != 200 || !strings.Contains(r.Body, "تعليقك بانتظار المراجعة") {
			t.Fatalf("notice: %d", r.Status)
		}
		n.WaitEvents(t)
		if r := n.Get(t, "/news/"+aid+"/"+url.PathEscape(a.Slug)); strings.Contains(r.Body, "تحليل دقيق") {
			t.Fatal("a pending comment is public")
		}
		// A moderator sees it, with the queue's length in the header, and approves it.
		apptest.Login(t, n, auth.RoleModerator)
		q := n.Get(t, "/admin/comments")
		if q.Status != 200 || !strings.Contains(q.Body, "تحليل دقيق") || !strings.Contains(q.Body, `class="badge count"`) {
			t.Fatalf("queue: %d", q.Status)
		}
		ids := apptest.CommentIDs(t, n, news.CommentPending)
		if len(ids) != 1 {
			t.Fatalf("pending: %v", ids)
		}
		first := ids[0]
		others, _ := n.Store.ListPublished(context.Background(), store.ListFilter{SectionID: a.SectionID, Limit: 5})
		if len(others) < 2 {
			t.Fatal("the demo section has one article")
		}
		other := others[len(others)-1] // in the same section, so its page carries the section's tag
		n.Get(t, "/news/"+strconv.FormatInt(other.ID, 10)+"/"+url.PathEscape(other.Slug))
		mod := n.Do(t, "POST", "/admin/comments/moderate", url.Values{"id": {strconv.FormatInt(first, 10)}, "action": {"approve"}, "back": {"/admin/comments?tab=pending"}}, nil)
		if mod.Status != http.StatusSeeOther || mod.Header.Get("Location") != "/admin/comments?tab=pending&done=moderated" {
			t.Fatalf("approve: %d %s", mod.Status, mod.Header.Get("Location"))
		}
		n.WaitEvents(t)
		page = n.Get(t, "/news/"+aid+"/"+url.PathEscape(a.Slug))
		if !strings.Contains(page.Body, "تحليل دقيق") || !strings.Contains(page.Body, `"commentCount":1`) || !strings.Contains(page.Body, "تعليق واحد") {
			t.Fatal("the approved comment, its count or commentCount is missing from the article page")
		}
		if n.Cache.Get("/news/"+strconv.FormatInt(other.ID, 10)) == nil {
			t.Error("a comment on one article dropped another article's page from the cache")
		}
		if r := n.Get(t, "/section/"+a.Section.Slug); !strings.Contains(r.Body, "تعليق واحد") {
			t.Fatal("the section page's card does not show the comment count")
		}
		// With JavaScript: the API, under the same rules.
		tok := formToken(t, n, a.ID)
		st, out := postJSON(t, n, "/api/v1/articles/"+aid+"/comments",
			`{"name":"Sami","body":"أوافق تمامًا","parent_id":`+strconv.FormatInt(first, 10)+`,"token":"`+tok+`"}`, nil)
		if st != http.StatusCreated || out["status"] != "pending" || out["message"] != "تعليقك بانتظار المراجعة" {
			t.Fatalf("API post: %d %v", st, out)
		}
		reply := int64(out["id"].(float64))
		if _, err := n.Store.ModerateComments(context.Background(), []int64{reply}, news.CommentApproved, news.Actor{}); err != nil {
			t.Fatal(err)
		}
		var list struct {
			Count    int
			Comments []struct {
				ID      int64
				Body    string
				Replies []struct{ ID int64 }
			}
		}
		lr := n.Get(t, "/api/v1/articles/"+aid+"/comments")
		if err := json.Unmarshal([]byte(lr.Body), &list); err != nil || list.Count != 2 || len(list.Comments) != 1 || len(list.Comments[0].Replies) != 1 || list.Comments[0].Replies[0].ID != reply {
			t.Fatalf("API list: %s %v", lr.Body, err)
		}
		// A report reaches the reported tab.
		if r := n.Do(t, "POST", "/comment/"+strconv.FormatInt(first, 10)+"/report", url.Values{"confirm": {"yes"}}, nil); r.Status != 200 {
			t.Fatalf("report: %d", r.Status)
		}
		if r := n.Get(t, "/admin/comments?tab=reported"); !strings.Contains(r.Body, "تحليل دقيق") {
			t.Fatal("reported tab does not list the report")
		}
		// Every moderation is in the audit log, under the moderator's name.
		log, err := n.Store.AuditLog(context.Background(), 20, 0)
		if err != nil || len(log) == 0 || log[0].Action != "comment.approved" {
			t.Fatalf("audit: %+v %v", log, err)
		}
		found := false
		for _, e := range log {
			found = found || e.Action == "comment.approved" && e.Name == "مستخدم moderator"
		}
		if !found {
			t.Fatal("the moderator's approval is not in the audit log")
		}
	})
}

// TestCommentsArriveLive: open pages receive a post-moderated comment
// the moment it is published, escaped. (Comment modes themselves are
// internal/site's TestCommentModes.)
func TestCommentsArriveLive(t *testing.T) {
	t.Parallel()
	n := apptest.StartNode(t, "")
	apptest.CommentReady(n)
	a := apptest.FirstPublished(t, n.Store)
	aid := strconv.FormatInt(a.ID, 10)
	a.CommentsMode = news.CommentsPost
	if err := n.Store.UpdateArticle(context.Background(), a); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", n.Base+"/live?topic=comments/"+aid, nil)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	apptest.WaitFor(t, "the stream to subscribe", func() bool { return n.Live.Clients("comments/"+aid) > 0 })
	// Post-moderation publishes at once, and open pages receive it.
	r := postForm(t, n, a.ID, url.Values{"name": {"<b>Mona</b>"}, "body": {"تعليق <img src=x onerror=alert(1)> مباشر"}}, nil)
	if r.Status != http.StatusSeeOther || !strings.HasSuffix(r.Header.Get("Location"), "status=approved") {
		t.Fatalf("post-moderated post: %d %s", r.Status, r.Header.Get("Location"))
	}
	sc := bufio.NewScanner(res.Body)
	received := false
	for !received && sc.Scan() {
		line := sc.Text()
		if !strings.HasPrefix(line, "data: ") {
			continue
		}
		var m struct {
			ID   int64
			HTML string
		}
		if err := json.Unmarshal([]byte(strings.TrimPrefix(line, "data: ")), &m); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(m.HTML, "&lt;img src=x onerror=alert(1)&gt;") || !strings.Contains(m.HTML, "&lt;b&gt;Mona&lt;/b&gt;") || strings.Contains(m.HTML, "<img") {
			t.Fatalf("live comment not escaped: %s", m.HTML)
		}
		received = true
	}
	if !received {
		t.Fatalf("no comment on the live stream within 15 s: %v", sc.Err())
	}
}

// TestCommentRulesAndBansFromTheNewsroom: word lists saved in the
// newsroom's settings reach the comment form, and a ban set from a
// commenter's history keeps them out. (Floods, and how the lists match,
// are internal/site's TestCommentFloodsBansAndRules.)
func TestCommentRulesAndBansFromTheNewsroom(t *testing.T) {
	t.Parallel()
	n := apptest.StartNode(t, "")
	apptest.CommentReady(n)
	a := apptest.FirstPublished(t, n.Store)
	// Word lists from the settings, matched through tatweel and diacritics.
	apptest.Login(t, n, auth.RoleAdmin)
	form := url.Values{}
	for k, v := range n.Settings.Get().ToMap() {
		form.Set(k, v)
	}
	form.Set("comment_block", "تافه، كلام فارغ")
	form.Set("comment_hold", "مؤامرة")
	if r := n.Do(t, "POST", "/admin/settings", form, nil); r.Status != http.StatusSeeOther {
		t.Fatalf("settings: %d %.300s", r.Status, r.Body)
	}
	n.WaitEvents(t)
	if r := postForm(t, n, a.ID, url.Values{"name": {"x"}, "body": {"رأي تـــافِه"}}, nil); r.Status != http.StatusForbidden || !strings.Contains(r.Body, "كلمات لا نسمح بنشرها") {
		t.Fatalf("blocked word: %d", r.Status)
	}
	if r := postForm(t, n, a.ID, url.Values{"name": {"x"}, "body": {"إنها المؤامرة"}}, nil); r.Status != http.StatusSeeOther {
		t.Fatalf("held word: %d", r.Status)
	}
	// A ban by address, from the commenter's history page.
	ctx := context.Background()
	list, _ := n.Store.ListComments(ctx, storeFilter(news.CommentPending))
	ip := list[0].IPHash
	if r := n.Get(t, "/admin/comments?ip="+ip); r.Status != 200 || !strings.Contains(r.Body, `name="kind" value="ip"`) {
		t.Fatalf("history: %d", r.Status)
	}
	if r := n.Do(t, "POST", "/admin/comments/ban", url.Values{"kind": {"ip"}, "value": {ip}, "days": {"7"}, "reason": {"إساءة"}, "back": {"/admin/comments?ip=" + ip}}, nil); r.Status != http.StatusSeeOther {
		t.Fatalf("ban: %d", r.Status)
	}
	if r := postForm(t, n, a.ID, url.Values{"name": {"x"}, "body": {"مرة أخرى"}}, nil); r.Status != http.StatusForbidden || !strings.Contains(r.Body, "لا يمكنك التعليق حاليًا") {
		t.Fatalf("banned address: %d", r.Status)
	}
	for _, bad := range []url.Values{
		{"kind": {"planet"}, "value": {ip}, "days": {"7"}},
		{"kind": {"ip"}, "value": {ip}, "days": {"9999"}},
		{"kind": {"ip"}, "value": {"short"}, "days": {"7"}},
	} {
		if r := n.Do(t, "POST", "/admin/comments/ban", bad, nil); r.Status != http.StatusBadRequest {
			t.Errorf("bad ban %v: %d", bad, r.Status)
		}
	}
}

func TestModerationRoles(t *testing.T) {
	t.Parallel()
	n := apptest.StartNode(t, "")
	for _, c := range []struct {
		role  auth.Role
		paths map[string]int
	}{
		{auth.RoleWriter, map[string]int{"/admin/comments": 403, "/admin/comments/bans": 403, "/admin/audit": 403}},
		{auth.RoleModerator, map[string]int{"/admin/comments": 200, "/admin/comments/bans": 200, "/admin/audit": 403, "/admin/settings": 403, "/admin/comments?tab=nonsense": 400}},
		{auth.RoleEditor, map[string]int{"/admin/comments": 200, "/admin/audit": 403}},
		{auth.RoleAdmin, map[string]int{"/admin/comments": 200, "/admin/audit": 200, "/admin/audit?page=-1": 400}},
	} {
		n.Client.Jar, _ = newJar()
		apptest.Login(t, n, c.role)
		for path, want := range c.paths {
			if r := n.Get(t, path); r.Status != want {
				t.Errorf("%s GET %s: %d, want %d", c.role, path, r.Status, want)
			}
		}
		if c.role == auth.RoleWriter {
			if r := n.Do(t, "POST", "/admin/comments/moderate", url.Values{"id": {"1"}, "action": {"approve"}}, nil); r.Status != 403 {
				t.Errorf("writer moderating: %d", r.Status)
			}
		}
		if c.role == auth.RoleModerator {
			for _, bad := range []url.Values{{"id": {"1"}, "action": {"explode"}}, {"id": {"x"}, "action": {"approve"}}, {"id": {"424242"}, "action": {"approve"}}} {
				if r := n.Do(t, "POST", "/admin/comments/moderate", bad, nil); r.Status != 400 && r.Status != 404 {
					t.Errorf("bad moderation %v: %d", bad, r.Status)
				}
			}
			// Nothing ticked is a mistake to explain on the queue, not a 400
			// (internal/newsroom's TestModerationButtons reads the page).
			if r := n.Do(t, "POST", "/admin/comments/moderate", url.Values{"action": {"approve"}}, nil); r.Status != http.StatusSeeOther ||
				!strings.Contains(r.Header.Get("Location"), "done=none_selected") {
				t.Errorf("moderation with nothing ticked: %d to %s", r.Status, r.Header.Get("Location"))
			}
		}
	}
}

func storeFilter(st news.CommentStatus) store.CommentFilter {
	return store.CommentFilter{Status: st, Limit: 100}
}

func storeList(limit int) store.ListFilter { return store.ListFilter{Limit: limit} }

func newJar() (http.CookieJar, error) { return cookiejar.New(nil) }

func TestCommentSettingsFromTheNewsroom(t *testing.T) {
	t.Parallel()
	n := apptest.StartNode(t, "")
	apptest.CommentReady(n)
	ctx := context.Background()
	a := apptest.FirstPublished(t, n.Store)
	apptest.Login(t, n, auth.RoleAdmin)
	if r := n.Get(t, "/admin/settings"); !strings.Contains(r.Body, `name="section_comments_`+strconv.FormatInt(a.SectionID, 10)+`"`) || !strings.Contains(r.Body, `name="comment_block"`) {
		t.Fatal("the settings form has no comment rules or section modes")
	}
	save := func(extra map[string]string) apptest.Resp {
		form := url.Values{}
		for k, v := range n.Settings.Get().ToMap() {
			form.Set(k, v)
		}
		for k, v := range extra {
			form.Set(k, v)
		}
		return n.Do(t, "POST", "/admin/settings", form, nil)
	}
	section := "section_comments_" + strconv.FormatInt(a.SectionID, 10)
	if r := save(map[string]string{section: "sometimes"}); r.Status != http.StatusUnprocessableEntity {
		t.Fatalf("bad section mode: %d", r.Status)
	}
	if r := save(map[string]string{"comment_close_days": "-3"}); r.Status != http.StatusUnprocessableEntity || !strings.Contains(r.Body, "أدخل عددًا صحيحًا") {
		t.Fatalf("bad close days: %d", r.Status)
	}
	// The section's mode wins over the site's pre-moderation.
	if r := save(map[string]string{section: "post"}); r.Status != http.StatusSeeOther {
		t.Fatalf("save: %d %.300s", r.Status, r.Body)
	}
	n.WaitEvents(t)
	if r := postForm(t, n, a.ID, url.Values{"name": {"x"}, "body": {"رأي"}}, nil); !strings.HasSuffix(r.Header.Get("Location"), "status=approved") {
		t.Fatalf("section in post-moderation: %d %s", r.Status, r.Header.Get("Location"))
	}
	// Auto-close: ten days after publication with a seven-day limit.
	a, _ = n.Store.GetArticle(ctx, a.ID)
	a.PublishedAt = time.Now().AddDate(0, 0, -10)
	if err := n.Store.UpdateArticle(ctx, a); err != nil {
		t.Fatal(err)
	}
	if r := save(map[string]string{section: "post", "comment_close_days": "7"}); r.Status != http.StatusSeeOther {
		t.Fatalf("save: %d", r.Status)
	}
	n.WaitEvents(t)
	if r := n.Get(t, "/comments/"+strconv.FormatInt(a.ID, 10)); strings.Contains(r.Body, `id="comment-form"`) || !strings.Contains(r.Body, "التعليقات مغلقة") {
		t.Fatal("comments did not close after the set number of days")
	}
}

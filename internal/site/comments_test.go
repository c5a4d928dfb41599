package site

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"khabar/internal/news"
	"khabar/internal/store"
	"khabar/internal/storetest"
)

var tokenField = regexp.MustCompile(`name="token" value="([^"]+)"`)

// commentReady makes the site accept comments at test speed: no wait
// after the form token and no limit per address (every request of the
// fixture's browser comes from one).
func (f *fixture) commentReady() {
	f.comments.MinFill = 0
	f.comments.ByIP = nil
	f.comments.ByArticle = nil
}

// pageToken is the token of the comment form on the page r answered.
func (f *fixture) pageToken(t *testing.T, r storetest.Response) string {
	t.Helper()
	m := tokenField.FindStringSubmatch(r.Body)
	if m == nil {
		t.Fatalf("no comment form token on a page answered %d", r.Status)
	}
	return m[1]
}

// postComment sends the comment form of an article, with a fresh token
// (as a page rendered now carries; TestCommentTokens takes them from the
// pages) unless v has one, and header on top of the form's.
func (f *fixture) postComment(t *testing.T, articleID int64, v url.Values, header http.Header) storetest.Response {
	t.Helper()
	if _, ok := v["token"]; !ok {
		v.Set("token", f.comments.Token(articleID))
	}
	h := http.Header{"Content-Type": {"application/x-www-form-urlencoded"}}
	for k, vs := range header {
		h[k] = vs
	}
	return f.c.Do("POST", news.CommentsPath(articleID), strings.NewReader(v.Encode()), h)
}

// commentIDs lists the ids of the comments in state st.
func (f *fixture) commentIDs(t *testing.T, st news.CommentStatus) []int64 {
	t.Helper()
	list, err := f.store.ListComments(context.Background(), store.CommentFilter{Status: st, Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	var ids []int64
	for _, c := range list {
		ids = append(ids, c.ID)
	}
	return ids
}

// TestCommentForm is a reader commenting without JavaScript, the
// comment held for moderation, then shown once approved. (The newsroom's
// moderation, the API and the events between them are internal/app's
// TestCommentsEndToEnd.)
func TestCommentForm(t *testing.T) { storetest.Each(t, testCommentForm) }

func testCommentForm(t *testing.T, st *store.Store) {
	f := newFixture(t, st)
	f.commentReady()
	ctx := context.Background()
	a := f.first(t)
	aid := itoa(a.ID)
	page := f.get(news.ArticlePath(a))
	if !strings.Contains(page.Body, `id="comment-form"`) || !strings.Contains(page.Body, "شاركنا رأيك في التعليقات") {
		t.Fatal("article page has no comment form")
	}
	// Without JavaScript: the form posts, the reader lands on a notice.
	r := f.postComment(t, a.ID, url.Values{"name": {"ريم"}, "body": {"تحليل دقيق، شكرًا للكاتب."}}, nil)
	if r.Status != http.StatusSeeOther || r.Header.Get("Location") != "/comments/"+aid+"/sent?status=pending" {
		t.Fatalf("post: %d %s %s", r.Status, r.Header.Get("Location"), r.Body)
	}
	if r := f.get(r.Header.Get("Location")); r.Status != 200 || !strings.Contains(r.Body, "تعليقك بانتظار المراجعة") {
		t.Fatalf("notice: %d", r.Status)
	}
	f.reload(t)
	if r := f.get(news.ArticlePath(a)); strings.Contains(r.Body, "تحليل دقيق") {
		t.Fatal("a pending comment is public")
	}
	// Approved, it is on the article page, counted, and on the section
	// page's card.
	ids := f.commentIDs(t, news.CommentPending)
	if len(ids) != 1 {
		t.Fatalf("pending: %v", ids)
	}
	if _, err := f.store.ModerateComments(ctx, ids, news.CommentApproved, news.Actor{}); err != nil {
		t.Fatal(err)
	}
	f.reload(t)
	page = f.get(news.ArticlePath(a))
	if !strings.Contains(page.Body, "تحليل دقيق") || !strings.Contains(page.Body, `"commentCount":1`) || !strings.Contains(page.Body, "تعليق واحد") {
		t.Fatal("the approved comment, its count or commentCount is missing from the article page")
	}
	if r := f.get("/section/" + a.Section.Slug); !strings.Contains(r.Body, "تعليق واحد") {
		t.Fatal("the section page's card does not show the comment count")
	}
	// A reader reports it: the comment's button asks first, the answer
	// reports, and the report can be taken back.
	reports := func() int {
		c, err := st.GetComment(ctx, ids[0])
		if err != nil {
			t.Fatal(err)
		}
		return c.Reports
	}
	report := "/comment/" + itoa(ids[0]) + "/report"
	steps := []struct {
		name, path string
		form       url.Values
		say        string
		reports    int
	}{
		{"the button", report, url.Values{}, `action="` + report + `?confirm=yes"`, 0},
		{"a forged answer", report, url.Values{"confirm": {"1 OR 1=1"}}, `action="` + report + `?confirm=yes"`, 0},
		{"yes", report + "?confirm=yes", url.Values{}, `action="` + report + `/undo"`, 1},
		{"yes again", report, url.Values{"confirm": {"yes"}}, "شكرًا، وصل بلاغك", 1},
		{"undo", report + "/undo", url.Values{}, "سحبتَ بلاغك", 0},
		{"undo again", report + "/undo", url.Values{}, "سحبتَ بلاغك", 0},
	}
	for _, c := range steps {
		if r := f.c.Post(c.path, c.form); r.Status != 200 || !strings.Contains(r.Body, c.say) {
			t.Errorf("%s: %d, want 200 saying %s", c.name, r.Status, c.say)
		}
		if got := reports(); got != c.reports {
			t.Errorf("after %s the comment has %d reports, want %d", c.name, got, c.reports)
		}
	}
	for _, path := range []string{"/comment/999999/report/undo", "/comment/x/report/undo"} {
		if r := f.c.Post(path, url.Values{}); r.Status != http.StatusNotFound {
			t.Errorf("%s: %d, want 404", path, r.Status)
		}
	}
}

// TestCommentModes: post-moderation publishes at once; closed comments
// are refused with the reason. (That open pages receive a comment live is
// internal/app's TestCommentsArriveLive.)
func TestCommentModes(t *testing.T) { storetest.Each(t, testCommentModes) }

func testCommentModes(t *testing.T, st *store.Store) {
	f := newFixture(t, st)
	f.commentReady()
	ctx := context.Background()
	a := f.first(t)
	aid := itoa(a.ID)
	a.CommentsMode = news.CommentsPost
	if err := f.store.UpdateArticle(ctx, a); err != nil {
		t.Fatal(err)
	}
	if r := f.get("/live?topic=elsewhere"); r.Status != http.StatusBadRequest {
		t.Fatalf("unknown live topic: %d", r.Status)
	}
	// Post-moderation publishes at once.
	r := f.postComment(t, a.ID, url.Values{"name": {"<b>Mona</b>"}, "body": {"تعليق <img src=x onerror=alert(1)> مباشر"}}, nil)
	if r.Status != http.StatusSeeOther || !strings.HasSuffix(r.Header.Get("Location"), "status=approved") {
		t.Fatalf("post-moderated post: %d %s", r.Status, r.Header.Get("Location"))
	}
	// Closed: refused with the reason, the form gone from the page.
	a, _ = f.store.GetArticle(ctx, a.ID)
	a.CommentsMode = news.CommentsClosed
	if err := f.store.UpdateArticle(ctx, a); err != nil {
		t.Fatal(err)
	}
	f.reload(t)
	r = f.c.Post("/comments/"+aid, url.Values{"token": {f.comments.Token(a.ID)}, "name": {"x"}, "body": {"y"}})
	if r.Status != http.StatusForbidden || !strings.Contains(r.Body, "التعليقات مغلقة على هذا الخبر") || strings.Contains(r.Body, `id="comment-form"`) {
		t.Fatalf("closed: %d", r.Status)
	}
}

// TestCommentBadInput: the comment form and pages refuse what they must,
// and show what was approved as inert text. (The API's answers are
// internal/app's TestCommentAPIBadInput.)
func TestCommentBadInput(t *testing.T) { storetest.Each(t, testCommentBadInput) }

func testCommentBadInput(t *testing.T, st *store.Store) {
	f := newFixture(t, st)
	f.commentReady()
	ctx := context.Background()
	articles := f.published(t, 2)
	a, other := articles[0], articles[1]
	aid := itoa(a.ID)
	// An approved comment on another article, and a deleted one on this.
	foreign := &news.Comment{ArticleID: other.ID, Status: news.CommentApproved, Name: "n", Body: "b", Identity: "i", IPHash: "h", BodyHash: "bh"}
	gone := &news.Comment{ArticleID: a.ID, Status: news.CommentApproved, Name: "n", Body: "b2", Identity: "i", IPHash: "h", BodyHash: "bh2"}
	for _, c := range []*news.Comment{foreign, gone} {
		if err := f.store.CreateComment(ctx, c); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := f.store.ModerateComments(ctx, []int64{gone.ID}, news.CommentDeleted, news.Actor{}); err != nil {
		t.Fatal(err)
	}
	cross := http.Header{"Origin": {"https://evil.example"}, "Sec-Fetch-Site": {"cross-site"}}
	cases := []struct {
		name   string
		form   url.Values
		hdr    http.Header
		status int
		want   string
	}{
		{"script tag is kept as text", url.Values{"name": {"x"}, "body": {"<script>alert(1)</script>"}}, nil, http.StatusSeeOther, ""},
		{"empty name", url.Values{"name": {""}, "body": {"نص"}}, nil, http.StatusUnprocessableEntity, "هذا الحقل مطلوب"},
		{"1 MB body", url.Values{"name": {"x"}, "body": {strings.Repeat("a", 1<<20)}}, nil, http.StatusUnprocessableEntity, "النص أطول من المسموح"},
		{"3 MB request", url.Values{"name": {"x"}, "body": {strings.Repeat("ب", 1<<19)}}, nil, http.StatusRequestEntityTooLarge, ""},
		{"invalid UTF-8", url.Values{"name": {"x"}, "body": {"abc\xff\xfe"}}, nil, http.StatusUnprocessableEntity, "رموز غير صالحة"},
		{"only invisible characters", url.Values{"name": {"x"}, "body": {"\u200b\u202e\u2066"}}, nil, http.StatusUnprocessableEntity, "هذا الحقل مطلوب"},
		{"bad email", url.Values{"name": {"x"}, "body": {"y"}, "email": {"a@b\r\nBcc: c@d"}}, nil, http.StatusUnprocessableEntity, "البريد الإلكتروني غير صحيح"},
		{"parent on another article", url.Values{"name": {"x"}, "body": {"y"}, "parent_id": {itoa(foreign.ID)}}, nil, http.StatusConflict, "لم يعد متاحًا"},
		{"reply to a deleted comment", url.Values{"name": {"x"}, "body": {"y"}, "parent_id": {itoa(gone.ID)}}, nil, http.StatusConflict, "لم يعد متاحًا"},
		{"honeypot filled", url.Values{"name": {"x"}, "body": {"y"}, "website": {"http://spam"}}, nil, http.StatusForbidden, "تعذّر قبول التعليق"},
		{"no token", url.Values{"name": {"x"}, "body": {"y"}, "token": {""}}, nil, http.StatusBadRequest, "تعذّر التحقق من النموذج"},
		{"forged token", url.Values{"name": {"x"}, "body": {"y"}, "token": {"abc.def"}}, nil, http.StatusBadRequest, "تعذّر التحقق من النموذج"},
		{"cross-origin post", url.Values{"name": {"x"}, "body": {"y"}}, cross, http.StatusForbidden, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := f.postComment(t, a.ID, c.form, c.hdr)
			if r.Status != c.status || !strings.Contains(r.Body, c.want) {
				t.Fatalf("got %d, want %d with %q: %.300s", r.Status, c.status, c.want, r.Body)
			}
			if r.Status >= 500 {
				t.Fatal("server error")
			}
		})
	}
	// What was refused came back in the form; nothing of it was stored.
	if list, _ := f.store.ListComments(ctx, store.CommentFilter{Limit: 100}); len(list) != 3 {
		t.Fatalf("stored %d comments, want the two fixtures and the script one", len(list))
	}
	for path, want := range map[string]int{
		"/comments/999999":                    http.StatusNotFound,
		"/comments/abc":                       http.StatusNotFound,
		"/comments/" + aid + "?sort=sideways": http.StatusBadRequest,
		"/comments/" + aid + "?page=0":        http.StatusBadRequest,
		"/comments/" + aid + "?page=99":       http.StatusNotFound,
		"/comments/" + aid + "?reply=junk":    http.StatusBadRequest,
		"/comments/" + aid + "/sent?status=x": http.StatusBadRequest,
	} {
		if r := f.get(path); r.Status != want {
			t.Errorf("GET %s: %d, want %d", path, r.Status, want)
		}
	}
	if r := f.c.Post("/comments/999999", url.Values{"name": {"x"}, "body": {"y"}}); r.Status != http.StatusNotFound {
		t.Errorf("post on a missing article: %d", r.Status)
	}
	// XSS of every kind, once approved, is shown as inert text.
	payloads := []string{
		`<svg onload=alert(1)>`,
		`<a href="javascript:alert(1)">x</a>`,
		`&lt;script&gt;alert(2)&lt;/script&gt;`,
		`%3Cscript%3Ealert(3)%3C/script%3E`,
		`"><img src=x onerror=alert(4)>`,
		"\u003cscript\u003ealert(5)",
	}
	for i, p := range payloads {
		if r := f.postComment(t, a.ID, url.Values{"name": {"n" + strconv.Itoa(i)}, "body": {p}}, nil); r.Status != http.StatusSeeOther {
			t.Fatalf("payload %q: %d", p, r.Status)
		}
	}
	if _, err := f.store.ModerateComments(ctx, f.commentIDs(t, news.CommentPending), news.CommentApproved, news.Actor{}); err != nil {
		t.Fatal(err)
	}
	f.reload(t)
	page := f.get("/comments/" + aid)
	for _, raw := range []string{"<script>alert(1)", "<svg onload", `href="javascript:`, "<img src=x", "<script>alert(2)"} {
		if strings.Contains(page.Body, raw) {
			t.Errorf("%q reached the page unescaped", raw)
		}
	}
	for _, esc := range []string{"&lt;script&gt;alert(1)&lt;/script&gt;", "&lt;svg onload=alert(1)&gt;", "&amp;lt;script&amp;gt;alert(2)", "%3Cscript%3Ealert(3)"} {
		if !strings.Contains(page.Body, esc) {
			t.Errorf("%q is not on the page as text", esc)
		}
	}
}

// TestCommentFloodsBansAndRules: floods refused, word lists and bans
// applied. (Setting the lists and bans through the newsroom is
// internal/app's TestCommentRulesAndBansFromTheNewsroom.)
func TestCommentFloodsBansAndRules(t *testing.T) { storetest.Each(t, testCommentFloodsBansAndRules) }

func testCommentFloodsBansAndRules(t *testing.T, st *store.Store) {
	f := newFixture(t, st)
	ctx := context.Background()
	a := f.first(t)
	// Posting the moment the form arrives is what scripts do.
	r := f.postComment(t, a.ID, url.Values{"name": {"x"}, "body": {"سريع"}}, nil)
	if r.Status != http.StatusTooManyRequests || r.Header.Get("Retry-After") == "" || !strings.Contains(r.Body, "قبل أن يمضي وقت كافٍ على فتح الصفحة. انتظر ") {
		t.Fatalf("instant post: %d %q", r.Status, r.Header.Get("Retry-After"))
	}
	f.comments.MinFill = 0
	// One address: a burst, then refusals with a notice.
	var codes []int
	for i := range 8 {
		r := f.postComment(t, a.ID, url.Values{"name": {"x"}, "body": {"تعليق " + strconv.Itoa(i)}}, nil)
		codes = append(codes, r.Status)
	}
	if codes[0] != http.StatusSeeOther || codes[7] != http.StatusTooManyRequests {
		t.Fatalf("flood from one address: %v", codes)
	}
	if r := f.postComment(t, a.ID, url.Values{"name": {"x"}, "body": {"y"}}, nil); !strings.Contains(r.Body, "أرسلت تعليقات كثيرة") {
		t.Fatal("no rate-limit notice")
	}
	f.commentReady()
	// Word lists from the settings, matched through tatweel and diacritics.
	if err := f.store.SaveSettings(ctx, map[string]string{"comment_block": "تافه، كلام فارغ", "comment_hold": "مؤامرة"}); err != nil {
		t.Fatal(err)
	}
	f.reload(t)
	if r := f.postComment(t, a.ID, url.Values{"name": {"x"}, "body": {"رأي تـــافِه"}}, nil); r.Status != http.StatusForbidden || !strings.Contains(r.Body, "كلمات لا نسمح بنشرها") {
		t.Fatalf("blocked word: %d", r.Status)
	}
	if r := f.postComment(t, a.ID, url.Values{"name": {"x"}, "body": {"إنها المؤامرة"}}, nil); r.Status != http.StatusSeeOther {
		t.Fatalf("held word: %d", r.Status)
	}
	// A ban of the commenter's address.
	list, _ := f.store.ListComments(ctx, store.CommentFilter{Status: news.CommentPending, Limit: 100})
	ban := &news.CommentBan{Kind: news.BanIP, Value: list[0].IPHash, Reason: "إساءة", ExpiresAt: time.Now().AddDate(0, 0, 7)}
	if err := f.store.AddCommentBan(ctx, ban, news.Actor{}); err != nil {
		t.Fatal(err)
	}
	if r := f.postComment(t, a.ID, url.Values{"name": {"x"}, "body": {"مرة أخرى"}}, nil); r.Status != http.StatusForbidden || !strings.Contains(r.Body, "لا يمكنك التعليق حاليًا") {
		t.Fatalf("banned address: %d", r.Status)
	}
}

// TestCommentTokens: a form token makes one comment. The article page,
// cached, gives every reader one token: the first reader without
// JavaScript to post it is taken; the next, or anyone replaying it, gets
// the form back with what they typed, a precise reason and a fresh token
// that works. A token of another article's form is refused as such.
func TestCommentTokens(t *testing.T) { storetest.Each(t, testCommentTokens) }

func testCommentTokens(t *testing.T, st *store.Store) {
	f := newFixture(t, st)
	f.commentReady()
	articles := f.published(t, 2)
	a, other := articles[0], articles[1]
	post := func(articleID int64, token, body string) storetest.Response {
		t.Helper()
		return f.postComment(t, articleID, url.Values{"name": {"ريم"}, "body": {body}, "token": {token}}, nil)
	}
	page := f.get(news.ArticlePath(a))
	shared := f.pageToken(t, page)
	if again := f.pageToken(t, f.get(news.ArticlePath(a))); again != shared {
		t.Fatal("the cached article page changed its token: the test needs it shared")
	}
	if r := post(a.ID, shared, "أول تعليق من الصفحة"); r.Status != http.StatusSeeOther {
		t.Fatalf("first post of the page's token: %d %.300s", r.Status, r.Body)
	}
	// Replayed (or posted by a second reader of the cached page).
	r := post(a.ID, shared, "تعليق مكرر بالرمز نفسه")
	if r.Status != http.StatusConflict || !strings.Contains(r.Body, "أُرسل تعليق بهذا النموذج من قبل، ولكل تعليق نموذج جديد") ||
		!strings.Contains(r.Body, "تعليق مكرر بالرمز نفسه") || r.Header.Get("Cache-Control") != "no-store" {
		t.Fatalf("replayed token: %d %q %.300s", r.Status, r.Header.Get("Cache-Control"), r.Body)
	}
	fresh := f.pageToken(t, r)
	if fresh == shared {
		t.Fatal("the form came back with the spent token")
	}
	if r := post(a.ID, fresh, "تعليق مكرر بالرمز نفسه"); r.Status != http.StatusSeeOther {
		t.Fatalf("the fresh token from the refusal: %d %.300s", r.Status, r.Body)
	}
	if r := post(a.ID, fresh, "ثالث"); r.Status != http.StatusConflict {
		t.Fatalf("the fresh token, replayed: %d", r.Status)
	}
	// Another article's token: refused as such, and left unspent.
	theirs := f.pageToken(t, f.get(news.ArticlePath(other)))
	if r := post(a.ID, theirs, "في المكان الخطأ"); r.Status != http.StatusBadRequest || !strings.Contains(r.Body, "هذا النموذج لخبر آخر") {
		t.Fatalf("another article's token: %d %.300s", r.Status, r.Body)
	}
	if r := post(other.ID, theirs, "في المكان الصحيح"); r.Status != http.StatusSeeOther {
		t.Fatalf("a token on its own article, after being refused on another: %d %.300s", r.Status, r.Body)
	}
	// The reply form, never cached, has a token of its own each time.
	list, _ := st.ListComments(context.Background(), store.CommentFilter{Limit: 100})
	if len(list) != 3 {
		t.Fatalf("%d comments stored, want 3", len(list))
	}
	if _, err := st.ModerateComments(context.Background(), []int64{list[0].ID}, news.CommentApproved, news.Actor{}); err != nil {
		t.Fatal(err)
	}
	reply := news.CommentsPath(list[0].ArticleID) + "?reply=" + itoa(list[0].ID)
	if f.pageToken(t, f.get(reply)) == f.pageToken(t, f.get(reply)) {
		t.Error("two reply forms share a token")
	}
}

package newsroom

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"khabar/internal/auth"
	"khabar/internal/news"
	"khabar/internal/store"
	"khabar/internal/storetest"
)

// addLines adds ticker lines through the store, the last on top.
func (f *fixture) addLines(t *testing.T, texts ...string) []*news.TickerItem {
	t.Helper()
	var out []*news.TickerItem
	for _, text := range texts {
		it := &news.TickerItem{Text: text}
		if err := f.store.CreateTicker(context.Background(), it); err != nil {
			t.Fatal(err)
		}
		out = append(out, it)
	}
	return out
}

// onShow is the ticker readers are given now, top first.
func (f *fixture) onShow(t *testing.T) []news.TickerItem {
	t.Helper()
	items, err := f.store.ListTicker(context.Background(), store.OnShow, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	return items
}

// onShowTexts is onShow's texts.
func (f *fixture) onShowTexts(t *testing.T) []string {
	t.Helper()
	var out []string
	for _, it := range f.onShow(t) {
		out = append(out, it.Text)
	}
	return out
}

// tickerState is every ticker line as stored, to see that a refused
// request changed nothing.
func (f *fixture) tickerState(t *testing.T) string {
	t.Helper()
	ranOut, err := f.store.ListTicker(context.Background(), store.RanOut, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf("%+v %+v", f.onShow(t), ranOut)
}

// TestTickerRoleMatrix takes every ticker action as every role: editors
// and admins go through, writers and moderators get 403 and change
// nothing.
func TestTickerRoleMatrix(t *testing.T) {
	storetest.Each(t, testTickerRoleMatrix)
}

func testTickerRoleMatrix(t *testing.T, s *store.Store) {
	f := newFixture(t, s)
	clients := map[auth.Role]*storetest.Client{}
	for _, role := range auth.Roles {
		_, clients[role] = f.as(t, role)
	}
	art := f.articleIn(t, news.StatusPublished, 0)
	line := func() string { return itoa(f.addLines(t, "سطر للاختبار")[0].ID) }
	cases := []struct {
		name, method string
		path         func() string
		form         url.Values
		ok           int
	}{
		{"list", "GET", func() string { return "/admin/ticker" }, nil, 200},
		{"add", "POST", func() string { return "/admin/ticker" }, url.Values{"text": {"سطر جديد"}}, 303},
		{"edit form", "GET", func() string { return "/admin/ticker/" + line() }, nil, 200},
		{"save", "POST", func() string { return "/admin/ticker/" + line() }, url.Values{"text": {"نص معدل"}}, 303},
		{"move", "POST", func() string { return "/admin/ticker/" + line() + "/move" }, url.Values{"dir": {"down"}}, 303},
		{"expire now", "POST", func() string { return "/admin/ticker/" + line() + "/expire" }, url.Values{}, 303},
		{"restore", "POST", func() string { return "/admin/ticker/" + line() + "/restore" }, url.Values{}, 303},
		{"delete", "POST", func() string { return "/admin/ticker/" + line() + "/delete" }, url.Values{}, 303},
		{"send an article", "POST", func() string { return adminPath(art) + "/ticker" }, url.Values{}, 303},
	}
	for _, c := range cases {
		for _, role := range auth.Roles {
			path := c.path()
			before := f.tickerState(t)
			r := clients[role].Form(c.method, path, c.form)
			want := http.StatusForbidden
			if role.Can(auth.PermManageTicker) {
				want = c.ok
			}
			if r.Status != want {
				t.Errorf("%s as %s: %d, want %d", c.name, role, r.Status, want)
			}
			if changed := f.tickerState(t) != before; want == http.StatusForbidden && changed {
				t.Errorf("%s as %s: refused, but the ticker changed", c.name, role)
			}
		}
	}
}

// TestTickerManagement orders, edits, expires and restores lines through
// the newsroom, and the ticker readers are given follows; hostile and
// broken requests are refused. (That the home page follows is
// internal/app's TestTickerManagementReachesHomePage.)
func TestTickerManagement(t *testing.T) {
	storetest.Each(t, testTickerManagement)
}

func testTickerManagement(t *testing.T, s *store.Store) {
	f := newFixture(t, s)
	ctx := context.Background()
	_, editor := f.as(t, auth.RoleEditor)
	it := f.addLines(t, "السطر ألف", "السطر باء", "السطر جيم")
	a, b, c := itoa(it[0].ID), itoa(it[1].ID), itoa(it[2].ID)
	if got := f.onShowTexts(t); !slices.Equal(got, []string{"السطر جيم", "السطر باء", "السطر ألف"}) {
		t.Fatalf("ticker before: %q", got)
	}
	// Alif up twice: the second from the page the first led to, whose
	// up button on Alif keeps the focus.
	r := editor.Post("/admin/ticker/"+a+"/move", url.Values{"dir": {"up"}})
	if r.Status != http.StatusSeeOther || r.Header.Get("Location") != "/admin/ticker?done=ticker&moved="+a+"&dir=up" {
		t.Fatalf("move: %d %s", r.Status, r.Header.Get("Location"))
	}
	page := editor.Get(r.Header.Get("Location"))
	if !regexp.MustCompile(`action="/admin/ticker/` + a + `/move"><input type="hidden" name="dir" value="up"><button[^>]* autofocus>`).MatchString(page.Body) {
		t.Error("the moved line's button lost the focus")
	}
	if r := editor.Post("/admin/ticker/"+a+"/move", url.Values{"dir": {"up"}}); r.Status != http.StatusSeeOther {
		t.Fatalf("second move: %d", r.Status)
	}
	if got := f.onShowTexts(t); !slices.Equal(got, []string{"السطر ألف", "السطر جيم", "السطر باء"}) {
		t.Errorf("ticker after the moves: %q", got)
	}

	// Edit Ba: text, link and an expiry in the outlet's zone.
	at := f.fieldTime(time.Now().Add(3 * time.Hour))
	form := url.Values{"text": {"  السطر باء   معدلًا "}, "url": {"/section/politics"}, "expires": f.timeField(at)["at"]}
	if r := editor.Post("/admin/ticker/"+b, form); r.Status != http.StatusSeeOther {
		t.Fatalf("save: %d %s", r.Status, r.Body)
	}
	got, err := s.GetTicker(ctx, it[1].ID)
	if err != nil || got.Text != "السطر باء معدلًا" || got.URL != "/section/politics" || !got.ExpiresAt.Equal(at) {
		t.Errorf("saved: %+v %v", got, err)
	}
	edit := editor.Get("/admin/ticker/" + b)
	local, digits := at.In(f.n.zone()), f.n.settings.Get().DateFormat().Digits
	for _, want := range []string{`name="expires_time" value="` + digits.Convert(local.Format("15:04")) + `"`,
		`<option value="` + strconv.Itoa(local.Day()) + `" selected>`, `<option value="` + strconv.Itoa(int(local.Month())) + `" selected>`} {
		if !strings.Contains(edit.Body, want) {
			t.Errorf("the edit form does not show the expiry in the outlet's zone (%s)", want)
		}
	}

	// Jim expires now: off the ticker, shown apart in the newsroom;
	// restored, it comes back on top.
	if r := editor.Post("/admin/ticker/"+c+"/expire", url.Values{}); r.Status != http.StatusSeeOther {
		t.Fatalf("expire: %d", r.Status)
	}
	if got := f.onShowTexts(t); slices.Contains(got, "السطر جيم") {
		t.Errorf("an expired line is on show: %q", got)
	}
	expired := regexp.MustCompile(`(?s)<table class="expired">.*?</table>`).FindString(editor.Get("/admin/ticker").Body)
	if !strings.Contains(expired, "السطر جيم") || !strings.Contains(expired, "/admin/ticker/"+c+"/restore") {
		t.Error("the expired line is not listed apart with a restore button")
	}
	if r := editor.Post("/admin/ticker/"+c+"/move", url.Values{"dir": {"up"}}); r.Status != http.StatusUnprocessableEntity || !strings.Contains(r.Body, "انتهى هذا السطر") {
		t.Errorf("moving an expired line: %d", r.Status)
	}
	if r := editor.Post("/admin/ticker/"+c+"/restore", url.Values{}); r.Status != http.StatusSeeOther {
		t.Fatalf("restore: %d", r.Status)
	}
	if got := f.onShowTexts(t); !slices.Equal(got, []string{"السطر جيم", "السطر ألف", "السطر باء معدلًا"}) {
		t.Errorf("ticker after the restore: %q", got)
	}

	// Hostile and broken requests: a clear page, nothing stored.
	before := f.tickerState(t)
	bad := []struct {
		name, method, path string
		form               url.Values
		hdr                http.Header
		status             int
		want               string
	}{
		{"unknown line", "GET", "/admin/ticker/424242", nil, nil, 404, "الصفحة غير موجودة"},
		{"non-numeric id", "GET", "/admin/ticker/abc", nil, nil, 404, "الصفحة غير موجودة"},
		{"save unknown line", "POST", "/admin/ticker/424242", url.Values{"text": {"x"}}, nil, 404, "الصفحة غير موجودة"},
		{"move unknown line", "POST", "/admin/ticker/424242/move", url.Values{"dir": {"up"}}, nil, 404, "الصفحة غير موجودة"},
		{"expire unknown line", "POST", "/admin/ticker/424242/expire", url.Values{}, nil, 404, "الصفحة غير موجودة"},
		{"restore unknown line", "POST", "/admin/ticker/424242/restore", url.Values{}, nil, 404, "الصفحة غير موجودة"},
		{"delete unknown line", "POST", "/admin/ticker/424242/delete", url.Values{}, nil, 404, "الصفحة غير موجودة"},
		{"huge id", "POST", "/admin/ticker/99999999999999999999/move", url.Values{"dir": {"up"}}, nil, 404, "الصفحة غير موجودة"},
		{"forged direction", "POST", "/admin/ticker/" + a + "/move", url.Values{"dir": {"sideways"}}, nil, 400, "طلب غير صالح"},
		{"forged position", "POST", "/admin/ticker/" + a + "/move", url.Values{"position": {"-99"}}, nil, 400, "طلب غير صالح"},
		{"10,000 characters", "POST", "/admin/ticker/" + a, url.Values{"text": {strings.Repeat("ع", 10000)}}, nil, 422, "النص أطول من المسموح"},
		{"10,000 characters added", "POST", "/admin/ticker", url.Values{"text": {strings.Repeat("ع", 10000)}}, nil, 422, "النص أطول من المسموح"},
		{"javascript: link", "POST", "/admin/ticker/" + a, url.Values{"text": {"x"}, "url": {"javascript:alert(1)"}}, nil, 422, "الرابط غير صالح"},
		{"protocol-relative link", "POST", "/admin/ticker/" + a, url.Values{"text": {"x"}, "url": {"//evil.example/x"}}, nil, 422, "الرابط غير صالح"},
		{"empty text", "POST", "/admin/ticker/" + a, url.Values{"text": {"   "}}, nil, 422, "هذا الحقل مطلوب"},
		{"bad expiry", "POST", "/admin/ticker/" + a, url.Values{"text": {"x"}, "expires": {"غدًا"}}, nil, 422, "أدخل تاريخًا ووقتًا صحيحين"},
		// Refused, and shown again as typed to be corrected.
		{"31 February", "POST", "/admin/ticker/" + a, url.Values{"text": {"x"}, "expires_day": {"31"}, "expires_month": {"2"}, "expires_year": {"2030"}, "expires_time": {"09:15"}},
			nil, 422, `name="expires_time" value="09:15"`},
		{"cross-origin save", "POST", "/admin/ticker/" + a, url.Values{"text": {"x"}}, crossSite, 403, "غير مسموح"},
		{"cross-origin move", "POST", "/admin/ticker/" + a + "/move", url.Values{"dir": {"down"}}, crossSite, 403, "غير مسموح"},
		{"cross-origin delete", "POST", "/admin/ticker/" + a + "/delete", url.Values{}, crossSite, 403, "غير مسموح"},
		{"cross-origin send", "POST", "/admin/articles/1/ticker", url.Values{}, crossSite, 403, "غير مسموح"},
		{"huge form", "POST", "/admin/ticker/" + a, url.Values{"text": {strings.Repeat("x", 3<<20)}}, nil, 413, "الطلب كبير جدًا"},
	}
	for _, c := range bad {
		if r := send(editor, c.method, c.path, c.form, c.hdr); r.Status != c.status || !strings.Contains(r.Body, c.want) || !strings.Contains(r.Body, `dir="rtl"`) {
			t.Errorf("%s: %d, want %d with %q", c.name, r.Status, c.status, c.want)
		}
	}
	if f.tickerState(t) != before {
		t.Error("a refused request changed the ticker")
	}
}

// TestSendArticleToTicker: the one-click button on the article form and
// the desk, for those who manage the ticker; sending twice raises the
// line instead of repeating it. (That the home page follows is
// internal/app's TestSentArticleTopsHomeTicker.)
func TestSendArticleToTicker(t *testing.T) {
	storetest.Each(t, testSendArticleToTicker)
}

func testSendArticleToTicker(t *testing.T, s *store.Store) {
	f := newFixture(t, s)
	ctx := context.Background()
	_, editor := f.as(t, auth.RoleEditor)
	_, writer := f.as(t, auth.RoleWriter)
	a := f.articleIn(t, news.StatusPublished, 0)
	a.Breaking = true
	if err := s.UpdateArticle(ctx, a); err != nil {
		t.Fatal(err)
	}
	quiet := f.articleIn(t, news.StatusPublished, 0)
	draft := f.articleIn(t, news.StatusDraft, 0)
	button := func(c *storetest.Client, page string, art *news.Article) string {
		body := c.Get(page).Body
		return regexp.MustCompile(`action="` + adminPath(art) + `/ticker"[^>]*>(?:<input[^>]*>)?<button type="submit"[^>]*>`).FindString(body)
	}
	if btn := button(editor, adminPath(a), a); btn == "" || strings.Contains(btn, "secondary") {
		t.Errorf("a breaking article's button is missing or not prominent: %q", btn)
	}
	if btn := button(editor, adminPath(quiet), quiet); !strings.Contains(btn, `class="secondary"`) {
		t.Errorf("an ordinary article's button: %q", btn)
	}
	if btn := button(editor, "/admin/", a); btn == "" {
		t.Error("no button in the desk's recently published list")
	}
	if button(editor, adminPath(draft), draft) != "" || button(writer, adminPath(a), a) != "" || button(writer, "/admin/", a) != "" {
		t.Error("a button for a draft, or for a writer")
	}

	r := editor.Post(adminPath(a)+"/ticker", url.Values{})
	if r.Status != http.StatusSeeOther || r.Header.Get("Location") != adminPath(a)+"?done=ticker_sent" {
		t.Fatalf("send: %d %s", r.Status, r.Header.Get("Location"))
	}
	if page := editor.Get(r.Header.Get("Location")); !strings.Contains(page.Body, "أُضيف عنوان الخبر إلى أعلى الشريط العاجل") {
		t.Error("no message after sending")
	}
	pub := f.article(t, a.ID)
	items := f.onShow(t)
	if items[0].Text != pub.Headline || items[0].URL != news.ArticlePath(pub) || items[0].ArticleID != a.ID {
		t.Errorf("line: %+v, want %q with a link to %s", items[0], pub.Headline, news.ArticlePath(pub))
	}

	// Other lines go on top; sending again from the desk raises the line.
	f.addLines(t, "سطر أحدث")
	r = editor.Post(adminPath(a)+"/ticker", url.Values{"from": {"desk"}})
	if r.Status != http.StatusSeeOther || r.Header.Get("Location") != "/admin/?done=ticker_raised" {
		t.Fatalf("send again: %d %s", r.Status, r.Header.Get("Location"))
	}
	if page := editor.Get(r.Header.Get("Location")); !strings.Contains(page.Body, "الخبر في الشريط أصلًا") {
		t.Error("no message after sending again")
	}
	if got := f.onShowTexts(t); got[0] != pub.Headline {
		t.Errorf("ticker after sending again: %q", got)
	}
	all := f.onShow(t)
	ranOut, _ := s.ListTicker(ctx, store.RanOut, time.Now())
	all = append(all, ranOut...)
	count := 0
	for _, it := range all {
		if it.ArticleID == a.ID {
			count++
		}
	}
	if count != 1 {
		t.Errorf("%d lines for the article, want 1", count)
	}

	// Refusals: a draft, an unknown article, a writer.
	before := f.tickerState(t)
	if r := editor.Post(adminPath(draft)+"/ticker", url.Values{}); r.Status != http.StatusUnprocessableEntity || !strings.Contains(r.Body, "لا يُرسل إلى الشريط إلا خبر منشور") {
		t.Errorf("draft: %d", r.Status)
	}
	if r := editor.Post("/admin/articles/424242/ticker", url.Values{}); r.Status != http.StatusNotFound {
		t.Errorf("unknown article: %d", r.Status)
	}
	if r := editor.Post("/admin/articles/abc/ticker", url.Values{}); r.Status != http.StatusNotFound {
		t.Errorf("non-numeric article: %d", r.Status)
	}
	if r := writer.Post(adminPath(a)+"/ticker", url.Values{}); r.Status != http.StatusForbidden {
		t.Errorf("writer: %d", r.Status)
	}
	if f.tickerState(t) != before {
		t.Error("a refused send changed the ticker")
	}
}

// TestTickerPageKeepsLinesOnShow: expired lines keep their positions, so
// years of them must not push a line readers still see off the
// newsroom's ticker page, where editors manage it.
func TestTickerPageKeepsLinesOnShow(t *testing.T) {
	storetest.Each(t, testTickerPageKeepsLinesOnShow)
}

func testTickerPageKeepsLinesOnShow(t *testing.T, s *store.Store) {
	f := newFixture(t, s)
	_, editor := f.as(t, auth.RoleEditor)
	ctx := context.Background()
	if err := s.CreateTicker(ctx, &news.TickerItem{Text: "سطر يبقى على الشريط"}); err != nil {
		t.Fatal(err)
	}
	for i := range 60 {
		it := &news.TickerItem{Text: "سطر انتهى " + itoa(int64(i)), ExpiresAt: time.Now().Add(-time.Minute)}
		if err := s.CreateTicker(ctx, it); err != nil {
			t.Fatal(err)
		}
	}
	page := editor.Get("/admin/ticker").Body
	if !strings.Contains(page, "سطر يبقى على الشريط") || !strings.Contains(page, "سطر انتهى 59") {
		t.Error("the ticker page lost the line on show, or the latest expired one")
	}
}

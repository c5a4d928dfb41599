package app

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"khabar/internal/auth"
	"khabar/internal/news"
	"khabar/internal/store"
)

var (
	tickerSection = regexp.MustCompile(`(?s)<section class="ticker".*?</section>`)
	tickerLine    = regexp.MustCompile(`<li[^>]*>(?:<a href="[^"]*">)?([^<]*)`)
)

// homeTicker is the home page's ticker lines, top first, once the page
// cache has seen every event so far.
func (n *node) homeTicker(t *testing.T) []string {
	t.Helper()
	n.waitEvents(t)
	r := n.get(t, "/")
	if r.status != 200 {
		t.Fatalf("home: %d", r.status)
	}
	var lines []string
	for _, m := range tickerLine.FindAllStringSubmatch(tickerSection.FindString(r.body), -1) {
		lines = append(lines, m[1])
	}
	return lines
}

// addLines adds ticker lines through the store, the last on top.
func (n *node) addLines(t *testing.T, texts ...string) []*news.TickerItem {
	t.Helper()
	var out []*news.TickerItem
	for _, text := range texts {
		it := &news.TickerItem{Text: text}
		if err := n.Store.CreateTicker(context.Background(), it); err != nil {
			t.Fatal(err)
		}
		out = append(out, it)
	}
	return out
}

// tickerState is every ticker line as stored, to see that a refused
// request changed nothing.
func (n *node) tickerState(t *testing.T) string {
	t.Helper()
	now := time.Now()
	shown, err := n.Store.ListTicker(context.Background(), store.OnShow, now)
	if err != nil {
		t.Fatal(err)
	}
	ranOut, err := n.Store.ListTicker(context.Background(), store.RanOut, now)
	if err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf("%+v %+v", shown, ranOut)
}

// TestTickerRoleMatrix takes every ticker action as every role: editors
// and admins go through, writers and moderators get 403 and change
// nothing.
func TestTickerRoleMatrix(t *testing.T) {
	n := startNode(t, "")
	clients := map[auth.Role]*node{}
	for _, role := range auth.Roles {
		clients[role] = asRole(t, n, role)
	}
	art := firstPublished(t, n.Store)
	line := func() string { return itoa(n.addLines(t, "سطر للاختبار")[0].ID) }
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
		{"send an article", "POST", func() string { return "/admin/articles/" + itoa(art.ID) + "/ticker" }, url.Values{}, 303},
	}
	for _, c := range cases {
		for _, role := range auth.Roles {
			path := c.path()
			before := n.tickerState(t)
			r := clients[role].do(t, c.method, path, c.form, nil)
			want := http.StatusForbidden
			if role.Can(auth.PermManageTicker) {
				want = c.ok
			}
			if r.status != want {
				t.Errorf("%s as %s: %d, want %d", c.name, role, r.status, want)
			}
			if changed := n.tickerState(t) != before; want == http.StatusForbidden && changed {
				t.Errorf("%s as %s: refused, but the ticker changed", c.name, role)
			}
		}
	}
}

// TestTickerManagement orders, edits, expires and restores lines through
// the newsroom, and the home page's ticker follows, on both databases.
func TestTickerManagement(t *testing.T) {
	backends(t, func(t *testing.T, n *node) {
		ctx := context.Background()
		login(t, n, auth.RoleEditor)
		it := n.addLines(t, "السطر ألف", "السطر باء", "السطر جيم")
		a, b, c := itoa(it[0].ID), itoa(it[1].ID), itoa(it[2].ID)
		if got := n.homeTicker(t); !slices.Equal(got[:3], []string{"السطر جيم", "السطر باء", "السطر ألف"}) {
			t.Fatalf("home ticker before: %q", got)
		}
		// Alif up twice: the second from the page the first led to, whose
		// up button on Alif keeps the focus.
		r := n.do(t, "POST", "/admin/ticker/"+a+"/move", url.Values{"dir": {"up"}}, nil)
		if r.status != http.StatusSeeOther || r.header.Get("Location") != "/admin/ticker?done=ticker&moved="+a+"&dir=up" {
			t.Fatalf("move: %d %s", r.status, r.header.Get("Location"))
		}
		page := n.get(t, r.header.Get("Location"))
		if !regexp.MustCompile(`action="/admin/ticker/` + a + `/move"><input type="hidden" name="dir" value="up"><button[^>]* autofocus>`).MatchString(page.body) {
			t.Error("the moved line's button lost the focus")
		}
		if r := n.do(t, "POST", "/admin/ticker/"+a+"/move", url.Values{"dir": {"up"}}, nil); r.status != http.StatusSeeOther {
			t.Fatalf("second move: %d", r.status)
		}
		if got := n.homeTicker(t); !slices.Equal(got[:3], []string{"السطر ألف", "السطر جيم", "السطر باء"}) {
			t.Errorf("home ticker after the moves: %q", got)
		}

		// Edit Ba: text, link and an expiry in the outlet's zone.
		at := n.fieldTime(time.Now().Add(3 * time.Hour))
		form := url.Values{"text": {"  السطر باء   معدلًا "}, "url": {"/section/politics"}, "expires": n.timeField(at)["at"]}
		if r := n.do(t, "POST", "/admin/ticker/"+b, form, nil); r.status != http.StatusSeeOther {
			t.Fatalf("save: %d %s", r.status, r.body)
		}
		got, err := n.Store.GetTicker(ctx, it[1].ID)
		if err != nil || got.Text != "السطر باء معدلًا" || got.URL != "/section/politics" || !got.ExpiresAt.Equal(at) {
			t.Errorf("saved: %+v %v", got, err)
		}
		edit := n.get(t, "/admin/ticker/"+b)
		if want := `value="` + at.In(n.Settings.Get().DateFormat().Location).Format("2006-01-02T15:04") + `"`; !strings.Contains(edit.body, want) {
			t.Errorf("the edit form does not show the expiry in the outlet's zone (%s)", want)
		}

		// Jim expires now: off the home page, shown apart in the newsroom;
		// restored, it comes back on top.
		if r := n.do(t, "POST", "/admin/ticker/"+c+"/expire", url.Values{}, nil); r.status != http.StatusSeeOther {
			t.Fatalf("expire: %d", r.status)
		}
		if got := n.homeTicker(t); slices.Contains(got, "السطر جيم") {
			t.Errorf("an expired line is on the home page: %q", got)
		}
		expired := regexp.MustCompile(`(?s)<table class="expired">.*?</table>`).FindString(n.get(t, "/admin/ticker").body)
		if !strings.Contains(expired, "السطر جيم") || !strings.Contains(expired, "/admin/ticker/"+c+"/restore") {
			t.Error("the expired line is not listed apart with a restore button")
		}
		if r := n.do(t, "POST", "/admin/ticker/"+c+"/move", url.Values{"dir": {"up"}}, nil); r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "انتهى هذا السطر") {
			t.Errorf("moving an expired line: %d", r.status)
		}
		if r := n.do(t, "POST", "/admin/ticker/"+c+"/restore", url.Values{}, nil); r.status != http.StatusSeeOther {
			t.Fatalf("restore: %d", r.status)
		}
		if got := n.homeTicker(t); !slices.Equal(got[:3], []string{"السطر جيم", "السطر ألف", "السطر باء معدلًا"}) {
			t.Errorf("home ticker after the restore: %q", got)
		}

		// Hostile and broken requests: a clear page, nothing stored.
		before := n.tickerState(t)
		cross := map[string]string{"Origin": "https://evil.example", "Sec-Fetch-Site": "cross-site"}
		bad := []struct {
			name, method, path string
			form               url.Values
			hdr                map[string]string
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
			{"cross-origin save", "POST", "/admin/ticker/" + a, url.Values{"text": {"x"}}, cross, 403, "غير مسموح"},
			{"cross-origin move", "POST", "/admin/ticker/" + a + "/move", url.Values{"dir": {"down"}}, cross, 403, "غير مسموح"},
			{"cross-origin delete", "POST", "/admin/ticker/" + a + "/delete", url.Values{}, cross, 403, "غير مسموح"},
			{"cross-origin send", "POST", "/admin/articles/1/ticker", url.Values{}, cross, 403, "غير مسموح"},
			{"huge form", "POST", "/admin/ticker/" + a, url.Values{"text": {strings.Repeat("x", 3<<20)}}, nil, 413, "الطلب كبير جدًا"},
		}
		for _, c := range bad {
			r := n.do(t, c.method, c.path, c.form, c.hdr)
			if r.status != c.status || !strings.Contains(r.body, c.want) || !strings.Contains(r.body, `dir="rtl"`) {
				t.Errorf("%s: %d, want %d with %q", c.name, r.status, c.status, c.want)
			}
		}
		if n.tickerState(t) != before {
			t.Error("a refused request changed the ticker")
		}
	})
}

// TestTickerExpiryDropsPages: a line given an expiry a moment away leaves
// the cached home page when it runs out, with no event at that moment.
func TestTickerExpiryDropsPages(t *testing.T) {
	n := startNode(t, "")
	login(t, n, auth.RoleEditor)
	it := n.addLines(t, "سطر ينتهي بعد لحظات")
	if got := n.homeTicker(t); got[0] != it[0].Text {
		t.Fatalf("home ticker: %q", got)
	}
	// The form keeps whole seconds.
	at := n.soon(t, 4*time.Second).Truncate(time.Second)
	if r := n.do(t, "POST", "/admin/ticker/"+itoa(it[0].ID), url.Values{"text": {it[0].Text}, "expires": n.timeField(at)["at"]}, nil); r.status != http.StatusSeeOther {
		t.Fatalf("save: %d", r.status)
	}
	if got := n.homeTicker(t); got[0] != it[0].Text {
		t.Fatalf("the line left before its time: %q", got)
	}
	for deadline := time.Now().Add(20 * time.Second); slices.Contains(n.homeTicker(t), it[0].Text); {
		if time.Now().After(deadline) {
			t.Fatal("the expired line is still on the cached home page")
		}
		time.Sleep(100 * time.Millisecond)
	}
	if time.Now().Before(at) {
		t.Error("the line left before its time")
	}
}

// TestSendArticleToTicker: the one-click button on the article form and
// the desk, for those who manage the ticker; sending twice raises the
// line instead of repeating it.
func TestSendArticleToTicker(t *testing.T) {
	n := startNode(t, "")
	ctx := context.Background()
	editor := asRole(t, n, auth.RoleEditor)
	writer := asRole(t, n, auth.RoleWriter)
	a := articleIn(t, n, news.StatusPublished, 0)
	a.Breaking = true
	if err := n.Store.UpdateArticle(ctx, a); err != nil {
		t.Fatal(err)
	}
	quiet := articleIn(t, n, news.StatusPublished, 0)
	draft := articleIn(t, n, news.StatusDraft, 0)
	button := func(b *node, page string, art *news.Article) string {
		body := b.get(t, page).body
		return regexp.MustCompile(`action="/admin/articles/` + id(art) + `/ticker"[^>]*>(?:<input[^>]*>)?<button type="submit"[^>]*>`).FindString(body)
	}
	if btn := button(editor, "/admin/articles/"+id(a), a); btn == "" || strings.Contains(btn, "secondary") {
		t.Errorf("a breaking article's button is missing or not prominent: %q", btn)
	}
	if btn := button(editor, "/admin/articles/"+id(quiet), quiet); !strings.Contains(btn, `class="secondary"`) {
		t.Errorf("an ordinary article's button: %q", btn)
	}
	if btn := button(editor, "/admin/", a); btn == "" {
		t.Error("no button in the desk's recently published list")
	}
	if button(editor, "/admin/articles/"+id(draft), draft) != "" || button(writer, "/admin/articles/"+id(a), a) != "" || button(writer, "/admin/", a) != "" {
		t.Error("a button for a draft, or for a writer")
	}

	r := editor.do(t, "POST", "/admin/articles/"+id(a)+"/ticker", url.Values{}, nil)
	if r.status != http.StatusSeeOther || r.header.Get("Location") != "/admin/articles/"+id(a)+"?done=ticker_sent" {
		t.Fatalf("send: %d %s", r.status, r.header.Get("Location"))
	}
	if page := editor.get(t, r.header.Get("Location")); !strings.Contains(page.body, "أُضيف عنوان الخبر إلى أعلى الشريط العاجل") {
		t.Error("no message after sending")
	}
	pub := n.article(t, a.ID)
	if got := n.homeTicker(t); got[0] != pub.Headline {
		t.Errorf("home ticker after sending: %q", got)
	}
	items, _ := n.Store.ListTicker(ctx, store.OnShow, time.Now())
	if items[0].URL != news.ArticlePath(pub) || items[0].ArticleID != a.ID {
		t.Errorf("line: %+v, want a link to %s", items[0], news.ArticlePath(pub))
	}

	// Other lines go on top; sending again from the desk raises the line.
	n.addLines(t, "سطر أحدث")
	r = editor.do(t, "POST", "/admin/articles/"+id(a)+"/ticker", url.Values{"from": {"desk"}}, nil)
	if r.status != http.StatusSeeOther || r.header.Get("Location") != "/admin/?done=ticker_raised" {
		t.Fatalf("send again: %d %s", r.status, r.header.Get("Location"))
	}
	if page := editor.get(t, r.header.Get("Location")); !strings.Contains(page.body, "الخبر في الشريط أصلًا") {
		t.Error("no message after sending again")
	}
	if got := n.homeTicker(t); got[0] != pub.Headline {
		t.Errorf("home ticker after sending again: %q", got)
	}
	all, _ := n.Store.ListTicker(ctx, store.OnShow, time.Now())
	ranOut, _ := n.Store.ListTicker(ctx, store.RanOut, time.Now())
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
	before := n.tickerState(t)
	if r := editor.do(t, "POST", "/admin/articles/"+id(draft)+"/ticker", url.Values{}, nil); r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "لا يُرسل إلى الشريط إلا خبر منشور") {
		t.Errorf("draft: %d", r.status)
	}
	if r := editor.do(t, "POST", "/admin/articles/424242/ticker", url.Values{}, nil); r.status != http.StatusNotFound {
		t.Errorf("unknown article: %d", r.status)
	}
	if r := editor.do(t, "POST", "/admin/articles/abc/ticker", url.Values{}, nil); r.status != http.StatusNotFound {
		t.Errorf("non-numeric article: %d", r.status)
	}
	if r := writer.do(t, "POST", "/admin/articles/"+id(a)+"/ticker", url.Values{}, nil); r.status != http.StatusForbidden {
		t.Errorf("writer: %d", r.status)
	}
	if n.tickerState(t) != before {
		t.Error("a refused send changed the ticker")
	}
}

// TestTickerPageKeepsLinesOnShow: expired lines keep their positions, so
// years of them must not push a line readers still see off the
// newsroom's ticker page, where editors manage it.
func TestTickerPageKeepsLinesOnShow(t *testing.T) {
	n := startNode(t, "")
	editor := asRole(t, n, auth.RoleEditor)
	ctx := context.Background()
	if err := n.Store.CreateTicker(ctx, &news.TickerItem{Text: "سطر يبقى على الشريط"}); err != nil {
		t.Fatal(err)
	}
	for i := range 60 {
		it := &news.TickerItem{Text: "سطر انتهى " + itoa(int64(i)), ExpiresAt: time.Now().Add(-time.Minute)}
		if err := n.Store.CreateTicker(ctx, it); err != nil {
			t.Fatal(err)
		}
	}
	page := editor.get(t, "/admin/ticker").body
	if !strings.Contains(page, "سطر يبقى على الشريط") || !strings.Contains(page, "سطر انتهى 59") {
		t.Error("the ticker page lost the line on show, or the latest expired one")
	}
}

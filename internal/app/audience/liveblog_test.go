package audience_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"khabar/internal/apptest"
	"khabar/internal/auth"
	"khabar/internal/news"
)

// liveArticle makes the demo's newest article a live blog with n entries,
// the first of them a key event, one minute apart, newest last.
func liveArticle(t *testing.T, n *apptest.Node, entries int) (*news.Article, []*news.LiveEntry) {
	t.Helper()
	ctx := context.Background()
	a := apptest.FirstPublished(t, n.Store)
	if err := n.Store.SetLiveCoverage(ctx, a.ID, true); err != nil {
		t.Fatal(err)
	}
	start := time.Now().Add(-time.Duration(entries) * time.Minute)
	var out []*news.LiveEntry
	for i := range entries {
		e := &news.LiveEntry{ArticleID: a.ID, Title: fmt.Sprintf("تحديث رقم %d", i), Key: i == 0, CreatedAt: start.Add(time.Duration(i) * time.Minute),
			Body: []news.Block{{Type: news.BlockParagraph, Text: fmt.Sprintf("نص التحديث %d", i)}}}
		if err := n.Store.CreateLiveEntry(ctx, e); err != nil {
			t.Fatal(err)
		}
		out = append(out, e)
		if i%10 == 9 {
			// Each entry costs the live consumer a render, slow under the
			// race detector: wait in steps, never long at once.
			n.WaitEvents(t)
		}
	}
	a, err := n.Store.GetArticle(ctx, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	return a, out
}

// liveSection is the opening tag of a live blog that open pages keep up
// to date.
var liveSection = regexp.MustCompile(`<section id="liveblog"[^>]* data-live[ >]`)

// liveBlogLD is the LiveBlogPosting of an article page.
func liveBlogLD(t *testing.T, body string) map[string]any {
	t.Helper()
	for _, it := range ldOf(t, body) {
		if it["@type"] == "LiveBlogPosting" {
			return it
		}
	}
	t.Fatal("no LiveBlogPosting on the page")
	return nil
}

// openStream subscribes to a live topic and waits until the hub counts
// the subscriber; with lastID set, only what comes next is sent.
func openStream(t *testing.T, n *apptest.Node, topic, lastID string) *bufio.Scanner {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	t.Cleanup(cancel)
	req, _ := http.NewRequestWithContext(ctx, "GET", n.Base+"/live?topic="+topic, nil)
	if lastID != "" {
		req.Header.Set("Last-Event-ID", lastID)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { res.Body.Close() })
	if res.StatusCode != 200 || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/event-stream") {
		t.Fatalf("stream %s: %d %s", topic, res.StatusCode, res.Header.Get("Content-Type"))
	}
	apptest.WaitFor(t, "the stream to subscribe to "+topic, func() bool { return n.Live.Clients(topic) > 0 })
	sc := bufio.NewScanner(res.Body)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	return sc
}

func TestLiveBlogPages(t *testing.T) {
	t.Parallel()
	apptest.Backends(t, func(t *testing.T, n *apptest.Node) {
		ctx := context.Background()
		before := apptest.FirstPublished(t, n.Store)
		a, entries := liveArticle(t, n, 45)
		if !a.UpdatedAt.After(before.UpdatedAt) {
			t.Errorf("entries did not move the article's updated time: %v → %v", before.UpdatedAt, a.UpdatedAt)
		}
		n.WaitEvents(t)
		page := n.Get(t, apptest.ArticleURL(a))
		if page.Status != 200 {
			t.Fatalf("article: %d", page.Status)
		}
		// Newest first, twenty on the article page, the key event pinned
		// above them with a link to the page it is on.
		latest, oldest := entries[44], entries[0]
		if !liveSection.MatchString(page.Body) {
			t.Error("the live blog of the article page does not listen for updates")
		}
		for _, want := range []string{`id="liveblog"`, "تغطية مباشرة", `class="lb-badge lb-on"`, "أبرز الأحداث",
			`id="e` + strconv.FormatInt(latest.ID, 10) + `"`, `href="/liveblog/` + strconv.FormatInt(a.ID, 10) + `?page=2"`,
			`/liveblog/` + strconv.FormatInt(a.ID, 10) + `?page=3#e` + strconv.FormatInt(oldest.ID, 10), "/static/liveblog."} {
			if !strings.Contains(page.Body, want) {
				t.Errorf("article page lacks %s", want)
			}
		}
		if strings.Index(page.Body, "تحديث رقم 44") > strings.Index(page.Body, "تحديث رقم 43") || strings.Contains(page.Body, `id="e`+strconv.FormatInt(entries[24].ID, 10)+`"`) {
			t.Error("entries are not the newest twenty, newest first")
		}
		ld := liveBlogLD(t, page.Body)
		updates, _ := ld["liveBlogUpdate"].([]any)
		if ld["coverageStartTime"] == nil || ld["coverageEndTime"] != nil || len(updates) != 10 {
			t.Fatalf("JSON-LD: start %v end %v, %d updates", ld["coverageStartTime"], ld["coverageEndTime"], len(updates))
		}
		first, _ := updates[0].(map[string]any)
		if first["headline"] != "تحديث رقم 44" || first["articleBody"] != "نص التحديث 44" || first["@type"] != "BlogPosting" ||
			!strings.HasSuffix(first["url"].(string), "#e"+strconv.FormatInt(latest.ID, 10)) {
			t.Errorf("latest update: %v", first)
		}
		if ld["dateModified"] == ld["datePublished"] {
			t.Error("dateModified did not move with the entries")
		}

		// Load more: pages 2 and 3 without JavaScript, then nothing.
		base := "/liveblog/" + strconv.FormatInt(a.ID, 10)
		p2 := n.Get(t, base+"?page=2")
		if p2.Status != 200 || !strings.Contains(p2.Body, "تحديث رقم 24") || strings.Contains(p2.Body, "تحديث رقم 25<") ||
			!strings.Contains(p2.Body, `rel="next" href="`+base+`?page=3"`) || !strings.Contains(p2.Body, "noindex") ||
			!strings.Contains(p2.Body, `<link rel="canonical" href="http://khabar.test`+apptest.ArticleURL(a)) {
			t.Fatalf("page 2: %d", p2.Status)
		}
		if p3 := n.Get(t, base+"?page=3"); p3.Status != 200 || !strings.Contains(p3.Body, "تحديث رقم 0") || strings.Contains(p3.Body, `rel="next"`) {
			t.Fatalf("page 3: %d", p3.Status)
		}
		for path, want := range map[string]int{
			base + "?page=4": 404, base + "?page=0": 400, base + "?page=x": 400, "/liveblog/0": 404, "/liveblog/abc": 404,
			"/liveblog/99999999999999999999": 404, "/liveblog/999999": 404,
			"/liveblog/" + strconv.FormatInt(firstOther(t, n, a.ID), 10): 404, // a published article that is not live
		} {
			if r := n.Get(t, path); r.Status != want {
				t.Errorf("%s: %d, want %d", path, r.Status, want)
			}
		}

		// An edit and a deletion refresh the cached pages.
		edit := *latest
		edit.Title = "تحديث مصحَّح"
		if err := n.Store.UpdateLiveEntry(ctx, &edit); err != nil {
			t.Fatal(err)
		}
		if err := n.Store.DeleteLiveEntry(ctx, a.ID, entries[43].ID); err != nil {
			t.Fatal(err)
		}
		n.WaitEvents(t)
		page = n.Get(t, apptest.ArticleURL(a))
		if !strings.Contains(page.Body, "تحديث مصحَّح") || strings.Contains(page.Body, "تحديث رقم 43") {
			t.Error("the article page was not refreshed after an edit and a deletion")
		}

		// Closing: the page says so and stops listening; JSON-LD ends.
		if err := n.Store.SetLiveCoverage(ctx, a.ID, false); err != nil {
			t.Fatal(err)
		}
		n.WaitEvents(t)
		page = n.Get(t, apptest.ArticleURL(a))
		if !strings.Contains(page.Body, "انتهت التغطية المباشرة في") || liveSection.MatchString(page.Body) || strings.Contains(page.Body, "lb-on") {
			t.Error("a closed live blog still looks live")
		}
		if ld := liveBlogLD(t, page.Body); ld["coverageEndTime"] == nil {
			t.Error("no coverageEndTime after closing")
		}
	})
}

// firstOther is a published article other than id that is not live.
func firstOther(t *testing.T, n *apptest.Node, id int64) int64 {
	t.Helper()
	list, err := n.Store.ListPublished(context.Background(), storeList(50))
	if err != nil {
		t.Fatal(err)
	}
	for _, it := range list {
		if it.ID != id && !it.Live {
			return it.ID
		}
	}
	t.Fatal("no other published article")
	return 0
}

// sseData reads a stream until a data line of event name, and returns it.
func sseData(t *testing.T, sc *bufio.Scanner, name string) string {
	t.Helper()
	event := ""
	for sc.Scan() {
		line := sc.Text()
		if e, ok := strings.CutPrefix(line, "event: "); ok {
			event = e
		}
		if d, ok := strings.CutPrefix(line, "data: "); ok && event == name {
			return d
		}
	}
	t.Fatalf("stream ended before a %s event: %v", name, sc.Err())
	return ""
}

func TestLiveBlogLiveDelivery(t *testing.T) {
	t.Parallel()
	apptest.Backends(t, func(t *testing.T, n *apptest.Node) {
		ctx := context.Background()
		a, _ := liveArticle(t, n, 1)
		n.WaitEvents(t)
		sc := openStream(t, n, "liveblog/"+strconv.FormatInt(a.ID, 10), "999999999")

		// A hostile entry arrives rendered, sanitised and escaped.
		e := &news.LiveEntry{ArticleID: a.ID, Title: `<img src=x onerror=alert(1)>عاجل`, Key: true,
			Body: []news.Block{{Type: news.BlockParagraph, Text: `انفجار <script>alert(2)</script><strong>قوي</strong>`}}}
		start := time.Now()
		if err := n.Store.CreateLiveEntry(ctx, e); err != nil {
			t.Fatal(err)
		}
		var m struct {
			ID      int64
			HTML    string
			Removed bool
			Keys    string
		}
		if err := json.Unmarshal([]byte(sseData(t, sc, "entry")), &m); err != nil {
			t.Fatal(err)
		}
		if took := time.Since(start); took > 2*time.Second {
			t.Errorf("the entry took %s to arrive", took)
		}
		if m.ID != e.ID || !strings.Contains(m.HTML, `id="e`+strconv.FormatInt(e.ID, 10)+`"`) || !strings.Contains(m.HTML, "&lt;img src=x onerror=alert(1)&gt;عاجل") ||
			strings.Contains(m.HTML, "<img") || strings.Contains(m.HTML, "<script") || !strings.Contains(m.HTML, "<strong>قوي</strong>") {
			t.Fatalf("live entry: %+v", m)
		}
		if !strings.Contains(m.Keys, "أبرز الأحداث") || !strings.Contains(m.Keys, html.EscapeString("<img src=x onerror=alert(1)>")) {
			t.Errorf("key events in the message: %s", m.Keys)
		}
		// Edited, then deleted.
		e.Title = "عاجل: تصحيح"
		if err := n.Store.UpdateLiveEntry(ctx, e); err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal([]byte(sseData(t, sc, "entry")), &m); err != nil || !strings.Contains(m.HTML, "عاجل: تصحيح") {
			t.Fatalf("edited entry: %+v %v", m, err)
		}
		if err := n.Store.DeleteLiveEntry(ctx, a.ID, e.ID); err != nil {
			t.Fatal(err)
		}
		m.HTML = ""
		if err := json.Unmarshal([]byte(sseData(t, sc, "entry")), &m); err != nil || !m.Removed || m.ID != e.ID || m.HTML != "" {
			t.Fatalf("deleted entry: %+v %v", m, err)
		}
		// Closing ends the stream's updates.
		if err := n.Store.SetLiveCoverage(ctx, a.ID, false); err != nil {
			t.Fatal(err)
		}
		var c struct {
			Ended bool
			HTML  string
		}
		if err := json.Unmarshal([]byte(sseData(t, sc, "coverage")), &c); err != nil || !c.Ended || !strings.Contains(c.HTML, "انتهت التغطية المباشرة") {
			t.Fatalf("coverage end: %+v %v", c, err)
		}
	})
}

// TestLiveBlogCorrectionReachesArticlePage: an entry posted and then
// corrected through the newsroom shows corrected on the article page.
// (The newsroom's entry forms, roles and refusals are
// internal/newsroom's TestLiveBlogNewsroom.)
func TestLiveBlogCorrectionReachesArticlePage(t *testing.T) {
	t.Parallel()
	apptest.Backends(t, func(t *testing.T, n *apptest.Node) {
		ctx := context.Background()
		a := apptest.FirstPublished(t, n.Store)
		admin := "/admin/articles/" + strconv.FormatInt(a.ID, 10) + "/liveblog"
		// The editor posts and corrects: who may do so is the newsroom's
		// TestLiveBlogRoleMatrix.
		editor := apptest.As(t, n, auth.RoleEditor)
		if r := editor.Do(t, "POST", admin+"/coverage", url.Values{"action": {"open"}}, nil); r.Status != http.StatusSeeOther {
			t.Fatalf("editor opens coverage: %d", r.Status)
		}
		if r := editor.Do(t, "POST", admin, url.Values{"title": {"وصول الوفد"}, "text": {"وصل الوفد إلى القاعة"}}, nil); r.Status != http.StatusSeeOther {
			t.Fatalf("post entry: %d %s", r.Status, r.Body)
		}
		entries, total, _ := n.Store.LiveEntries(ctx, a.ID, 10, 0)
		if total != 1 {
			t.Fatalf("%d entries", total)
		}
		save := url.Values{"title": {"وصول الوفد الرسمي"}, "text": {"نص مصحح"}, "version": {"1"}}
		if r := editor.Do(t, "POST", admin+"/"+strconv.FormatInt(entries[0].ID, 10), save, nil); r.Status != http.StatusSeeOther {
			t.Fatalf("save entry: %d %s", r.Status, r.Body)
		}
		n.WaitEvents(t)
		if r := n.Get(t, apptest.ArticleURL(a)); !strings.Contains(r.Body, "وصول الوفد الرسمي") || !strings.Contains(r.Body, "نص مصحح") {
			t.Error("the correction is not on the article page")
		}
	})
}

// TestLiveBlogDemo: the demo outlet has a live blog readers can open.
func TestLiveBlogDemo(t *testing.T) {
	t.Parallel()
	n := apptest.StartNode(t, "")
	ctx := context.Background()
	list, err := n.Store.ListPublished(ctx, storeList(50))
	if err != nil {
		t.Fatal(err)
	}
	var live []int64
	for _, it := range list {
		if it.Live {
			live = append(live, it.ID)
		}
	}
	if len(live) != 1 {
		t.Fatalf("the demo has %d live blogs, want one", len(live))
	}
	a, _ := n.Store.GetArticle(ctx, live[0])
	entries, total, _ := n.Store.LiveEntries(ctx, a.ID, 50, 0)
	keys, _ := n.Store.KeyLiveEntries(ctx, a.ID, 50)
	if total < 5 || len(keys) < 2 || !entries[0].CreatedAt.Before(time.Now()) || entries[total-1].CreatedAt.Before(a.PublishedAt) {
		t.Fatalf("demo live blog: %d entries, %d key events", total, len(keys))
	}
	page := n.Get(t, apptest.ArticleURL(a))
	if page.Status != 200 || !strings.Contains(page.Body, entries[0].Summary(50)) || !liveSection.MatchString(page.Body) {
		t.Fatalf("demo live blog page: %d", page.Status)
	}
}

// TestLiveBlogDraftsStaySilent: anyone may subscribe to any topic, so the
// entries of a live blog that is not published yet are never sent.
func TestLiveBlogDraftsStaySilent(t *testing.T) {
	t.Parallel()
	n := apptest.StartNode(t, "")
	ctx := context.Background()
	a := apptest.FirstPublished(t, n.Store)
	draft := &news.Article{Headline: "تغطية لم تُنشر بعد", SectionID: a.SectionID, Status: news.StatusDraft, Live: true}
	if err := n.Store.CreateArticle(ctx, draft); err != nil {
		t.Fatal(err)
	}
	sc := openStream(t, n, "liveblog/"+strconv.FormatInt(draft.ID, 10), "")
	secret := &news.LiveEntry{ArticleID: draft.ID, Title: "سرّ التحرير"}
	if err := n.Store.CreateLiveEntry(ctx, secret); err != nil {
		t.Fatal(err)
	}
	n.WaitEvents(t)
	if r := n.Get(t, "/liveblog/"+strconv.FormatInt(draft.ID, 10)); r.Status != http.StatusNotFound {
		t.Errorf("the entries page of a draft: %d", r.Status)
	}
	draft, _ = n.Store.GetArticle(ctx, draft.ID)
	draft.Status = news.StatusPublished
	if err := n.Store.UpdateArticle(ctx, draft); err != nil {
		t.Fatal(err)
	}
	public := &news.LiveEntry{ArticleID: draft.ID, Title: "أول تحديث منشور"}
	if err := n.Store.CreateLiveEntry(ctx, public); err != nil {
		t.Fatal(err)
	}
	data := sseData(t, sc, "entry")
	if strings.Contains(data, "سرّ التحرير") || !strings.Contains(data, "أول تحديث منشور") {
		t.Fatalf("first message on a blog published late: %s", data)
	}
	for _, topic := range []string{"liveblog/", "liveblog/x", "liveblog/-1", "liveblog/1/2", "liveblogs/1"} {
		if r := n.Get(t, "/live?topic="+url.QueryEscape(topic)); r.Status != http.StatusBadRequest {
			t.Errorf("topic %q: %d", topic, r.Status)
		}
	}
}

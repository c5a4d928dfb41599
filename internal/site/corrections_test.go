package site

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/mmcdole/gofeed"

	"khabar/internal/news"
	"khabar/internal/store"
	"khabar/internal/storetest"
)

// deliver hands the site's page cache the events written since after, as
// the outbox does on a node.
func (f *fixture) deliver(t *testing.T, after int64) {
	t.Helper()
	evs, err := f.store.EventsAfter(context.Background(), after, 100)
	if err != nil {
		t.Fatal(err)
	}
	for _, ev := range evs {
		if err := f.s.HandleEvent(context.Background(), ev); err != nil {
			t.Fatal(err)
		}
	}
}

// TestCorrectionsShown: a correction and an editor's note reach the
// article page (the note above the body, the correction below it, each
// dated), its JSON-LD (correction, dateModified), the feeds (their text,
// the entry's updated time) and /corrections, through the event that
// drops the cached pages; deleting one takes it away again.
func TestCorrectionsShown(t *testing.T) { storetest.Each(t, testCorrectionsShown) }

func testCorrectionsShown(t *testing.T, st *store.Store) {
	f := newFixture(t, st)
	ctx := context.Background()
	var a *news.Article
	for _, p := range f.published(t, 10) {
		if time.Since(p.PublishedAt) > 10*time.Minute && time.Since(p.UpdatedAt) > 10*time.Minute {
			a = p
			break
		}
	}
	if a == nil {
		t.Fatal("the demo has no article published a while ago")
	}
	path := news.ArticlePath(a)
	// Cached before the corrections, so only the event can refresh them.
	page := f.get(path).Body
	if strings.Contains(page, "correction-box") || ldOf(t, page)[0]["correction"] != nil {
		t.Fatal("a box before any correction")
	}
	if r := f.get("/corrections"); r.Status != 200 || !strings.Contains(r.Body, "لا تصحيحات ولا ملاحظات بعد.") {
		t.Fatalf("/corrections with none: %d", r.Status)
	}
	f.get("/feeds/atom.xml")

	before, _ := st.LastEventID(ctx)
	fix := &news.Correction{ArticleID: a.ID, Kind: news.Erratum, Text: "ورد خطأً أن <b>الاجتماع</b> يوم الثلاثاء؛ الصحيح الأربعاء."}
	note := &news.Correction{ArticleID: a.ID, Kind: news.EditorsNote, Text: "حُدّث هذا الخبر بعد بيان الوزارة."}
	for _, c := range []*news.Correction{fix, note} {
		if err := st.AddCorrection(ctx, c); err != nil {
			t.Fatal(err)
		}
	}
	f.deliver(t, before)
	updated, err := st.GetArticle(ctx, a.ID)
	if err != nil || !updated.UpdatedAt.Equal(note.CreatedAt) {
		t.Fatalf("updated time %v, want the note's %s: %v", updated.UpdatedAt, note.CreatedAt, err)
	}
	iso := f.s.eng.DateFormat().ISO
	// As html/template writes it in an attribute.
	isoAttr := func(t time.Time) string { return strings.ReplaceAll(iso(t), "+", "&#43;") }

	page = f.get(path).Body
	fixHTML := "ورد خطأً أن &lt;b&gt;الاجتماع&lt;/b&gt; يوم الثلاثاء؛ الصحيح الأربعاء."
	noteAt, body, fixAt := strings.Index(page, note.Text), strings.Index(page, `<div class="body">`), strings.Index(page, fixHTML)
	if noteAt < 0 || fixAt < 0 || !(noteAt < body && body < fixAt) {
		t.Errorf("the note (at %d) should come before the body (at %d), the correction (at %d) after it", noteAt, body, fixAt)
	}
	for _, want := range []string{`class="correction-box cb-note"`, `class="correction-box cb-correction"`, "ملاحظة المحرر", "تصحيح",
		`<time class="cb-when" datetime="` + isoAttr(fix.CreatedAt) + `">`, `<time class="cb-when" datetime="` + isoAttr(note.CreatedAt) + `">`,
		`<a href="/corrections">`, "آخر تحديث"} {
		if !strings.Contains(page, want) {
			t.Errorf("the article page lacks %s", want)
		}
	}
	if strings.Contains(page, "<b>الاجتماع") {
		t.Error("a correction's text was not escaped")
	}
	art := ldOf(t, page)[0]
	if art["dateModified"] != iso(note.CreatedAt) {
		t.Errorf("dateModified %v, want %s", art["dateModified"], iso(note.CreatedAt))
	}
	// Only the correction: an editor's note corrects nothing.
	if cs, _ := art["correction"].([]any); len(cs) != 1 {
		t.Errorf("correction: %v", art["correction"])
	} else if c := cs[0].(map[string]any); c["@type"] != "CorrectionComment" || c["text"] != fix.Text || c["datePublished"] != iso(fix.CreatedAt) {
		t.Errorf("CorrectionComment: %v", c)
	}

	preview, err := f.s.RenderPreview(ctx, updated)
	if err != nil || !strings.Contains(string(preview), fixHTML) || !strings.Contains(string(preview), note.Text) {
		t.Errorf("the preview lacks the boxes: %v", err)
	}

	list := f.get("/corrections")
	noteAt, fixAt = strings.Index(list.Body, note.Text), strings.Index(list.Body, fixHTML)
	if list.Status != 200 || noteAt < 0 || fixAt < noteAt || !strings.Contains(list.Body, `<a href="`+path+`">`+a.Headline+`</a>`) ||
		!strings.Contains(list.Body, "<h1>التصحيحات وملاحظات المحرر</h1>") || !strings.Contains(list.Body, `datetime="`+isoAttr(fix.CreatedAt)+`"`) {
		t.Errorf("/corrections: %d, the note at %d, the correction at %d\n%s", list.Status, noteAt, fixAt, list.Body)
	}
	for q, want := range map[string]int{"?page=2": http.StatusNotFound, "?page=0": http.StatusBadRequest, "?page=x": http.StatusBadRequest} {
		if r := f.get("/corrections" + q); r.Status != want {
			t.Errorf("/corrections%s: %d, want %d", q, r.Status, want)
		}
	}

	feed, err := gofeed.NewParser().ParseString(f.get("/feeds/atom.xml").Body)
	if err != nil {
		t.Fatal(err)
	}
	var item *gofeed.Item
	for _, it := range feed.Items {
		if strings.HasSuffix(it.Link, path) {
			item = it
		}
	}
	if item == nil {
		t.Fatalf("%s is not in the feed", path)
	}
	if item.UpdatedParsed == nil || !item.UpdatedParsed.Equal(note.CreatedAt.Truncate(time.Second)) {
		t.Errorf("the entry's updated time %v, want %s", item.UpdatedParsed, note.CreatedAt)
	}
	if !strings.Contains(item.Content, fixHTML) || !strings.Contains(item.Content, note.Text) || !strings.Contains(item.Content, `href="http://khabar.test/corrections"`) {
		t.Errorf("the entry's content lacks the corrections:\n%s", item.Content)
	}

	before, _ = st.LastEventID(ctx)
	if err := st.DeleteCorrection(ctx, a.ID, fix.ID, news.Actor{Name: "محرر"}); err != nil {
		t.Fatal(err)
	}
	f.deliver(t, before)
	if page := f.get(path).Body; strings.Contains(page, fixHTML) || strings.Contains(page, "cb-correction") || !strings.Contains(page, note.Text) {
		t.Error("the deleted correction is still on the article page")
	}
	if list := f.get("/corrections").Body; strings.Contains(list, fixHTML) || !strings.Contains(list, note.Text) {
		t.Error("the deleted correction is still on /corrections")
	}
}

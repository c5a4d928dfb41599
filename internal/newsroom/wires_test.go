package newsroom

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"khabar/internal/auth"
	"khabar/internal/news"
	"khabar/internal/store"
	"khabar/internal/storetest"
	"khabar/internal/wire"
)

// addWire keeps an agency item on the desk and returns its id.
func (f *fixture) addWire(t *testing.T, it wire.Item) int64 {
	t.Helper()
	id, _, err := f.store.AddWire(context.Background(), it, "folder")
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func agencyItem(guid string, v int64, headline string) wire.Item {
	return wire.Item{Format: wire.FormatNewsML, GUID: guid, Version: v, Provider: "وكالة المثال", Headline: headline, Language: "ar",
		Lead: "مقدمة الوكالة", Status: wire.Usable,
		BodyHTML: `<p>نص <strong>الوكالة</strong> عن الأسد</p><h2>عنوان فرعي</h2><p>فقرة ثانية <script>alert(1)</script></p>`}
}

// wireState is the desk and the articles, as stored.
func (f *fixture) wireState(t *testing.T) string {
	t.Helper()
	ws, err := f.store.Wires(context.Background(), store.WireFilter{Limit: 200})
	if err != nil {
		t.Fatal(err)
	}
	n, err := f.store.CountArticles(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return fmt.Sprint(len(ws), n)
}

// TestWiresRoleMatrix: the desk is for those who write; moderators get
// 403 and make no draft.
func TestWiresRoleMatrix(t *testing.T) { storetest.Each(t, testWiresRoleMatrix) }

func testWiresRoleMatrix(t *testing.T, s *store.Store) {
	f := newFixture(t, s)
	n := 0
	fresh := func() string {
		n++
		return itoa(f.addWire(t, agencyItem(fmt.Sprintf("urn:m:%d", n), 1, "خبر")))
	}
	f.roleMatrix(t, auth.PermWrite, f.wireState, []routeCase{
		{"desk", "GET", func() string { return "/admin/wires" }, nil, 200},
		{"item", "GET", func() string { return "/admin/wires/" + fresh() }, nil, 200},
		{"draft", "POST", func() string { return "/admin/wires/" + fresh() + "/draft" }, url.Values{}, 303},
	})
}

// TestWireDesk: the desk lists the newest version of each story with its
// agency's marks, finds words without their hamza, escapes what agencies
// send, and turns an item into a draft credited to the agency, its
// embargo the planned publication; a later kill flags the draft until an
// editor has seen it.
func TestWireDesk(t *testing.T) { storetest.Each(t, testWireDesk) }

func testWireDesk(t *testing.T, s *store.Store) {
	f := newFixture(t, s)
	_, c := f.as(t, auth.RoleWriter)
	embargo := time.Now().Add(48 * time.Hour).UTC().Truncate(time.Second)
	first := agencyItem("urn:desk:1", 1, "الأسد يلقي خطابًا <script>alert(1)</script>")
	first.Embargoed, first.EdNote = embargo, "ممنوع النشر قبل الموعد"
	id1 := f.addWire(t, first)
	other := agencyItem("urn:desk:2", 1, "أسعار الخبز")
	other.Provider, other.BodyHTML = "وكالة أخرى", "<p>ارتفعت الأسعار</p>"
	f.addWire(t, other)

	desk := c.Get("/admin/wires")
	if desk.Status != 200 || strings.Contains(desk.Body, "<script>alert") || !strings.Contains(desk.Body, "&lt;script&gt;") ||
		!strings.Contains(desk.Body, "محظور النشر حتى") || !strings.Contains(desk.Body, `<option value="وكالة أخرى">`) {
		t.Fatalf("desk: %d\n%s", desk.Status, desk.Body)
	}
	for _, tc := range []struct{ query, want, not string }{
		{"?q=" + url.QueryEscape("الاسد"), "urn", "أسعار الخبز"},
		{"?agency=" + url.QueryEscape("وكالة أخرى"), "أسعار الخبز", "الأسد يلقي"},
		{"?q=" + url.QueryEscape("لا يوجد"), "", "الأسد يلقي"},
	} {
		r := c.Get("/admin/wires" + tc.query)
		if r.Status != 200 || strings.Contains(r.Body, tc.not) {
			t.Errorf("%s: %d, shows %q", tc.query, r.Status, tc.not)
		}
	}
	for _, bad := range []string{"?before=x", "?before=1.0", "?q=" + strings.Repeat("ع", 300), "?q=%FF"} {
		if r := c.Get("/admin/wires" + bad); r.Status != 400 {
			t.Errorf("%s: %d, want 400", bad, r.Status)
		}
	}
	if r := c.Get("/admin/wires/999999"); r.Status != 404 {
		t.Errorf("no such item: %d", r.Status)
	}

	item := c.Get("/admin/wires/" + itoa(id1))
	if item.Status != 200 || strings.Contains(item.Body, "<script>alert") || strings.Contains(item.Body, "<strong>الوكالة") ||
		!strings.Contains(item.Body, "ممنوع النشر قبل الموعد") || !strings.Contains(item.Body, "<h3>عنوان فرعي</h3>") {
		t.Fatalf("item: %d\n%s", item.Status, item.Body)
	}

	r := c.Post("/admin/wires/"+itoa(id1)+"/draft", url.Values{})
	loc := r.Header.Get("Location")
	var aid int64
	if _, err := fmt.Sscanf(loc, "/admin/articles/%d?done=wire_draft_made", &aid); r.Status != 303 || err != nil {
		t.Fatalf("draft: %d %q", r.Status, loc)
	}
	a := f.article(t, aid)
	if a.Status != news.StatusDraft || a.Headline != first.Headline || a.Lead != "مقدمة الوكالة" || a.Source != "وكالة المثال" ||
		len(a.Body) != 3 || a.Body[1].Type != news.BlockHeading || strings.Contains(a.Body[2].Text, "script") {
		t.Fatalf("draft %+v", a)
	}
	edit := c.Get(loc)
	if !strings.Contains(edit.Body, "صارت مادة الوكالة مسودة") || strings.Contains(edit.Body, "wire-notice") || !strings.Contains(edit.Body, "حظرت الوكالة نشر هذا الخبر قبل") {
		t.Errorf("the editor after the draft: flash, the embargo, and no notice yet:\n%s", edit.Body)
	}
	// The embargo holds: neither published nor scheduled before it.
	_, ed := f.as(t, auth.RoleEditor)
	a = f.article(t, aid)
	if r := step(ed, a, news.ActionPublish, nil); r.Status == 303 || !strings.Contains(r.Body, "حظرت الوكالة النشر قبل موعد الحظر") {
		t.Errorf("published before the embargo: %d", r.Status)
	}
	if r := step(ed, a, news.ActionSchedule, f.timeField(embargo.Add(-time.Hour))); r.Status == 303 {
		t.Errorf("scheduled before the embargo: %d", r.Status)
	}
	if r := step(ed, a, news.ActionSchedule, f.timeField(embargo.Add(time.Hour))); r.Status != 303 {
		t.Errorf("scheduled after the embargo: %d\n%s", r.Status, r.Body)
	}
	a = f.article(t, aid)
	if item := c.Get("/admin/wires/" + itoa(id1)); !strings.Contains(item.Body, `href="/admin/articles/`+itoa(aid)+`"`) {
		t.Errorf("the item does not link the article made from it")
	}

	kill := agencyItem(first.GUID, 2, first.Headline)
	kill.Status, kill.EdNote = wire.Canceled, "إلغاء: خطأ في الاقتباس"
	killID := f.addWire(t, kill)
	edit = c.Get(adminPath(a))
	if !strings.Contains(edit.Body, "wire-notice") || !strings.Contains(edit.Body, "ألغت الوكالة الخبر") || !strings.Contains(edit.Body, "خطأ في الاقتباس") {
		t.Fatalf("a killed wire does not flag its draft:\n%s", edit.Body)
	}
	if r := c.Post("/admin/wires/"+itoa(killID)+"/draft", url.Values{}); r.Status != 303 || !strings.Contains(r.Header.Get("Location"), "wire_not_usable") {
		t.Errorf("a draft of a killed item: %d %s", r.Status, r.Header.Get("Location"))
	}
	if r := c.Post(adminPath(a)+"/wire-seen", url.Values{}); r.Status != 303 {
		t.Fatalf("seen: %d", r.Status)
	}
	if edit := c.Get(adminPath(a)); strings.Contains(edit.Body, "wire-notice") {
		t.Error("the notice stays after the editor has seen it")
	}
	// Another writer may not mark someone else's draft.
	_, other2 := f.as(t, auth.RoleWriter)
	if r := other2.Post(adminPath(a)+"/wire-seen", url.Values{}); r.Status != 403 {
		t.Errorf("another writer marks the notice seen: %d", r.Status)
	}
}

// TestWireAgencies: admins add agencies, each token shown once, and
// revoke them; others get 403 and change nothing.
func TestWireAgencies(t *testing.T) { storetest.Each(t, testWireAgencies) }

func testWireAgencies(t *testing.T, s *store.Store) {
	f := newFixture(t, s)
	state := func(t *testing.T) string {
		list, err := s.WireAgencies(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		return fmt.Sprintf("%+v", list)
	}
	n := 0
	fresh := func() string {
		n++
		id, err := s.AddWireAgency(context.Background(), fmt.Sprintf("وكالة %d", n), fmt.Sprintf("hash-%d", n), news.Actor{Name: "test"})
		if err != nil {
			t.Fatal(err)
		}
		return itoa(id)
	}
	f.roleMatrix(t, auth.PermManageSettings, state, []routeCase{
		{"list", "GET", func() string { return "/admin/wires/agencies" }, nil, 200},
		{"add", "POST", func() string { return "/admin/wires/agencies" }, url.Values{"name": {"وكالة الأنباء"}}, 201},
		{"revoke", "POST", func() string { return "/admin/wires/agencies/" + fresh() + "/revoke" }, url.Values{}, 303},
	})
	_, admin := f.as(t, auth.RoleAdmin)
	r := admin.Post("/admin/wires/agencies", url.Values{"name": {"وكالة <b>جديدة</b>"}})
	if r.Status != 201 || !strings.Contains(r.Body, `<code dir="ltr" class="token">`) || strings.Contains(r.Body, "<b>جديدة") {
		t.Fatalf("add: %d\n%s", r.Status, r.Body)
	}
	if again := admin.Get("/admin/wires/agencies"); strings.Contains(again.Body, `class="token"`) {
		t.Error("the token is shown again")
	}
	for _, tc := range []struct{ name, want string }{
		{"وكالة <b>جديدة</b>", "توجد وكالة بهذا الاسم"},
		{"", "err"},
		{strings.Repeat("و", 101), "err"},
	} {
		if r := admin.Post("/admin/wires/agencies", url.Values{"name": {tc.name}}); r.Status != 422 || !strings.Contains(r.Body, tc.want) {
			t.Errorf("name %q: %d", tc.name, r.Status)
		}
	}
}

package newsroom

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"khabar/internal/auth"
	"khabar/internal/news"
	"khabar/internal/store"
	"khabar/internal/storetest"
)

// correctionState is the corrections of the articles ids and the last
// event, printed: a refused request must leave it as it was.
func (f *fixture) correctionState(t *testing.T, ids ...int64) string {
	t.Helper()
	ctx := context.Background()
	var sb strings.Builder
	for _, id := range ids {
		list, err := f.store.ArticleCorrections(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&sb, "%d: %+v\n", id, list)
	}
	last, err := f.store.LastEventID(ctx)
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprint(&sb, "events ", last)
	return sb.String()
}

// correct adds a correction to article id through the store.
func (f *fixture) correct(t *testing.T, id int64, text string) *news.Correction {
	t.Helper()
	c := &news.Correction{ArticleID: id, Kind: news.Erratum, Text: text, Actor: news.Actor{Name: "test"}}
	if err := f.store.AddCorrection(context.Background(), c); err != nil {
		t.Fatal(err)
	}
	return c
}

// TestCorrectionRoleMatrix: editors and admins add and delete
// corrections; writers and moderators get 403, and anonymous posts too
// (a redirect to the login page would lose the form), changing nothing;
// a writer sees an article's corrections but not the form.
func TestCorrectionRoleMatrix(t *testing.T) { storetest.Each(t, testCorrectionRoleMatrix) }

func testCorrectionRoleMatrix(t *testing.T, s *store.Store) {
	f := newFixture(t, s)
	a := f.articleIn(t, news.StatusPublished, 0)
	base := adminPath(a) + "/corrections"
	clients := map[string]*storetest.Client{"anonymous": f.browser(t, f.h, "")}
	for _, role := range auth.Roles {
		_, clients[string(role)] = f.as(t, role)
	}
	cases := []struct {
		name string
		path func() string
		form url.Values
		done string
	}{
		{"add", func() string { return base }, url.Values{"kind": {"note"}, "text": {"حُدّث الخبر"}}, "correction_added"},
		{"delete", func() string { return base + "/" + itoa(f.correct(t, a.ID, "تصحيح").ID) + "/delete" }, url.Values{}, "correction_deleted"},
	}
	for _, c := range cases {
		for who, client := range clients {
			path := c.path()
			before := f.correctionState(t, a.ID)
			r := client.Post(path, c.form)
			allowed := who == string(auth.RoleEditor) || who == string(auth.RoleAdmin)
			switch {
			case allowed && (r.Status != http.StatusSeeOther || r.Header.Get("Location") != adminPath(a)+"?done="+c.done+"#corrections"):
				t.Errorf("%s as %s: %d %s", c.name, who, r.Status, r.Header.Get("Location"))
			case !allowed && r.Status != http.StatusForbidden:
				t.Errorf("%s as %s: %d, want 403", c.name, who, r.Status)
			case !allowed && f.correctionState(t, a.ID) != before:
				t.Errorf("%s as %s: refused, but the corrections changed", c.name, who)
			}
		}
	}
	editorsAndAdminsOnly(t, auth.PermCorrect)
	if r := clients["anonymous"].Get(adminPath(a)); r.Status != http.StatusSeeOther || !strings.HasPrefix(r.Header.Get("Location"), "/admin/login?next=") {
		t.Errorf("anonymous article page: %d %s", r.Status, r.Header.Get("Location"))
	}
	left := f.correct(t, a.ID, "تصحيح باقٍ")
	form, del := `action="`+base+`"`, `action="`+base+"/"+itoa(left.ID)+`/delete"`
	if r := clients["writer"].Get(adminPath(a)); r.Status != 200 || !strings.Contains(r.Body, "تصحيح باقٍ") || strings.Contains(r.Body, form) || strings.Contains(r.Body, del) {
		t.Errorf("a writer's view of the corrections: %d", r.Status)
	}
	if r := clients["editor"].Get(adminPath(a)); !strings.Contains(r.Body, form) || !strings.Contains(r.Body, del) || !strings.Contains(r.Body, `id="corrections"`) {
		t.Error("an editor sees no correction form or delete button")
	}
	if r := clients["editor"].Get(adminPath(f.articleIn(t, news.StatusDraft, 0))); strings.Contains(r.Body, `id="corrections"`) {
		t.Error("a draft offers corrections")
	}
}

// TestCorrectionHostileInput: every bad correction is refused with a
// precise message (or a 404 for what does not exist) and stores nothing;
// a correction is deleted only through its own article's address; the
// audit log names what was done in Arabic.
func TestCorrectionHostileInput(t *testing.T) { storetest.Each(t, testCorrectionHostileInput) }

func testCorrectionHostileInput(t *testing.T, s *store.Store) {
	f := newFixture(t, s)
	a := f.articleIn(t, news.StatusPublished, 0)
	other := f.articleIn(t, news.StatusPublished, 0)
	draft := f.articleIn(t, news.StatusDraft, 0)
	_, editor := f.as(t, auth.RoleEditor)
	ok := url.Values{"kind": {"correction"}, "text": {"تصحيح"}}
	with := func(k, v string) url.Values {
		form := url.Values{"kind": ok["kind"], "text": ok["text"]}
		form.Set(k, v)
		return form
	}
	cases := []struct {
		name   string
		path   string
		form   url.Values
		header http.Header
		status int
		says   string // in the page
	}{
		{"empty", adminPath(a) + "/corrections", with("text", "  "), nil, 422, "هذا الحقل مطلوب."},
		{"no text", adminPath(a) + "/corrections", url.Values{"kind": {"note"}}, nil, 422, "هذا الحقل مطلوب."},
		{"only direction controls", adminPath(a) + "/corrections", with("text", "\u202e\u2067\u200f\u2069"), nil, 422, "هذا الحقل مطلوب."},
		{"too long", adminPath(a) + "/corrections", with("text", strings.Repeat("خطأ ", 251)), nil, 422, "النص أطول من المسموح."},
		{"invalid UTF-8", adminPath(a) + "/corrections", with("text", "تصحيح \xff\xfe"), nil, 422, "النص يحتوي على رموز غير صالحة."},
		{"unknown kind", adminPath(a) + "/corrections", with("kind", "retraction"), nil, 422, "قيمة غير معروفة."},
		{"no kind", adminPath(a) + "/corrections", url.Values{"text": {"تصحيح"}}, nil, 422, "قيمة غير معروفة."},
		{"draft", adminPath(draft) + "/corrections", ok, nil, 422, "لا يُلحق تصحيح أو ملاحظة إلا بخبر منشور."},
		{"forged article", "/admin/articles/99999999/corrections", ok, nil, 404, ""},
		{"article not a number", "/admin/articles/x1/corrections", ok, nil, 404, ""},
		{"negative article", "/admin/articles/-1/corrections", ok, nil, 404, ""},
		{"cross-site", adminPath(a) + "/corrections", ok, crossSite, 403, ""},
	}
	ids := []int64{a.ID, other.ID, draft.ID}
	for _, c := range cases {
		before := f.correctionState(t, ids...)
		r := send(editor, "POST", c.path, c.form, c.header)
		if r.Status != c.status || !strings.Contains(r.Body, c.says) {
			t.Errorf("%s: %d, want %d saying %q", c.name, r.Status, c.status, c.says)
		}
		// The article itself was not what failed to save.
		if strings.Contains(r.Body, f.n.cat.T("admin_form_errors")) {
			t.Errorf("%s: the page says the article was not saved", c.name)
		}
		if f.correctionState(t, ids...) != before {
			t.Errorf("%s: refused, but something changed", c.name)
		}
	}
	// A refused form keeps what was typed and the kind chosen.
	if r := editor.Post(adminPath(a)+"/corrections", url.Values{"kind": {"note"}, "text": {strings.Repeat("ب", news.MaxCorrectionText+1)}}); !strings.Contains(r.Body, strings.Repeat("ب", news.MaxCorrectionText+1)+"</textarea>") ||
		!strings.Contains(r.Body, `<option value="note" selected>`) {
		t.Error("the refused form lost what was typed")
	}

	// Direction controls inside the text are dropped, the rest kept.
	if r := editor.Post(adminPath(a)+"/corrections", with("text", "الرقم الصحيح\u202e ٣٠ \u2066لا ٣\u2069")); r.Status != http.StatusSeeOther {
		t.Fatalf("a correction with direction controls: %d", r.Status)
	}
	list, err := f.store.ArticleCorrections(context.Background(), a.ID)
	if err != nil || len(list) != 1 || list[0].Text != "الرقم الصحيح ٣٠ لا ٣" {
		t.Fatalf("stored: %+v %v", list, err)
	}
	fix := list[0]

	// Deleting: through its own article only, by a real id.
	theirs := f.correct(t, other.ID, "تصحيح على خبر آخر")
	for name, path := range map[string]string{
		"another article's":     adminPath(a) + "/corrections/" + itoa(theirs.ID) + "/delete",
		"through another":       adminPath(other) + "/corrections/" + itoa(fix.ID) + "/delete",
		"forged":                adminPath(a) + "/corrections/99999999/delete",
		"not a number":          adminPath(a) + "/corrections/x/delete",
		"of a forged article":   "/admin/articles/99999999/corrections/" + itoa(fix.ID) + "/delete",
		"of a draft, by its id": adminPath(draft) + "/corrections/" + itoa(fix.ID) + "/delete",
	} {
		before := f.correctionState(t, ids...)
		if r := editor.Post(path, url.Values{}); r.Status != http.StatusNotFound {
			t.Errorf("delete %s: %d, want 404", name, r.Status)
		}
		if f.correctionState(t, ids...) != before {
			t.Errorf("delete %s: refused, but something changed", name)
		}
	}
	if r := editor.Post(adminPath(a)+"/corrections/"+itoa(fix.ID)+"/delete", url.Values{}); r.Status != http.StatusSeeOther {
		t.Fatalf("delete: %d", r.Status)
	}
	if list, _ := f.store.ArticleCorrections(context.Background(), a.ID); len(list) != 0 {
		t.Errorf("after deleting: %+v", list)
	}
	if r := editor.Get(adminPath(a) + "?done=correction_deleted"); !strings.Contains(r.Body, "حُذف، ولم يعد القراء يرونه.") || !strings.Contains(r.Body, "لا تصحيحات ولا ملاحظات على هذا الخبر.") {
		t.Error("no word of the deletion on the article's page")
	}
	_, admin := f.as(t, auth.RoleAdmin)
	audit := admin.Get("/admin/audit").Body
	for _, want := range []string{"إضافة تصحيح", "حذف تصحيح", "خبر " + f.n.settings.Get().Digits.Int(int(a.ID)), "الرقم الصحيح ٣٠ لا ٣"} {
		if !strings.Contains(audit, want) {
			t.Errorf("the audit log lacks %q", want)
		}
	}
}

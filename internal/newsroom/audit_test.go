package newsroom

import (
	"context"
	"strings"
	"testing"
	"time"

	"khabar/internal/auth"
	"khabar/internal/news"
	"khabar/internal/store"
	"khabar/internal/storetest"
)

// TestAuditLogInArabic: the audit log names actions, targets, states and
// roles in the newsroom's language and links to what it can, instead of
// showing the stored codes.
func TestAuditLogInArabic(t *testing.T) { storetest.Each(t, testAuditLogInArabic) }

func testAuditLogInArabic(t *testing.T, s *store.Store) {
	f := newFixture(t, s)
	ctx := context.Background()
	admin, c := f.as(t, auth.RoleAdmin)
	a := f.articleIn(t, news.StatusPublished, 0)
	writer, _ := f.as(t, auth.RoleWriter)
	if err := s.SetUserRole(ctx, writer.ID, auth.RoleEditor, admin.Actor()); err != nil {
		t.Fatal(err)
	}
	if err := s.Audit(ctx, news.Actor{Name: "(command line)"}, "token.create", "", "شريك (command line)"); err != nil {
		t.Fatal(err)
	}
	// The rest of the newsroom's changes are logged too: workflow steps,
	// settings, the ticker and uploads, under the name of whoever did them.
	as := store.WithActor(ctx, admin.Actor())
	draft := f.articleIn(t, news.StatusDraft, 0)
	if _, err := s.Transition(as, draft.ID, draft.Version, news.Change{Action: news.ActionSubmit}); err != nil {
		t.Fatal(err)
	}
	if err := s.SaveSettings(as, map[string]string{"tagline": "شعار جديد للتدقيق"}); err != nil {
		t.Fatal(err)
	}
	line := &news.TickerItem{Text: "سطر للتدقيق"}
	if err := s.CreateTicker(as, line); err != nil {
		t.Fatal(err)
	}
	if err := s.ExpireTicker(as, line.ID, time.Now()); err != nil {
		t.Fatal(err)
	}
	m := &news.Media{Path: "2026/12/audit.jpg", MIME: "image/jpeg", Width: 800, Height: 600}
	if err := s.CreateMedia(as, m); err != nil {
		t.Fatal(err)
	}
	body := c.Get("/admin/audit").Body
	for _, want := range []string{
		"نشر خبر", `<a href="/admin/articles/` + itoa(a.ID) + `">خبر ` + itoa(a.ID) + `</a>`,
		"تغيير دور", "كاتب ← محرر", `<a href="/admin/users/` + itoa(writer.ID) + `/sessions">حساب `,
		"إنشاء مفتاح واجهة برمجية", "<bdi>سطر الأوامر</bdi>", "شريك (سطر الأوامر)",
		"إرسال خبر للمراجعة", `<a href="/admin/articles/` + itoa(draft.ID) + `">`, "تغيير إعدادات الموقع", "tagline",
		"إضافة سطر إلى الشريط", "إنهاء سطر في الشريط", `<a href="/admin/ticker/` + itoa(line.ID) + `">سطر الشريط `,
		"رفع صورة", `<a href="/admin/media/` + itoa(m.ID) + `">صورة `,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("the audit log lacks %q", want)
		}
	}
	for _, code := range []string{">article.publish<", ">user.role<", "writer → editor", "(command line)", ">article ", ">ticker.", ">settings.", ">media.", ">article.submit<"} {
		if strings.Contains(body, code) {
			t.Errorf("the audit log shows the code %q", code)
		}
	}
}

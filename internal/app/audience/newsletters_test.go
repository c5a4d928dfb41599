package audience_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/mail"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"khabar/internal/alert/alerttest"
	"khabar/internal/apptest"
	"khabar/internal/auth"
	"khabar/internal/config"
	"khabar/internal/news"
)

const newsletterHookToken = "a bearer token for the mail provider"

// newsletterNode is a node whose mail relay refuses gone@example.com for
// good.
func newsletterNode(t *testing.T, dbURL string) (*apptest.Node, *alerttest.SMTPServer) {
	t.Helper()
	srv, err := alerttest.NewSMTPServer(alerttest.SMTPOptions{RejectRcpt: func(addr string) string {
		if addr == "gone@example.com" {
			return "550 5.1.1 no such user"
		}
		return ""
	}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Close)
	n := apptest.StartNode(t, dbURL, func(c *config.Config) {
		c.BaseURL, c.OutboundAllowPrivate = "https://khabar.test", true
		c.SMTPAddr, c.SMTPFrom = srv.Addr, "خبر <news@khabar.test>"
		c.NewsletterWebhookToken = newsletterHookToken
	})
	return n, srv
}

var (
	newsletterConfirm = regexp.MustCompile(`https://khabar\.test(/newsletter/confirm\?token=[A-Za-z0-9_.%-]+)`)
	listPath          = regexp.MustCompile(`^/admin/newsletters/(\d+)\?done=newsletter_saved$`)
	issueLocation     = regexp.MustCompile(`^/admin/newsletter-issues/(\d+)`)
)

// mailsTo are the messages the relay accepted for addr.
func mailsTo(srv *alerttest.SMTPServer, addr string) []alerttest.Mail {
	var out []alerttest.Mail
	for _, m := range srv.Mails() {
		if slices.Contains(m.To, addr) {
			out = append(out, m)
		}
	}
	return out
}

// mailParts reads a multipart/alternative message: its headers and each
// part's decoded body by content type.
func mailParts(t *testing.T, data []byte) (mail.Header, map[string]string) {
	t.Helper()
	m, err := mail.ReadMessage(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	mt, params, err := mime.ParseMediaType(m.Header.Get("Content-Type"))
	if err != nil || mt != "multipart/alternative" {
		t.Fatalf("content type %q: %v", m.Header.Get("Content-Type"), err)
	}
	parts := map[string]string{}
	mr := multipart.NewReader(m.Body, params["boundary"])
	for {
		p, err := mr.NextPart()
		if err != nil {
			break
		}
		typ, _, _ := mime.ParseMediaType(p.Header.Get("Content-Type"))
		b, err := io.ReadAll(base64.NewDecoder(base64.StdEncoding, p))
		if err != nil {
			t.Fatalf("%s part: %v", typ, err)
		}
		parts[typ] = string(b)
	}
	return m.Header, parts
}

func waitIssue(t *testing.T, n *apptest.Node, id int64, status string) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		is, err := n.Store.GetNewsletterIssue(context.Background(), id)
		if err != nil {
			t.Fatal(err)
		}
		if is.Status == status {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("issue %d is %s after 30 s, want %s", id, is.Status, status)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestNewsletterEndToEnd: an editor makes a list; readers subscribe and
// confirm; the digest is built, previewed, edited and sent through the
// job queue; the mail is checked as a mail program reads it; one-click
// unsubscribe, a 5xx bounce and the provider's webhook keep the next
// issue from the addresses they name.
func TestNewsletterEndToEnd(t *testing.T) {
	t.Parallel()
	apptest.EachDatabase(t, func(t *testing.T, dbURL string) {
		ctx := context.Background()
		n, srv := newsletterNode(t, dbURL)
		editor := apptest.As(t, n, auth.RoleEditor)

		// The editor makes a daily list; the audit log says so. It goes
		// out twelve hours from now, so the node's scheduler never sends
		// the issue this test edits and sends itself, whatever the hour
		// the test runs at.
		sendAt := time.Now().In(n.Settings.Get().DateFormat().Location).Add(12 * time.Hour).Format("15:04")
		r := editor.Do(t, "POST", "/admin/newsletters", url.Values{"name": {"الموجز اليومي"}, "description": {"أهم أخبار اليوم"},
			"cadence": {"daily"}, "weekday": {"0"}, "send_time": {sendAt}, "enabled": {"on"}, "count_clicks": {"on"}}, nil)
		m := listPath.FindStringSubmatch(r.Header.Get("Location"))
		if r.Status != http.StatusSeeOther || m == nil {
			t.Fatalf("create list: %d %q %.300s", r.Status, r.Header.Get("Location"), r.Body)
		}
		listID, _ := strconv.ParseInt(m[1], 10, 64)
		audit, err := n.Store.AuditLog(ctx, 5, 0)
		if err != nil || len(audit) == 0 || audit[0].Action != "newsletter.create" {
			t.Fatalf("audit: %+v %v", audit, err)
		}
		n.WaitEvents(t)

		// Readers find the lists in the box and on the page the footer links.
		if home := n.Get(t, "/"); !strings.Contains(home.Body, `action="/newsletter/subscribe"`) || !strings.Contains(home.Body, `href="/newsletter"`) {
			t.Fatalf("the home page offers no newsletter form or link")
		}
		if page := n.Get(t, "/newsletter"); page.Status != 200 || !strings.Contains(page.Body, "أهم أخبار اليوم") {
			t.Fatalf("/newsletter: %d", page.Status)
		}

		// Double opt-in.
		for _, addr := range []string{"reader@example.com"} {
			r := n.Do(t, "POST", "/newsletter/subscribe", url.Values{"email": {addr}, "list": {m[1]}}, nil)
			if r.Status != 200 || !strings.Contains(r.Body, "أرسلنا رسالة تأكيد") {
				t.Fatalf("subscribe %s: %d", addr, r.Status)
			}
			confirm := mailsTo(srv, addr)
			if len(confirm) != 1 {
				t.Fatalf("%d confirmation mails to %s", len(confirm), addr)
			}
			_, text := apptest.MailText(t, confirm[0].Data)
			link := newsletterConfirm.FindStringSubmatch(text)
			if link == nil {
				t.Fatalf("no confirm link in %q", text)
			}
			if r := n.Get(t, link[1]); r.Status != 200 || !strings.Contains(r.Body, "تم تأكيد اشتراكك") {
				t.Fatalf("confirm %s: %d", addr, r.Status)
			}
		}
		// Two more: one the relay refuses for good, one the provider will
		// report as a complaint.
		for _, addr := range []string{"gone@example.com", "hook@example.com"} {
			if err := n.Store.AddNewsletterSubscriber(ctx, addr, []int64{listID}); err != nil {
				t.Fatal(err)
			}
			if err := n.Store.ConfirmNewsletterSubscriber(ctx, addr, []int64{listID}); err != nil {
				t.Fatal(err)
			}
		}

		// Two stories published now; the digest of the next send time has them.
		first := apptest.ArticleIn(t, n, news.StatusPublished, 0)
		second := apptest.ArticleIn(t, n, news.StatusPublished, 0)
		r = editor.Do(t, "POST", "/admin/newsletters/"+m[1]+"/draft", url.Values{}, nil)
		im := issueLocation.FindStringSubmatch(r.Header.Get("Location"))
		if r.Status != http.StatusSeeOther || im == nil {
			t.Fatalf("draft: %d %q", r.Status, r.Header.Get("Location"))
		}
		issueID, _ := strconv.ParseInt(im[1], 10, 64)
		is, err := n.Store.GetNewsletterIssue(ctx, issueID)
		if err != nil || !slices.Contains(is.Articles, first.ID) || !slices.Contains(is.Articles, second.ID) {
			t.Fatalf("digest %+v lacks %d and %d: %v", is, first.ID, second.ID, err)
		}

		// Preview: the page with the text part, and the HTML as sent.
		page := editor.Get(t, "/admin/newsletter-issues/"+im[1])
		if page.Status != 200 || !strings.Contains(page.Body, `name="pos-`+apptest.ID(second)+`"`) || !strings.Contains(page.Body, "/newsletter/click?token=") {
			t.Fatalf("issue page: %d", page.Status)
		}
		pv := editor.Get(t, "/admin/newsletter-issues/"+im[1]+"/preview")
		if pv.Status != 200 || !strings.Contains(pv.Body, `<html lang="ar" dir="rtl">`) || !strings.Contains(pv.Header.Get("Content-Security-Policy"), "sandbox") {
			t.Fatalf("preview: %d %q %.200s", pv.Status, pv.Header.Get("Content-Security-Policy"), pv.Body)
		}

		// The editor keeps the two stories, second first, and writes an intro.
		form := url.Values{"subject": {"نشرة الاختبار"}, "intro": {"صباح الخير\nهذه أخبار اليوم"},
			"pos-" + apptest.ID(second): {"1"}, "pos-" + apptest.ID(first): {"2"}}
		for _, id := range is.Articles {
			if id != first.ID && id != second.ID {
				form.Add("drop", apptest.Itoa(id))
			}
		}
		if r := editor.Do(t, "POST", "/admin/newsletter-issues/"+im[1], form, nil); r.Status != http.StatusSeeOther {
			t.Fatalf("edit: %d %.300s", r.Status, r.Body)
		}
		if is, _ = n.Store.GetNewsletterIssue(ctx, issueID); !slices.Equal(is.Articles, []int64{second.ID, first.ID}) || !is.Edited {
			t.Fatalf("edited issue: %+v", is)
		}

		// The provider reports a complaint before the send.
		st, out := postJSON(t, n, "/newsletter/webhook/bounce", `{"events":[{"type":"complaint","email":"hook@example.com"}]}`,
			map[string]string{"Authorization": "Bearer " + newsletterHookToken})
		if st != 200 || out["suppressed"] != float64(1) {
			t.Fatalf("webhook: %d %v", st, out)
		}

		// Send now: through the job queue, to the confirmed addresses.
		if r := editor.Do(t, "POST", "/admin/newsletter-issues/"+im[1]+"/send", url.Values{}, nil); r.Status != http.StatusSeeOther {
			t.Fatalf("send: %d %.300s", r.Status, r.Body)
		}
		waitIssue(t, n, issueID, news.IssueSent)
		if len(mailsTo(srv, "hook@example.com")) != 0 {
			t.Error("the suppressed address was mailed")
		}
		if ok, _ := n.Store.Suppressed(ctx, "gone@example.com"); !ok {
			t.Error("the address the relay refused with 550 is not suppressed")
		}
		got := mailsTo(srv, "reader@example.com")
		if len(got) != 2 {
			t.Fatalf("reader got %d mails, want the confirmation and the issue", len(got))
		}
		hdr, parts := mailParts(t, got[1].Data)
		subject, _ := new(mime.WordDecoder).DecodeHeader(hdr.Get("Subject"))
		lu := hdr.Get("List-Unsubscribe")
		unsub := regexp.MustCompile(`^<https://khabar\.test(/newsletter/unsubscribe\?token=[A-Za-z0-9_.%-]+)>$`).FindStringSubmatch(lu)
		if subject != "نشرة الاختبار" || unsub == nil || hdr.Get("List-Unsubscribe-Post") != "List-Unsubscribe=One-Click" {
			t.Fatalf("headers: subject %q, List-Unsubscribe %q, -Post %q", subject, lu, hdr.Get("List-Unsubscribe-Post"))
		}
		html, text := parts["text/html"], parts["text/plain"]
		for _, want := range []string{`<html lang="ar" dir="rtl">`, `<body dir="rtl" lang="ar"`, `<table role="presentation" dir="rtl" lang="ar"`, "صباح الخير", `href="https://khabar.test/newsletter/unsubscribe?token=`} {
			if !strings.Contains(html, want) {
				t.Errorf("HTML part lacks %q", want)
			}
		}
		if strings.Contains(html, "<script") || strings.Contains(html, "<link") || strings.Contains(html, "<style") {
			t.Error("the HTML part carries a script or a style sheet")
		}
		// Clicks are counted on this list: the story links go through the
		// signed redirect, second story first.
		clicks := regexp.MustCompile(`https://khabar\.test(/newsletter/click\?token=[A-Za-z0-9_.%-]+)`).FindAllStringSubmatch(text, -1)
		if !strings.Contains(text, "صباح الخير") || !strings.Contains(text, unsub[1]) || len(clicks) != 2 {
			t.Fatalf("text part: %q", text)
		}
		if r := n.Do(t, "GET", clicks[0][1], nil, nil); r.Status != http.StatusFound || r.Header.Get("Location") != "https://khabar.test"+apptest.ArticleURL(second) {
			t.Fatalf("click: %d %q", r.Status, r.Header.Get("Location"))
		}
		if stats, _ := n.Store.NewsletterStats(ctx, issueID); stats.Sent != 1 || stats.Bounced != 1 || stats.Clicks != 1 {
			t.Errorf("stats: %+v", stats)
		}

		// A GET (a link scanner) only asks; the one-click POST, from a mail
		// provider's server with no session, cookie or same-site marks,
		// unsubscribes, and again without harm.
		if r := n.Get(t, unsub[1]); r.Status != 200 || !strings.Contains(r.Body, "هل تريد إلغاء اشتراكك") {
			t.Fatalf("unsubscribe page: %d", r.Status)
		}
		anon := *n
		anonClient := *n.Client
		anonClient.Jar = nil
		anon.Client = &anonClient
		for range 2 {
			r := anon.Do(t, "POST", unsub[1], url.Values{"List-Unsubscribe": {"One-Click"}}, map[string]string{"Sec-Fetch-Site": "cross-site", "Origin": "https://mail.example"})
			if r.Status != 200 || !strings.Contains(r.Body, "ألغي اشتراكك") {
				t.Fatalf("one-click unsubscribe: %d %.300s", r.Status, r.Body)
			}
		}

		// The next issue reaches nobody: unsubscribed, bounced, complained.
		l, err := n.Store.GetNewsletterList(ctx, listID)
		if err != nil {
			t.Fatal(err)
		}
		next, err := n.Newsletters.Draft(ctx, l, is.Slot.Add(24*time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		before := len(srv.Mails())
		if err := n.Newsletters.Start(ctx, next.ID, news.Actor{Name: "test"}); err != nil {
			t.Fatal(err)
		}
		waitIssue(t, n, next.ID, news.IssueSent)
		if after := len(srv.Mails()); after != before {
			t.Errorf("the next issue sent %d mails", after-before)
		}
	})
}

// TestNewsletterHostileInput: every bad request gets a clear answer (an
// Arabic page for readers, a precise JSON error for the webhook), and
// none changes anything.
func TestNewsletterHostileInput(t *testing.T) {
	t.Parallel()
	apptest.EachDatabase(t, func(t *testing.T, dbURL string) {
		ctx := context.Background()
		n, _ := newsletterNode(t, dbURL)
		on := &news.NewsletterList{Name: "يومية", Cadence: news.CadenceDaily, SendTime: "07:00", Enabled: true}
		off := &news.NewsletterList{Name: "موقوفة", Cadence: news.CadenceWeekly, SendTime: "08:30", Enabled: false}
		for _, l := range []*news.NewsletterList{on, off} {
			if err := n.Store.SaveNewsletterList(ctx, l, news.Actor{Name: "test"}); err != nil {
				t.Fatal(err)
			}
		}
		list := apptest.Itoa(on.ID)
		for _, c := range []struct {
			name   string
			form   url.Values
			status int
			says   string
		}{
			{"not an address", url.Values{"email": {"not-an-address"}, "list": {list}}, 422, "عنوان البريد الإلكتروني غير صحيح"},
			{"header injection", url.Values{"email": {"a@example.com\r\nBcc: victim@example.com"}, "list": {list}}, 422, "عنوان البريد الإلكتروني غير صحيح"},
			{"a name and an address", url.Values{"email": {"Eve <eve@example.com>"}, "list": {list}}, 422, "عنوان البريد الإلكتروني غير صحيح"},
			{"huge address", url.Values{"email": {strings.Repeat("a", 5000) + "@example.com"}, "list": {list}}, 422, "عنوان البريد الإلكتروني غير صحيح"},
			{"no list", url.Values{"email": {"a@example.com"}}, 422, "اختر نشرة"},
			{"unknown list", url.Values{"email": {"a@example.com"}, "list": {"987654"}}, 422, "اختر نشرة"},
			{"disabled list", url.Values{"email": {"a@example.com"}, "list": {apptest.Itoa(off.ID)}}, 422, "اختر نشرة"},
			{"list not a number", url.Values{"email": {"a@example.com"}, "list": {"1 OR 1=1"}}, 422, "اختر نشرة"},
			{"too many lists", url.Values{"email": {"a@example.com"}, "list": slices.Repeat([]string{list}, 51)}, 422, "اختر نشرة"},
			{"huge body", url.Values{"email": {"a@example.com"}, "list": {list}, "pad": {strings.Repeat("x", 3<<20)}}, 413, `dir="rtl"`},
		} {
			t.Run(c.name, func(t *testing.T) {
				r := n.Do(t, "POST", "/newsletter/subscribe", c.form, nil)
				if r.Status != c.status || !strings.Contains(r.Body, c.says) || !strings.Contains(r.Body, `lang="ar"`) {
					t.Errorf("%d, want %d saying %q: %.300s", r.Status, c.status, c.says, r.Body)
				}
			})
		}
		if r := n.Do(t, "POST", "/newsletter/subscribe", url.Values{"email": {"a@example.com"}, "list": {list}}, map[string]string{"Sec-Fetch-Site": "cross-site"}); r.Status != http.StatusForbidden {
			t.Errorf("cross-site subscribe: %d", r.Status)
		}

		// Signed links: forged, tampered, or signed for something else.
		r := n.Do(t, "POST", "/newsletter/subscribe", url.Values{"email": {"real@example.com"}, "list": {list}}, nil)
		if r.Status != 200 {
			t.Fatalf("subscribe: %d", r.Status)
		}
		unsub := n.Newsletters.UnsubscribeURL("real@example.com", on.ID)
		token := unsub[strings.Index(unsub, "token=")+len("token="):]
		tampered := token[:len(token)-2] + map[bool]string{true: "AA", false: "BB"}[!strings.HasSuffix(token, "AA")]
		for _, c := range []struct{ method, path string }{
			{"GET", "/newsletter/confirm?token=abc.def"},
			{"GET", "/newsletter/confirm"},
			{"GET", "/newsletter/confirm?token=" + token}, // an unsubscribe token is no confirmation
			{"GET", "/newsletter/unsubscribe?token=" + tampered},
			{"POST", "/newsletter/unsubscribe?token=" + tampered},
			{"POST", "/newsletter/unsubscribe"},
			{"GET", "/newsletter/click?token=" + token},
			{"GET", "/newsletter/click?token=%00%0d%0a"},
		} {
			if r := n.Do(t, c.method, c.path, nil, nil); r.Status != http.StatusBadRequest || !strings.Contains(r.Body, "الرابط غير صالح") {
				t.Errorf("%s %s: %d %.200s", c.method, c.path, r.Status, r.Body)
			}
		}
		if subs, _ := n.Store.NewsletterSubscriberCounts(ctx); subs[on.ID] != 0 {
			t.Errorf("a bad link confirmed someone: %v", subs)
		}

		// The webhook: its token, its content type and its exact shape.
		hook := func(body, ctype, auth string) int {
			req, _ := http.NewRequest("POST", n.Base+"/newsletter/webhook/bounce", strings.NewReader(body))
			req.Header.Set("Content-Type", ctype)
			if auth != "" {
				req.Header.Set("Authorization", auth)
			}
			res, err := n.Client.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			res.Body.Close()
			return res.StatusCode
		}
		good := "Bearer " + newsletterHookToken
		many := `{"events":[` + strings.TrimSuffix(strings.Repeat(`{"type":"bounce","email":"x@example.com"},`, 1001), ",") + `]}`
		for _, c := range []struct {
			name, body, ctype, auth string
			status                  int
		}{
			{"no token", `{"events":[{"type":"bounce","email":"victim@example.com"}]}`, "application/json", "", 401},
			{"wrong token", `{"events":[{"type":"bounce","email":"victim@example.com"}]}`, "application/json", "Bearer wrong", 401},
			{"basic auth", `{"events":[{"type":"bounce","email":"victim@example.com"}]}`, "application/json", "Basic " + base64.StdEncoding.EncodeToString([]byte("u:"+newsletterHookToken)), 401},
			{"form", `events=victim@example.com`, "application/x-www-form-urlencoded", good, 415},
			{"unknown field", `{"events":[{"type":"bounce","email":"victim@example.com","soft":true}]}`, "application/json", good, 400},
			{"unknown type", `{"events":[{"type":"delivered","email":"victim@example.com"}]}`, "application/json", good, 400},
			{"bad address", `{"events":[{"type":"bounce","email":"victim@example.com"},{"type":"bounce","email":"a@b.c\r\nBcc: x@y.z"}]}`, "application/json", good, 400},
			{"no events", `{"events":[]}`, "application/json", good, 400},
			{"two values", `{"events":[{"type":"bounce","email":"victim@example.com"}]}{}`, "application/json", good, 400},
			{"not JSON", `<xml/>`, "application/json", good, 400},
			{"too many", many, "application/json", good, 400},
			{"huge", `{"events":[{"type":"bounce","email":"` + strings.Repeat("a", 3<<20) + `"}]}`, "application/json", good, 413},
		} {
			if st := hook(c.body, c.ctype, c.auth); st != c.status {
				t.Errorf("webhook %s: %d, want %d", c.name, st, c.status)
			}
		}
		if ok, _ := n.Store.Suppressed(ctx, "victim@example.com"); ok {
			t.Error("a refused webhook call suppressed an address")
		}

		// The form's rate limit, shared with e-mail alerts: three tries per
		// client per ten minutes once the form is well made; the unknown
		// and the disabled list above spent two, the real subscription one.
		if r := n.Do(t, "POST", "/newsletter/subscribe", url.Values{"email": {"other@example.com"}, "list": {list}}, nil); r.Status != http.StatusTooManyRequests || !strings.Contains(r.Body, "طلبات اشتراك كثيرة") {
			t.Errorf("fourth subscription: %d", r.Status)
		}
	})
}

// TestNewsletterRoles: only editors and admins manage newsletters, and
// the server says so whatever the page shows.
func TestNewsletterRoles(t *testing.T) {
	t.Parallel()
	apptest.EachDatabase(t, func(t *testing.T, dbURL string) {
		n, _ := newsletterNode(t, dbURL)
		l := &news.NewsletterList{Name: "يومية", Cadence: news.CadenceDaily, SendTime: "07:00", Enabled: true}
		if err := n.Store.SaveNewsletterList(context.Background(), l, news.Actor{Name: "test"}); err != nil {
			t.Fatal(err)
		}
		is, err := n.Newsletters.Draft(context.Background(), l, time.Now().Add(time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		id, iid := apptest.Itoa(l.ID), apptest.Itoa(is.ID)
		requests := []struct {
			method, path string
			form         url.Values
		}{
			{"GET", "/admin/newsletters", nil},
			{"POST", "/admin/newsletters", url.Values{"name": {"x"}, "cadence": {"daily"}, "weekday": {"0"}, "send_time": {"07:00"}}},
			{"GET", "/admin/newsletters/" + id, nil},
			{"POST", "/admin/newsletters/" + id, url.Values{"name": {"x"}, "cadence": {"daily"}, "weekday": {"0"}, "send_time": {"07:00"}}},
			{"POST", "/admin/newsletters/" + id + "/draft", url.Values{}},
			{"GET", "/admin/newsletter-issues/" + iid, nil},
			{"GET", "/admin/newsletter-issues/" + iid + "/preview", nil},
			{"POST", "/admin/newsletter-issues/" + iid, url.Values{"subject": {"x"}}},
			{"POST", "/admin/newsletter-issues/" + iid + "/send", url.Values{}},
		}
		for _, role := range []auth.Role{auth.RoleWriter, auth.RoleModerator} {
			c := apptest.As(t, n, role)
			if strings.Contains(c.Get(t, "/admin/").Body, `href="/admin/newsletters"`) {
				t.Errorf("%s sees the newsletters link", role)
			}
			for _, rq := range requests {
				if r := c.Do(t, rq.method, rq.path, rq.form, nil); r.Status != http.StatusForbidden {
					t.Errorf("%s %s %s: %d, want 403", role, rq.method, rq.path, r.Status)
				}
			}
		}
		if st, _ := n.Store.GetNewsletterIssue(context.Background(), is.ID); st.Status != news.IssueDraft || st.Subject == "x" {
			t.Errorf("a refused request changed the issue: %+v", st)
		}
		for _, role := range []auth.Role{auth.RoleEditor, auth.RoleAdmin} {
			c := apptest.As(t, n, role)
			if r := c.Get(t, "/admin/newsletters"); r.Status != 200 || !strings.Contains(r.Body, `href="/admin/newsletters"`) {
				t.Errorf("%s: %d", role, r.Status)
			}
		}
	})
}

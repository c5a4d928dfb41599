package audience_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"khabar/internal/alert/alerttest"
	"khabar/internal/app"
	"khabar/internal/apptest"
	"khabar/internal/auth"
	"khabar/internal/config"
	"khabar/internal/news"
	"khabar/internal/storetest"
)

func TestAlertsOnEveryChannel(t *testing.T) {
	t.Parallel()
	for _, b := range []string{"sqlite", "postgres"} {
		t.Run(b, func(t *testing.T) {
			p := apptest.StartPeers(t)
			dbURL := ""
			if b == "postgres" {
				dbURL = storetest.PostgresURL(t)
			}
			n := apptest.StartNode(t, dbURL, p.Config)
			p.TrustPush(t, n)
			testAlertsOnEveryChannel(t, n, p)
		})
	}
}

func testAlertsOnEveryChannel(t *testing.T, n *apptest.Node, p *apptest.Peers) {
	ctx := context.Background()
	// Readers subscribe: three browsers, one only to the economy section.
	var key struct{ Key string }
	if r := n.Get(t, "/api/v1/push/key"); r.Status != 200 || json.Unmarshal([]byte(r.Body), &key) != nil || key.Key == "" {
		t.Fatalf("push key: %d %s", r.Status, r.Body)
	}
	subscribeBrowser := func(topics string) int {
		sub, err := p.Push.Subscribe()
		if err != nil {
			t.Fatal(err)
		}
		body := `{"subscription":{"endpoint":"` + sub.Endpoint + `","expirationTime":null,"keys":{"p256dh":"` + sub.P256dh + `","auth":"` + sub.Auth + `"}},"topics":` + topics + `}`
		st, _ := postJSON(t, n, "/api/v1/push/subscriptions", body, nil)
		return st
	}
	for _, topics := range []string{`["breaking"]`, `[]`, `["economy"]`, `["breaking"]`} {
		if st := subscribeBrowser(topics); st != http.StatusCreated {
			t.Fatalf("subscribe %s: %d", topics, st)
		}
	}
	p.Push.Respond = func(id string) (int, http.Header) {
		if id == "4" {
			return http.StatusGone, nil // this reader's browser dropped the subscription
		}
		return http.StatusCreated, nil
	}
	// E-mail: double opt-in.
	if r := n.Do(t, "POST", "/alerts/email", url.Values{"email": {"reader@example.com"}}, nil); r.Status != 200 || !strings.Contains(r.Body, "أرسلنا رسالة تأكيد") {
		t.Fatalf("e-mail subscribe: %d", r.Status)
	}
	mails := p.SMTP.Mails()
	if len(mails) != 1 || mails[0].To[0] != "reader@example.com" {
		t.Fatalf("confirmation mails: %+v", mails)
	}
	_, text := apptest.MailText(t, mails[0].Data)
	link := apptest.ConfirmLink.FindStringSubmatch(text)
	if link == nil {
		t.Fatalf("no confirm link in %q", text)
	}
	if r := n.Get(t, link[1]); r.Status != 200 || !strings.Contains(r.Body, "تم تفعيل اشتراكك") {
		t.Fatalf("confirm: %d", r.Status)
	}
	// An editor sends an alert on every channel.
	apptest.Login(t, n, auth.RoleEditor)
	a := apptest.FirstPublished(t, n.Store)
	form := n.Get(t, "/admin/alerts?article="+apptest.Itoa(a.ID))
	if form.Status != 200 || !strings.Contains(form.Body, a.Headline) {
		t.Fatalf("composer: %d", form.Status)
	}
	r := n.Do(t, "POST", "/admin/alerts", url.Values{"title": {"عاجل: " + a.Headline}, "text": {"التفاصيل في الخبر"},
		"url": {"/news/" + apptest.Itoa(a.ID)}, "urgency": {"high"}, "topic": {"breaking"}, "article_id": {apptest.Itoa(a.ID)},
		"channel": {"push", "telegram", "email", "webhook"}}, nil)
	loc := r.Header.Get("Location")
	if r.Status != http.StatusSeeOther || !strings.HasPrefix(loc, "/admin/alerts/") {
		t.Fatalf("send: %d %.400s", r.Status, r.Body)
	}
	id, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimPrefix(loc, "/admin/alerts/"), "?done=alert"), 10, 64)
	got := n.WaitAlert(t, id)
	want := map[string][4]int{"push": {3, 2, 0, 1}, "telegram": {1, 1, 0, 0}, "email": {1, 1, 0, 0}, "webhook": {1, 1, 0, 0}}
	for _, pr := range got.Progress {
		if w := want[pr.Channel]; [4]int{pr.Total, pr.Sent, pr.Failed, pr.Gone} != w {
			t.Errorf("%s: total %d sent %d failed %d gone %d, want %v", pr.Channel, pr.Total, pr.Sent, pr.Failed, pr.Gone, w)
		}
	}
	// Web Push: decrypted by the browsers' keys, VAPID checked, RTL Arabic.
	if probs := p.Push.Problems(); len(probs) > 0 {
		t.Fatalf("push service refused: %v", probs)
	}
	msgs := p.Push.Messages()
	var pm struct{ Title, Body, URL, Dir, Lang string }
	if len(msgs) != 2 || json.Unmarshal(msgs[0].Payload, &pm) != nil || pm.Title != got.Title || pm.Dir != "rtl" || pm.Lang != "ar" || pm.URL != "https://khabar.test/news/"+apptest.Itoa(a.ID) {
		t.Fatalf("push messages: %d %+v", len(msgs), pm)
	}
	if h := msgs[0].Header; h.Get("Urgency") != "high" || h.Get("TTL") == "" || h.Get("Topic") == "" {
		t.Errorf("push headers: %v", h)
	}
	if left, _ := n.Store.PushSubscriptions(ctx, "breaking", 0, 1<<40, 10); len(left) != 2 {
		t.Errorf("the gone subscription was not removed: %d left", len(left))
	}
	// Telegram, e-mail with one-click unsubscribe, signed webhook.
	p.Mu.Lock()
	if len(p.TelegramPosts) != 1 || p.TelegramPosts[0]["chat_id"] != "@khabar_test" || !strings.Contains(p.TelegramPosts[0]["text"].(string), a.Headline) {
		t.Errorf("telegram: %+v", p.TelegramPosts)
	}
	if len(p.Hooks) != 1 || p.HookErrs[0] != nil || !bytes.Contains(p.Hooks[0], []byte(`"urgency":"high"`)) {
		t.Errorf("webhook: %d %v", len(p.Hooks), p.HookErrs)
	}
	p.Mu.Unlock()
	mails = p.SMTP.Mails()
	if len(mails) != 2 {
		t.Fatalf("alert mail missing: %d mails", len(mails))
	}
	h, body := apptest.MailText(t, mails[1].Data)
	unsub := strings.Trim(h.Get("List-Unsubscribe"), "<>")
	if h.Get("List-Unsubscribe-Post") != "List-Unsubscribe=One-Click" || !strings.HasPrefix(unsub, "https://khabar.test/alerts/unsubscribe?t=") || !strings.Contains(body, a.Headline) {
		t.Fatalf("alert mail: %v", h)
	}
	// A mail program's one-click unsubscribe (RFC 8058) comes from elsewhere.
	path := strings.TrimPrefix(unsub, "https://khabar.test")
	if r := n.Do(t, "GET", path, nil, nil); r.Status != 200 || !strings.Contains(r.Body, "<form") {
		t.Fatalf("unsubscribe page: %d", r.Status)
	}
	if r := n.Do(t, "POST", path, url.Values{"List-Unsubscribe": {"One-Click"}}, map[string]string{"Origin": "https://mail.example", "Sec-Fetch-Site": "cross-site"}); r.Status != 200 {
		t.Fatalf("one-click unsubscribe: %d", r.Status)
	}
	if subs, _ := n.Store.EmailSubscribers(ctx, "breaking", 0, 1<<40, 10); len(subs) != 0 {
		t.Fatal("still subscribed after unsubscribing")
	}
	// The newsroom shows the history, the progress and the WhatsApp text.
	if r := n.Get(t, loc); r.Status != 200 || !strings.Contains(r.Body, "*عاجل: "+a.Headline+"*") {
		t.Fatalf("alert page: %d", r.Status)
	}
	if r := n.Get(t, "/admin/alerts/"+apptest.Itoa(id)+"/progress"); r.Status != 200 || !strings.Contains(r.Body, `"channel":"push"`) {
		t.Fatalf("progress: %d %s", r.Status, r.Body)
	}
	if log, _ := n.Store.AuditLog(ctx, 5, 0); len(log) == 0 || log[0].Action != "alert.send" || log[0].Name != "مستخدم editor" {
		t.Errorf("audit: %+v", log)
	}
}

// TestAlertAutomationAPI: API tokens made in the newsroom and on the
// command line work on the running node, what they send reaches the
// pages, and a token revoked in the newsroom stops working. What the
// endpoints accept and refuse, by role and by input, is tested in
// internal/api (TestAutomationTokensAndRoles).
func TestAlertAutomationAPI(t *testing.T) {
	t.Parallel()
	n := apptest.StartNode(t, "")
	// Tokens from the newsroom: refused to a writer, made for an editor.
	apptest.Login(t, n, auth.RoleWriter)
	r := n.Do(t, "POST", "/admin/tokens", url.Values{"name": {"سكربت"}}, nil)
	if r.Status != http.StatusForbidden {
		t.Fatalf("a writer made a token: %d", r.Status)
	}
	n.Client.Jar, _ = newJar()
	apptest.Login(t, n, auth.RoleEditor)
	r = n.Do(t, "POST", "/admin/tokens", url.Values{"name": {"وكالة الأنباء"}}, nil)
	m := regexp.MustCompile(`<code dir="ltr" class="token">([^<]+)</code>`).FindStringSubmatch(r.Body)
	if r.Status != http.StatusCreated || m == nil {
		t.Fatalf("token: %d", r.Status)
	}
	editor := map[string]string{"Authorization": "Bearer " + m[1]}
	if st, out := postJSON(t, n, "/api/v1/ticker", `{"text":"عاجل: زلزال بقوة 5 درجات","url":"/news/1"}`, editor); st != 201 {
		t.Fatalf("ticker with the newsroom's token: %d %v", st, out)
	}
	n.WaitEvents(t)
	if r := n.Get(t, "/"); !strings.Contains(r.Body, "عاجل: زلزال بقوة 5 درجات") {
		t.Error("the API's ticker item is not on the home page")
	}
	// Revoked tokens stop working.
	toks, _ := n.Store.ListAPITokens(context.Background())
	for _, tk := range toks {
		if tk.Name == "وكالة الأنباء" {
			if r := n.Do(t, "POST", "/admin/tokens/"+apptest.Itoa(tk.ID)+"/revoke", url.Values{}, nil); r.Status != http.StatusSeeOther {
				t.Fatalf("revoke: %d", r.Status)
			}
		}
	}
	if st, _ := postJSON(t, n, "/api/v1/ticker", `{"text":"x"}`, editor); st != 401 {
		t.Errorf("revoked token: %d", st)
	}
	// The command line makes tokens too.
	code, out, errOut := apptest.Run(t, map[string]string{"KHABAR_DATA": n.DataDir}, "", "token", "create", "--email", "editor@khabar.test", "--name", "agency")
	if code != 0 || len(strings.TrimSpace(out)) < 20 || !strings.Contains(errOut, "shown once") {
		t.Fatalf("token create: %d %q %q", code, out, errOut)
	}
	if st, _ := postJSON(t, n, "/api/v1/ticker", `{"text":"من سطر الأوامر"}`, map[string]string{"Authorization": "Bearer " + strings.TrimSpace(out)}); st != 201 {
		t.Errorf("command-line token: %d", st)
	}
}

// TestAlertPagesWithoutSMTP: the push service worker is served, and with
// no SMTP server there is no e-mail form and no e-mail routes. What the
// push subscription endpoint refuses is tested in internal/api
// (TestPushSubscriptionBadInput).
func TestAlertPagesWithoutSMTP(t *testing.T) {
	t.Parallel()
	n := apptest.StartNode(t, "")
	if r := n.Get(t, "/sw.js"); r.Status != 200 || !strings.Contains(r.Header.Get("Content-Type"), "javascript") || !strings.Contains(r.Body, "showNotification") {
		t.Errorf("service worker: %d %s", r.Status, r.Header.Get("Content-Type"))
	}
	// Without SMTP there is no e-mail form and no e-mail routes.
	if r := n.Do(t, "POST", "/alerts/email", url.Values{"email": {"a@b.c"}}, nil); r.Status != 404 {
		t.Errorf("e-mail alerts without SMTP: %d", r.Status)
	}
}

// TestReplyNotices: a commenter who asked is e-mailed once when a reply
// to them is published, and can stop the notices from the e-mail.
func TestReplyNotices(t *testing.T) {
	t.Parallel()
	p := apptest.StartPeers(t)
	n := apptest.StartNode(t, "", p.Config)
	apptest.CommentReady(n)
	ctx := context.Background()
	a := apptest.FirstPublished(t, n.Store)
	if r := n.Get(t, "/comments/"+apptest.Itoa(a.ID)); !strings.Contains(r.Body, `name="notify"`) {
		t.Fatal("no notify checkbox on the comment form")
	}
	r := postForm(t, n, a.ID, url.Values{"name": {"ريم"}, "email": {"reem@example.com"}, "notify": {"on"}, "body": {"سؤال للكاتب"}}, nil)
	if r.Status != http.StatusSeeOther {
		t.Fatalf("post: %d", r.Status)
	}
	approveAll := func() {
		t.Helper()
		if _, err := n.Store.ModerateComments(ctx, apptest.CommentIDs(t, n, news.CommentPending), news.CommentApproved, news.Actor{}); err != nil {
			t.Fatal(err)
		}
		n.WaitEvents(t)
	}
	approveAll()
	parent := apptest.CommentIDs(t, n, news.CommentApproved)[0]
	// Her own follow-up does not notify her; someone else's reply does.
	postForm(t, n, a.ID, url.Values{"name": {"ريم"}, "email": {"reem@example.com"}, "body": {"وأضيف"}, "parent_id": {apptest.Itoa(parent)}}, nil)
	postForm(t, n, a.ID, url.Values{"name": {"سامي"}, "body": {"جواب مفصل على سؤالك"}, "parent_id": {apptest.Itoa(parent)}}, nil)
	approveAll()
	var notices []alerttest.Mail
	for _, m := range p.SMTP.Mails() {
		if m.To[0] == "reem@example.com" {
			notices = append(notices, m)
		}
	}
	if len(notices) != 1 {
		t.Fatalf("%d notices, want 1", len(notices))
	}
	h, body := apptest.MailText(t, notices[0].Data)
	if !strings.Contains(body, "جواب مفصل") || !strings.Contains(body, "سامي") || h.Get("List-Unsubscribe-Post") != "List-Unsubscribe=One-Click" {
		t.Fatalf("notice: %v %q", h, body)
	}
	// Editing the reply does not send it again.
	replies, _ := n.Store.ListComments(ctx, storeFilter(news.CommentApproved))
	for _, c := range replies {
		if c.Name == "سامي" {
			if err := n.Store.EditComment(ctx, c.ID, "جواب مفصل ومصحح", news.Actor{}); err != nil {
				t.Fatal(err)
			}
		}
	}
	n.WaitEvents(t)
	stop := strings.TrimPrefix(strings.Trim(h.Get("List-Unsubscribe"), "<>"), "https://khabar.test")
	if r := n.Do(t, "POST", stop, url.Values{"List-Unsubscribe": {"One-Click"}}, nil); r.Status != 200 {
		t.Fatalf("stop: %d", r.Status)
	}
	if c, _ := n.Store.GetComment(ctx, parent); c.Notify {
		t.Fatal("notices not stopped")
	}
	if r := n.Get(t, "/comments/notices/stop?t=forged"); r.Status != http.StatusBadRequest {
		t.Errorf("forged stop link: %d", r.Status)
	}
	count := 0
	for _, m := range p.SMTP.Mails() {
		if m.To[0] == "reem@example.com" {
			count++
		}
	}
	if count != 1 {
		t.Fatalf("an edit sent the notice again: %d", count)
	}
}

// TestAlertSurvivesRestart: an alert whose node went down before sending
// it is sent by the next node to start on the database, once.
func TestAlertSurvivesRestart(t *testing.T) {
	t.Parallel()
	p := apptest.StartPeers(t)
	dir := t.TempDir()
	keepDir := func(c *config.Config) { c.DataDir = dir }
	ctx, stop := context.WithCancel(context.Background())
	cfg := config.Default()
	cfg.Addr, cfg.BaseURL, cfg.Demo, cfg.EventPoll = "127.0.0.1:0", "https://khabar.test", true, 250*time.Millisecond
	p.Config(&cfg)
	keepDir(&cfg)
	first, err := app.New(ctx, cfg, slogDiscard())
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- first.Run(ctx) }()
	sub, _ := p.Push.Subscribe()
	if err := first.Store.SavePushSubscription(ctx, &news.PushSubscription{Endpoint: sub.Endpoint, P256dh: sub.P256dh, Auth: sub.Auth, Topics: "breaking"}); err != nil {
		t.Fatal(err)
	}
	waitOutbox(t, first)
	for i := 0; ; i++ { // the node is fully up (its job queue too) before it goes down
		if res, err := http.Get("http://" + first.Addr() + "/healthz"); err == nil {
			res.Body.Close()
			break
		}
		if i > 200 {
			t.Fatal("the first node never answered")
		}
		time.Sleep(10 * time.Millisecond)
	}
	time.Sleep(200 * time.Millisecond)
	stop()
	if err := apptest.Stopped(done); err != nil {
		t.Fatal(err)
	}
	// Written while no node runs: as if its node died right after the commit.
	a := &news.Alert{Title: "عاجل بعد إعادة التشغيل", URL: "https://khabar.test/news/1", Urgency: "high", Topic: "breaking", Channels: []string{"push", "telegram"}}
	if err := first.Store.CreateAlert(context.Background(), a); err != nil {
		t.Fatal(err)
	}
	first.Close()
	second := apptest.StartNode(t, "", p.Config, keepDir)
	p.TrustPush(t, second)
	got := second.WaitAlert(t, a.ID)
	for _, pr := range got.Progress {
		if pr.Sent != 1 || pr.Total != 1 {
			t.Errorf("%s after restart: %+v", pr.Channel, pr)
		}
	}
	if n := len(p.Push.Messages()); n != 1 {
		t.Errorf("%d push messages, want 1", n)
	}
}

func slogDiscard() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

func waitOutbox(t *testing.T, a *app.App) {
	t.Helper()
	id, err := a.Store.LastEventID(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := a.Outbox.WaitFor(ctx, id); err != nil {
		t.Fatal(err)
	}
}

// TestAlertWhenPublished: an alert asked for on an article goes out when
// the article is published, whatever publishes it, and only once.
func TestAlertWhenPublished(t *testing.T) {
	t.Parallel()
	p := apptest.StartPeers(t)
	n := apptest.StartNode(t, "", p.Config)
	ctx := context.Background()
	a := apptest.FirstPublished(t, n.Store)
	a, err := n.Store.SetStatus(ctx, a.ID, a.Version, news.StatusUnpublished)
	if err != nil {
		t.Fatal(err)
	}
	if err := n.Store.SetPublishAlert(ctx, a.ID, []string{"telegram"}, news.Actor{Name: "محرر"}); err != nil {
		t.Fatal(err)
	}
	if ch, _ := n.Store.PublishAlertChannels(ctx, a.ID); len(ch) != 1 {
		t.Fatalf("request not kept: %v", ch)
	}
	if a, err = n.Store.SetStatus(ctx, a.ID, a.Version, news.StatusPublished); err != nil {
		t.Fatal(err)
	}
	n.WaitEvents(t)
	var alertID int64
	for i := 0; alertID == 0 && i < 200; i++ {
		list, _ := n.Store.ListAlerts(ctx, 5, 0)
		if len(list) > 0 {
			alertID = list[0].ID
			if list[0].ArticleID != a.ID || list[0].Title != a.Headline || list[0].CreatedBy.Name != "محرر" {
				t.Fatalf("alert: %+v", list[0])
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	if alertID == 0 {
		t.Fatal("no alert on publication")
	}
	n.WaitAlert(t, alertID)
	// Published again later: no second alert.
	a, _ = n.Store.SetStatus(ctx, a.ID, a.Version, news.StatusUnpublished)
	if _, err := n.Store.SetStatus(ctx, a.ID, a.Version, news.StatusPublished); err != nil {
		t.Fatal(err)
	}
	n.WaitEvents(t)
	time.Sleep(100 * time.Millisecond)
	if list, _ := n.Store.ListAlerts(ctx, 5, 0); len(list) != 1 {
		t.Fatalf("%d alerts, want 1", len(list))
	}
	p.Mu.Lock()
	defer p.Mu.Unlock()
	if len(p.TelegramPosts) != 1 {
		t.Fatalf("telegram got %d posts", len(p.TelegramPosts))
	}
}

// TestAlertFromTheArticleForm: "send an alert when published" ticked in
// the form that publishes the article sends one alert.
func TestAlertFromTheArticleForm(t *testing.T) {
	t.Parallel()
	p := apptest.StartPeers(t)
	n := apptest.StartNode(t, "", p.Config)
	ctx := context.Background()
	apptest.Login(t, n, auth.RoleEditor)
	if r := n.Get(t, "/admin/articles/new"); !strings.Contains(r.Body, `name="publish_alert" value="telegram"`) {
		t.Fatal("the article form offers no alert on publication")
	}
	sec, _ := n.Store.SectionBySlug(ctx, "politics")
	authors, _ := n.Store.ListAuthors(ctx)
	form := func(headline, key string) url.Values {
		return url.Values{"headline": {headline}, "lead": {"المقدمة"},
			"section": {apptest.Itoa(sec.ID)}, "authors": {apptest.Itoa(authors[0].ID)}, "blocks": {"1"}, "b0_type": {"paragraph"}, "b0_text": {"نص"},
			"breaking": {"on"}, "publish_alert": {"telegram", "carrier-pigeon"}, "action": {"publish"}, "draft_key": {key}}
	}
	publish := func(f url.Values) {
		t.Helper()
		if r := n.Do(t, "POST", "/admin/articles/new", f, nil); r.Status != http.StatusSeeOther {
			t.Fatalf("publish: %d %.300s", r.Status, r.Body)
		}
	}
	first := form("عاجل: استقالة الحكومة", strings.Repeat("a1", 16))
	publish(first)
	n.WaitEvents(t)
	list, _ := n.Store.ListAlerts(ctx, 5, 0)
	if len(list) != 1 || list[0].Title != "عاجل: استقالة الحكومة" || list[0].Topic != "breaking" || len(list[0].Channels) != 1 || list[0].CreatedBy.Name != "مستخدم editor" {
		t.Fatalf("alerts: %+v", list)
	}
	n.WaitAlert(t, list[0].ID)
	// The publishing save again, its answer lost: no second alert.
	publish(first)
	n.WaitEvents(t)
	if list, _ := n.Store.ListAlerts(ctx, 5, 0); len(list) != 1 {
		t.Fatalf("%d alerts for one publication", len(list))
	}

	// A crash after the article's commit and before its alert request:
	// the save that comes again asks the alert the first one lost.
	u, err := n.Store.UserByEmail(ctx, "editor@khabar.test")
	if err != nil {
		t.Fatal(err)
	}
	key := strings.Repeat("b2", 16)
	lost := &news.Article{Headline: "عاجل: تنبيه ضاع في انهيار", Lead: "المقدمة", SectionID: sec.ID, Authors: authors[:1],
		Body: []news.Block{{Type: news.BlockParagraph, Text: "نص"}}, Status: news.StatusPublished, CreatedBy: u.ID, DraftKey: key}
	if err := n.Store.CreateArticle(ctx, lost); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		publish(form(lost.Headline, key))
		n.WaitEvents(t)
	}
	list, _ = n.Store.ListAlerts(ctx, 5, 0)
	if len(list) != 2 || list[0].ArticleID != lost.ID {
		t.Fatalf("after the lost alert's article was saved twice: %+v", list)
	}
	n.WaitAlert(t, list[0].ID)
}

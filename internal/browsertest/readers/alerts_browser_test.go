package readers

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"khabar/internal/apptest"
	"khabar/internal/auth"
	"khabar/internal/browsertest"
	"khabar/internal/locale"
	"khabar/internal/news"
)

// TestAlertsInTheBrowser drives the reader's "be the first to know" box on
// an article page in Chromium: the e-mail double opt-in through the form
// and the link in the mail, the Web Push button through the browser's
// permission, the subscription reaching the server, an alert reaching
// both, and unsubscribing from both.
//
// Headless Chromium has no push service: PushManager.subscribe() asks
// Google's (GCM/FCM), which this closed network cannot reach, and never
// settles. So the real subscribe() is driven up to the failure the reader
// is shown, and the rest of the push flow runs with subscribe() and
// getSubscription() answered by the in-process push service of alerttest
// (its keys, so the alert it receives can be decrypted and checked).
func TestAlertsInTheBrowser(t *testing.T) {
	t.Parallel() // see TestBrowser
	p := apptest.StartPeers(t)
	n := apptest.StartNode(t, "", p.Config)
	chrome := browsertest.Start(t) // after the node: it stops first
	p.TrustPush(t, n)
	ctx := context.Background()
	a := apptest.FirstPublished(t, n.Store)
	articleURL := n.Base + news.ArticlePath(a)
	ar := locale.For("ar")
	status := `document.querySelector(".push-status").textContent`
	waitStatus := func(t *testing.T, tab context.Context, key string) {
		t.Helper()
		want := ar.T(key)
		if _, err := chromedp.Run(tab, chromedp.Poll[bool](status+` === `+strconv.Quote(want), chromedp.WithPollingTimeout(30*time.Second))); err != nil {
			t.Fatalf("the push box never said %q (%s); it says %q", want, key, browsertest.Eval[string](t, tab, status))
		}
	}
	setNotifications := func(t *testing.T, tab context.Context, setting browser.PermissionSetting) {
		t.Helper()
		if _, err := chromedp.Call(tab, browser.SetPermission, browser.SetPermissionParams{
			Permission: &browser.PermissionDescriptor{Name: "notifications"}, Setting: setting, Origin: n.Base}); err != nil {
			t.Fatal(err)
		}
	}

	t.Run("without JavaScript the push button stays off", func(t *testing.T) {
		tab := browsertest.NewTab(t, chrome)
		if _, err := chromedp.Call(tab, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true}); err != nil {
			t.Fatal(err)
		}
		browsertest.Browse(t, tab, "open the article", chromedp.Navigate(articleURL), chromedp.WaitReady(chromedp.CSS(".push-on")))
		if !browsertest.Eval[bool](t, tab, `document.querySelector(".push-on").disabled`) {
			t.Error("the push button is enabled on a page whose script cannot run")
		}
	})

	t.Run("e-mail: subscribe, confirm from the mail", func(t *testing.T) {
		tab := browsertest.NewTab(t, chrome)
		browsertest.Browse(t, tab, "open the article", chromedp.Navigate(articleURL), chromedp.WaitVisible(chromedp.CSS("#alert-email")))
		// The browser's own check stops a wrong address before it is sent.
		browsertest.Browse(t, tab, "type a wrong address", chromedp.SendKeys(chromedp.CSS("#alert-email"), "not an address"))
		if browsertest.Eval[bool](t, tab, `document.querySelector("form.email-alerts").checkValidity()`) {
			t.Error("the e-mail field takes a wrong address")
		}
		browsertest.Browse(t, tab, "subscribe",
			chromedp.Evaluate[chromedp.Void](`document.querySelector("#alert-email").value = ""`),
			chromedp.SendKeys(chromedp.CSS("#alert-email"), "laila@example.com"),
			chromedp.Click(chromedp.CSS("form.email-alerts button[type=submit]")))
		waitMain(t, tab, ar.T("email_alerts_check"))
		mails := p.SMTP.Mails()
		if len(mails) != 1 || mails[0].To[0] != "laila@example.com" {
			t.Fatalf("confirmation mails: %+v", mails)
		}
		if subs, _ := n.Store.EmailSubscribers(ctx, "breaking", 0, 1<<40, 10); len(subs) != 0 {
			t.Fatal("subscribed before confirming")
		}
		_, text := apptest.MailText(t, mails[0].Data)
		link := apptest.ConfirmLink.FindStringSubmatch(text)
		if link == nil {
			t.Fatalf("no confirmation link in %q", text)
		}
		browsertest.Browse(t, tab, "open the link", chromedp.Navigate(n.Base+link[1]))
		waitMain(t, tab, ar.T("email_alerts_confirmed"))
		if subs, _ := n.Store.EmailSubscribers(ctx, "breaking", 0, 1<<40, 10); len(subs) != 1 || subs[0].Email != "laila@example.com" {
			t.Fatalf("confirmed subscribers: %+v", subs)
		}
	})

	t.Run("push: the browser's real subscribe", func(t *testing.T) {
		tab := browsertest.NewTab(t, chrome)
		openPushBox(t, tab, articleURL)
		if !browsertest.Eval[bool](t, tab, `document.querySelector(".push-off").hidden`) {
			t.Error("the turn-off button shows before any subscription")
		}
		// Reading a page installs no service worker; turning alerts on does.
		if browsertest.Eval[bool](t, tab, `navigator.serviceWorker.getRegistration("/").then(r => !!r)`) {
			t.Error("the page installed a service worker before the reader asked for alerts")
		}
		setNotifications(t, tab, browser.PermissionSettingDenied)
		browsertest.Browse(t, tab, "turn alerts on", chromedp.Click(chromedp.CSS(".push-on")))
		waitStatus(t, tab, "push_denied")
		if scope := browsertest.Eval[string](t, tab, `navigator.serviceWorker.ready.then(r => r.scope)`); scope != n.Base+"/" {
			t.Errorf("service worker scope %q, want the whole site", scope)
		}
		// Granted, subscribe() waits on Google's push service for ever here;
		// the page gives up and says so.
		setNotifications(t, tab, browser.PermissionSettingGranted)
		browsertest.Browse(t, tab, "turn alerts on", chromedp.Click(chromedp.CSS(".push-on")))
		waitStatus(t, tab, "push_working")
		waitStatus(t, tab, "push_failed")
		if subs, _ := n.Store.PushSubscriptions(ctx, "breaking", 0, 1<<40, 10); len(subs) != 0 {
			t.Errorf("a failed subscribe stored %d subscriptions", len(subs))
		}
	})

	t.Run("push: subscribe, alert, unsubscribe", func(t *testing.T) {
		sub, err := p.Push.Subscribe()
		if err != nil {
			t.Fatal(err)
		}
		tab := browsertest.NewTab(t, chrome)
		if _, err := chromedp.Call(tab, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{
			Source: strings.NewReplacer("ENDPOINT", strconv.Quote(sub.Endpoint), "P256DH", strconv.Quote(sub.P256dh), "AUTH", strconv.Quote(sub.Auth)).Replace(fakePushService)}); err != nil {
			t.Fatal(err)
		}
		setNotifications(t, tab, browser.PermissionSettingGranted)
		openPushBox(t, tab, articleURL)
		section := `input[name=push_topic][value="` + a.Section.Slug + `"]`
		browsertest.Browse(t, tab, "choose its section too and turn alerts on",
			chromedp.Click(chromedp.CSS(section)),
			chromedp.Click(chromedp.CSS(".push-on")))
		waitStatus(t, tab, "push_on")
		if !browsertest.Eval[bool](t, tab, `document.querySelector(".push-on").hidden && !document.querySelector(".push-off").hidden`) {
			t.Error("after subscribing the box does not offer to turn alerts off")
		}
		var key struct{ Key string }
		if r := n.Get(t, "/api/v1/push/key"); json.Unmarshal([]byte(r.Body), &key) != nil || browsertest.Eval[string](t, tab, `pushKey`) != key.Key {
			t.Errorf("the page subscribed with key %q, the server's is %q", browsertest.Eval[string](t, tab, `pushKey`), key.Key)
		}
		subs, err := n.Store.PushSubscriptions(ctx, "breaking", 0, 1<<40, 10)
		if err != nil || len(subs) != 1 || subs[0].Endpoint != sub.Endpoint || subs[0].P256dh != sub.P256dh || subs[0].Auth != sub.Auth ||
			subs[0].Topics != "breaking "+a.Section.Slug {
			t.Fatalf("stored subscriptions: %+v %v", subs, err)
		}
		// A reader coming back sees alerts on.
		browsertest.Browse(t, tab, "reload", chromedp.Reload(), chromedp.WaitVisible(chromedp.CSS(".push-off")))

		// An editor's alert reaches the browser's push service and the
		// confirmed e-mail address.
		apptest.Login(t, n, auth.RoleEditor)
		r := n.Do(t, "POST", "/admin/alerts", url.Values{"title": {"عاجل: " + a.Headline}, "text": {"التفاصيل في الخبر"},
			"url": {"/news/" + apptest.Itoa(a.ID)}, "urgency": {"high"}, "topic": {"breaking"}, "article_id": {apptest.Itoa(a.ID)},
			"channel": {"push", "email"}}, nil)
		loc := r.Header.Get("Location")
		if r.Status != http.StatusSeeOther || !strings.HasPrefix(loc, "/admin/alerts/") {
			t.Fatalf("send alert: %d %.300s", r.Status, r.Body)
		}
		id, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimPrefix(loc, "/admin/alerts/"), "?done=alert"), 10, 64)
		for _, pr := range n.WaitAlert(t, id).Progress {
			if pr.Total != 1 || pr.Sent != 1 {
				t.Errorf("%s: total %d sent %d failed %d gone %d", pr.Channel, pr.Total, pr.Sent, pr.Failed, pr.Gone)
			}
		}
		var pm struct{ Title, Dir string }
		if msgs := p.Push.Messages(); len(msgs) != 1 || json.Unmarshal(msgs[0].Payload, &pm) != nil || pm.Title != "عاجل: "+a.Headline || pm.Dir != "rtl" {
			t.Errorf("push messages: %d %+v %v", len(msgs), pm, p.Push.Problems())
		}

		// Unsubscribing from the mail's link, with the page's button.
		mails := p.SMTP.Mails()
		if len(mails) != 2 {
			t.Fatalf("%d mails, want the confirmation and the alert", len(mails))
		}
		h, _ := apptest.MailText(t, mails[1].Data)
		unsub := strings.TrimPrefix(strings.Trim(h.Get("List-Unsubscribe"), "<>"), "https://khabar.test")
		browsertest.Browse(t, tab, "open the unsubscribe link", chromedp.Navigate(n.Base+unsub), chromedp.WaitVisible(chromedp.CSS("main form button")))
		if subs, _ := n.Store.EmailSubscribers(ctx, "breaking", 0, 1<<40, 10); len(subs) != 1 {
			t.Fatal("opening the unsubscribe link unsubscribed (mail scanners open links)")
		}
		browsertest.Browse(t, tab, "press the button", chromedp.Click(chromedp.CSS("main form button")))
		waitMain(t, tab, ar.T("email_alerts_removed"))
		if subs, _ := n.Store.EmailSubscribers(ctx, "breaking", 0, 1<<40, 10); len(subs) != 0 {
			t.Error("still subscribed by e-mail")
		}

		browsertest.Browse(t, tab, "back to the article and turn alerts off",
			chromedp.Navigate(articleURL), chromedp.WaitVisible(chromedp.CSS(".push-off")), chromedp.Click(chromedp.CSS(".push-off")))
		waitStatus(t, tab, "push_off")
		if !browsertest.Eval[bool](t, tab, `!document.querySelector(".push-on").hidden && document.querySelector(".push-off").hidden && !localStorage.getItem("fakePush")`) {
			t.Error("after unsubscribing the box does not offer to turn alerts on, or the browser kept its subscription")
		}
		if subs, _ := n.Store.PushSubscriptions(ctx, "", 0, 1<<40, 10); len(subs) != 0 {
			t.Errorf("%d push subscriptions left after turning alerts off", len(subs))
		}
	})
}

// waitMain waits for the page in the tab to say text in its main part:
// after a click that loads another page, the old one may still be there,
// and evaluating fails while the new one replaces it.
func waitMain(t *testing.T, tab context.Context, text string) {
	t.Helper()
	const main = `(document.querySelector("main") || document.documentElement).innerText`
	var got string
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if v, err := chromedp.Run(tab, chromedp.Evaluate[string](main)); err == nil {
			if got = v; strings.Contains(got, text) {
				return
			}
		}
	}
	t.Fatalf("the page never said %q; it says %.300q", text, got)
}

// openPushBox opens a page and waits for its script to enable the push
// button, as it does where the browser can push.
func openPushBox(t *testing.T, tab context.Context, pageURL string) {
	t.Helper()
	browsertest.Browse(t, tab, "open "+pageURL, chromedp.Navigate(pageURL), chromedp.WaitVisible(chromedp.CSS(".push-on")))
	if _, err := chromedp.Run(tab, chromedp.Poll[bool](`!document.querySelector(".push-on").disabled`, chromedp.WithPollingTimeout(10*time.Second))); err != nil {
		t.Fatalf("Chromium can push, but the button stays disabled: %v", err)
	}
}

// fakePushService answers PushManager's subscribe() and getSubscription()
// with the subscription ENDPOINT, P256DH, AUTH, remembered in
// localStorage as a browser remembers its own; it keeps the key the page
// subscribed with in pushKey (base64url, as the server hands it out).
const fakePushService = `(() => {
  const json = {endpoint: ENDPOINT, expirationTime: null, keys: {p256dh: P256DH, auth: AUTH}};
  const sub = () => ({endpoint: json.endpoint, toJSON: () => json,
    unsubscribe: () => { localStorage.removeItem("fakePush"); return Promise.resolve(true); }});
  PushManager.prototype.subscribe = function (opts) {
    if (Notification.permission !== "granted" || !opts.userVisibleOnly) return Promise.reject(new DOMException("denied", "NotAllowedError"));
    window.pushKey = btoa(String.fromCharCode(...new Uint8Array(opts.applicationServerKey))).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
    localStorage.setItem("fakePush", "1");
    return Promise.resolve(sub());
  };
  PushManager.prototype.getSubscription = function () { return Promise.resolve(localStorage.getItem("fakePush") ? sub() : null); };
})()`

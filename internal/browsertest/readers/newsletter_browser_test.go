package readers

import (
	"context"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"khabar/internal/apptest"
	"khabar/internal/auth"
	"khabar/internal/browsertest"
	"khabar/internal/news"
)

// TestNewsletterPages: a reader subscribes from the home page's box with
// scripts off (a plain form), and axe-core finds nothing wrong with the
// reader's newsletter pages or the newsroom's.
func TestNewsletterPages(t *testing.T) {
	t.Parallel() // see TestBrowser
	p := apptest.StartPeers(t)
	n := apptest.StartNode(t, "", p.Config)
	chrome := browsertest.Start(t) // after the node: it stops first
	axe := browsertest.Axe(t)
	ctx := context.Background()
	l := &news.NewsletterList{Name: "الموجز اليومي", Description: "أهم أخبار اليوم كل صباح", Cadence: news.CadenceDaily, SendTime: "07:00", Enabled: true}
	if err := n.Store.SaveNewsletterList(ctx, l, news.Actor{Name: "test"}); err != nil {
		t.Fatal(err)
	}
	n.WaitEvents(t)

	t.Run("subscribe without JavaScript", func(t *testing.T) {
		tab := browsertest.NewTab(t, chrome)
		if _, err := chromedp.Call(tab, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true}); err != nil {
			t.Fatal(err)
		}
		browsertest.Browse(t, tab, "fill the box's newsletter form", chromedp.Navigate(n.Base+"/"),
			chromedp.WaitVisible(chromedp.CSS("#newsletter-email")),
			chromedp.SendKeys(chromedp.CSS("#newsletter-email"), "browser@example.com"),
			chromedp.Click(chromedp.CSS("form.newsletter-form button[type=submit]")),
			chromedp.WaitVisible(chromedp.CSS("section.notice")))
		if got := browsertest.Eval[string](t, tab, `document.querySelector("section.notice h1").textContent`); !strings.Contains(got, "أرسلنا رسالة تأكيد") {
			t.Errorf("after subscribing the page says %q", got)
		}
		mails := p.SMTP.Mails()
		if len(mails) != 1 || mails[0].To[0] != "browser@example.com" {
			t.Fatalf("confirmation mails: %+v", mails)
		}
	})

	for _, path := range []string{"/", "/newsletter", "/newsletter/confirm?token=forged", "/newsletter/unsubscribe?token=" +
		strings.TrimPrefix(n.Newsletters.UnsubscribeURL("browser@example.com", l.ID), "https://khabar.test/newsletter/unsubscribe?token=")} {
		t.Run(path, func(t *testing.T) { browsertest.CheckAxe(t, browsertest.NewTab(t, chrome), n.Base+path, axe, "") })
	}

	is, err := n.Newsletters.Draft(ctx, l, l.NextSlot(apptest.FirstPublished(t, n.Store).PublishedAt, n.Zone()))
	if err != nil {
		t.Fatal(err)
	}
	apptest.Login(t, n, auth.RoleEditor)
	browsertest.Login(t, browsertest.NewTab(t, chrome), n.Base, auth.RoleEditor)
	for _, path := range []string{"/admin/newsletters", "/admin/newsletters/" + strconv.FormatInt(l.ID, 10), "/admin/newsletter-issues/" + strconv.FormatInt(is.ID, 10)} {
		t.Run(path, func(t *testing.T) { browsertest.CheckAxe(t, browsertest.NewTab(t, chrome), n.Base+path, axe, "") })
	}
}

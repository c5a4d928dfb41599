package desk

import (
	"context"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"khabar/internal/apptest"
	"khabar/internal/auth"
	"khabar/internal/browsertest"
	"khabar/internal/news"
)

// TestWireDeskPushToPublish is issue 19's wire path in one Chromium: an
// agency pushes a ninjs item, the editor's open desk shows it as it
// arrives, the editor makes it a draft and publishes it, and a kill
// notice the agency sends then flags the article on its editor page.
func TestWireDeskPushToPublish(t *testing.T) {
	t.Parallel()
	n := apptest.StartNode(t, "")
	browser := browsertest.Start(t)
	apptest.Login(t, n, auth.RoleEditor)
	token, hash, err := auth.NewToken()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := n.Store.AddWireAgency(context.Background(), "وكالة المثال", hash, news.Actor{Name: "test"}); err != nil {
		t.Fatal(err)
	}
	const (
		guid     = "urn:ninjs:wakala.example:browser-1"
		headline = "الحكومة تعلن خطة لإصلاح شبكة الكهرباء"
	)
	push := func(doc string) {
		t.Helper()
		req, _ := http.NewRequest("POST", n.Base+"/api/v1/wires", strings.NewReader(doc))
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Set("Content-Type", "application/ninjs+json")
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusCreated {
			t.Fatalf("push: %d", res.StatusCode)
		}
	}
	shots := browsertest.Output(t, "screenshots")
	tab := browsertest.NewTab(t, browser)
	browsertest.Login(t, tab, n.Base, auth.RoleEditor)
	browsertest.Within(t, tab, "open the wire desk",
		chromedp.Click(chromedp.CSS(`header.top a[href="/admin/wires"]`)),
		chromedp.WaitVisible(chromedp.CSS(`ol#wires[data-stream]`)))
	deadline := time.Now().Add(browsertest.StepWait)
	for n.Live.Clients("wires") == 0 {
		if time.Now().After(deadline) {
			t.Fatal("the desk's page never opened its stream")
		}
		time.Sleep(10 * time.Millisecond)
	}

	push(`{"uri": "` + guid + `", "type": "text", "version": "1", "pubstatus": "usable", "language": "ar",
		"headlines": [{"role": "main", "value": "` + headline + `"}],
		"descriptions": [{"role": "summary", "value": "خطة على ثلاث سنوات لتحديث المحطات."}],
		"bodies": [{"contenttype": "text/html", "value": "<p>أعلنت الحكومة خطة لإصلاح الشبكة.</p><h2>التمويل</h2><p>تموّل الخطة من قرض ميسّر.</p>"}],
		"infosources": [{"name": "وكالة المثال"}]}`)
	row := `ol#wires li[data-guid="` + guid + `"] a`
	browsertest.Within(t, tab, "see it arrive on the open desk", chromedp.WaitVisible(chromedp.CSS(row)))
	if said := browsertest.Eval[string](t, tab, `document.getElementById("wires-news").textContent`); !strings.Contains(said, headline) {
		t.Errorf("the status line says %q, not the arrival", said)
	}
	browsertest.Screenshot(t, tab, filepath.Join(shots, "newsroom-wire-desk.jpg"))

	browsertest.Within(t, tab, "open it and make it a draft",
		chromedp.Click(chromedp.CSS(row)),
		chromedp.WaitVisible(chromedp.CSS(`form[action$="/draft"] button`)),
		chromedp.Click(chromedp.CSS(`form[action$="/draft"] button`)),
		chromedp.WaitVisible(chromedp.CSS(`.flash`)),
		chromedp.WaitVisible(chromedp.CSS(`section.workflow`)))
	// The editor's scripts start as the page completes; the click waits
	// for them rather than land on a node they are replacing.
	browsertest.PageLoaded(t, tab, browsertest.Eval[string](t, tab, `location.pathname`))
	if got := browsertest.Eval[string](t, tab, `document.querySelector("textarea[name=headline]").value`); got != headline {
		t.Errorf("the draft's headline %q", got)
	}
	browsertest.Within(t, tab, "publish it",
		chromedp.Click(chromedp.CSS(`form.step:has(input[name=action][value=publish]) button`)),
		// The draft's page had a flash already: wait for the new page's.
		chromedp.WaitVisible(chromedp.CSS(`.status-bar .badge:not(.st-draft)`)))
	if got := browsertest.Eval[string](t, tab, `document.querySelector(".status-bar .badge").className`); !strings.Contains(got, "st-published") {
		t.Fatalf("after publishing the article is %q (%s)", got, browsertest.Eval[string](t, tab, `Array.from(document.querySelectorAll("[role=alert], .err, .flash")).map(e => e.textContent).join(" | ")`))
	}
	path := browsertest.Eval[string](t, tab, `location.pathname`)

	push(`{"uri": "` + guid + `", "type": "text", "version": "2", "pubstatus": "canceled", "language": "ar",
		"ednote": "إلغاء: الخطة لم تُقرّ بعد. اسحبوا الخبر.", "headlines": [{"value": "` + headline + `"}]}`)
	browsertest.Within(t, tab, "the editor page flags the kill",
		chromedp.Navigate(n.Base+path),
		chromedp.WaitVisible(chromedp.CSS(`.wire-notice`)))
	browsertest.PageLoaded(t, tab, path)
	if got := browsertest.Eval[string](t, tab, `document.querySelector(".wire-notice").textContent`); !strings.Contains(got, "ألغت الوكالة") || !strings.Contains(got, "اسحبوا الخبر") {
		t.Errorf("the notice says %q", got)
	}
	browsertest.Screenshot(t, tab, filepath.Join(shots, "newsroom-wire-killed.jpg"))
	browsertest.Within(t, tab, "say it was seen",
		chromedp.Click(chromedp.CSS(`.wire-notice form button`)),
		chromedp.WaitNotPresent(chromedp.CSS(`.wire-notice`)))
}

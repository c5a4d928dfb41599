package audience_test

import (
	"net/http"
	"net/url"
	"slices"
	"testing"
	"time"

	"khabar/internal/apptest"
	"khabar/internal/auth"
	"khabar/internal/news"
)

// TestTickerExpiryDropsPages: a line given an expiry a moment away leaves
// the cached home page when it runs out, with no event at that moment.
func TestTickerExpiryDropsPages(t *testing.T) {
	t.Parallel()
	n := apptest.StartNode(t, "")
	apptest.Login(t, n, auth.RoleEditor)
	it := n.AddLines(t, "سطر ينتهي بعد لحظات")
	if got := n.HomeTicker(t); got[0] != it[0].Text {
		t.Fatalf("home ticker: %q", got)
	}
	// The form keeps whole seconds.
	at := n.Soon(t, 4*time.Second).Truncate(time.Second)
	if r := n.Do(t, "POST", "/admin/ticker/"+apptest.Itoa(it[0].ID), url.Values{"text": {it[0].Text}, "expires": n.TimeField(at)["at"]}, nil); r.Status != http.StatusSeeOther {
		t.Fatalf("save: %d", r.Status)
	}
	if got := n.HomeTicker(t); got[0] != it[0].Text {
		t.Fatalf("the line left before its time: %q", got)
	}
	for deadline := time.Now().Add(20 * time.Second); slices.Contains(n.HomeTicker(t), it[0].Text); {
		if time.Now().After(deadline) {
			t.Fatal("the expired line is still on the cached home page")
		}
		time.Sleep(100 * time.Millisecond)
	}
	if time.Now().Before(at) {
		t.Error("the line left before its time")
	}
}

// TestTickerManagementReachesHomePage: lines ordered, edited, expired and
// restored through the newsroom reach the home page's ticker, on both
// databases. (The newsroom's side, with its refusals, is
// internal/newsroom's TestTickerManagement.)
func TestTickerManagementReachesHomePage(t *testing.T) {
	t.Parallel()
	apptest.Backends(t, func(t *testing.T, n *apptest.Node) {
		apptest.Login(t, n, auth.RoleEditor)
		it := n.AddLines(t, "السطر ألف", "السطر باء", "السطر جيم")
		a, b, c := apptest.Itoa(it[0].ID), apptest.Itoa(it[1].ID), apptest.Itoa(it[2].ID)
		if got := n.HomeTicker(t); !slices.Equal(got[:3], []string{"السطر جيم", "السطر باء", "السطر ألف"}) {
			t.Fatalf("home ticker before: %q", got)
		}
		for range 2 {
			if r := n.Do(t, "POST", "/admin/ticker/"+a+"/move", url.Values{"dir": {"up"}}, nil); r.Status != http.StatusSeeOther {
				t.Fatalf("move: %d", r.Status)
			}
		}
		if got := n.HomeTicker(t); !slices.Equal(got[:3], []string{"السطر ألف", "السطر جيم", "السطر باء"}) {
			t.Errorf("home ticker after the moves: %q", got)
		}
		if r := n.Do(t, "POST", "/admin/ticker/"+b, url.Values{"text": {"  السطر باء   معدلًا "}}, nil); r.Status != http.StatusSeeOther {
			t.Fatalf("save: %d %s", r.Status, r.Body)
		}
		// Jim expires now: off the home page; restored, it comes back on top.
		if r := n.Do(t, "POST", "/admin/ticker/"+c+"/expire", url.Values{}, nil); r.Status != http.StatusSeeOther {
			t.Fatalf("expire: %d", r.Status)
		}
		if got := n.HomeTicker(t); slices.Contains(got, "السطر جيم") {
			t.Errorf("an expired line is on the home page: %q", got)
		}
		if r := n.Do(t, "POST", "/admin/ticker/"+c+"/restore", url.Values{}, nil); r.Status != http.StatusSeeOther {
			t.Fatalf("restore: %d", r.Status)
		}
		if got := n.HomeTicker(t); !slices.Equal(got[:3], []string{"السطر جيم", "السطر ألف", "السطر باء معدلًا"}) {
			t.Errorf("home ticker after the restore: %q", got)
		}
	})
}

// TestSentArticleTopsHomeTicker: an article sent to the ticker from the
// newsroom tops the home page's ticker, and sent again from the desk
// after newer lines, tops it again. (The buttons, messages, stored line
// and refusals are internal/newsroom's TestSendArticleToTicker.)
func TestSentArticleTopsHomeTicker(t *testing.T) {
	t.Parallel()
	n := apptest.StartNode(t, "")
	editor := apptest.As(t, n, auth.RoleEditor)
	a := apptest.ArticleIn(t, n, news.StatusPublished, 0)
	if r := editor.Do(t, "POST", "/admin/articles/"+apptest.ID(a)+"/ticker", url.Values{}, nil); r.Status != http.StatusSeeOther {
		t.Fatalf("send: %d", r.Status)
	}
	if got := n.HomeTicker(t); got[0] != a.Headline {
		t.Errorf("home ticker after sending: %q", got)
	}
	n.AddLines(t, "سطر أحدث")
	if r := editor.Do(t, "POST", "/admin/articles/"+apptest.ID(a)+"/ticker", url.Values{"from": {"desk"}}, nil); r.Status != http.StatusSeeOther {
		t.Fatalf("send again: %d", r.Status)
	}
	if got := n.HomeTicker(t); got[0] != a.Headline {
		t.Errorf("home ticker after sending again: %q", got)
	}
}

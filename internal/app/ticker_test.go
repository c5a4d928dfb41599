package app

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"testing"
	"time"

	"khabar/internal/auth"
	"khabar/internal/news"
)

var (
	tickerSection = regexp.MustCompile(`(?s)<section class="ticker".*?</section>`)
	tickerLine    = regexp.MustCompile(`<li[^>]*>(?:<a href="[^"]*">)?([^<]*)`)
)

// homeTicker is the home page's ticker lines, top first, once the page
// cache has seen every event so far.
func (n *node) homeTicker(t *testing.T) []string {
	t.Helper()
	n.waitEvents(t)
	r := n.get(t, "/")
	if r.status != 200 {
		t.Fatalf("home: %d", r.status)
	}
	var lines []string
	for _, m := range tickerLine.FindAllStringSubmatch(tickerSection.FindString(r.body), -1) {
		lines = append(lines, m[1])
	}
	return lines
}

// addLines adds ticker lines through the store, the last on top.
func (n *node) addLines(t *testing.T, texts ...string) []*news.TickerItem {
	t.Helper()
	var out []*news.TickerItem
	for _, text := range texts {
		it := &news.TickerItem{Text: text}
		if err := n.Store.CreateTicker(context.Background(), it); err != nil {
			t.Fatal(err)
		}
		out = append(out, it)
	}
	return out
}

// TestTickerExpiryDropsPages: a line given an expiry a moment away leaves
// the cached home page when it runs out, with no event at that moment.
func TestTickerExpiryDropsPages(t *testing.T) {
	t.Parallel()
	n := startNode(t, "")
	login(t, n, auth.RoleEditor)
	it := n.addLines(t, "سطر ينتهي بعد لحظات")
	if got := n.homeTicker(t); got[0] != it[0].Text {
		t.Fatalf("home ticker: %q", got)
	}
	// The form keeps whole seconds.
	at := n.soon(t, 4*time.Second).Truncate(time.Second)
	if r := n.do(t, "POST", "/admin/ticker/"+itoa(it[0].ID), url.Values{"text": {it[0].Text}, "expires": n.timeField(at)["at"]}, nil); r.status != http.StatusSeeOther {
		t.Fatalf("save: %d", r.status)
	}
	if got := n.homeTicker(t); got[0] != it[0].Text {
		t.Fatalf("the line left before its time: %q", got)
	}
	for deadline := time.Now().Add(20 * time.Second); slices.Contains(n.homeTicker(t), it[0].Text); {
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
	backends(t, func(t *testing.T, n *node) {
		login(t, n, auth.RoleEditor)
		it := n.addLines(t, "السطر ألف", "السطر باء", "السطر جيم")
		a, b, c := itoa(it[0].ID), itoa(it[1].ID), itoa(it[2].ID)
		if got := n.homeTicker(t); !slices.Equal(got[:3], []string{"السطر جيم", "السطر باء", "السطر ألف"}) {
			t.Fatalf("home ticker before: %q", got)
		}
		for range 2 {
			if r := n.do(t, "POST", "/admin/ticker/"+a+"/move", url.Values{"dir": {"up"}}, nil); r.status != http.StatusSeeOther {
				t.Fatalf("move: %d", r.status)
			}
		}
		if got := n.homeTicker(t); !slices.Equal(got[:3], []string{"السطر ألف", "السطر جيم", "السطر باء"}) {
			t.Errorf("home ticker after the moves: %q", got)
		}
		if r := n.do(t, "POST", "/admin/ticker/"+b, url.Values{"text": {"  السطر باء   معدلًا "}}, nil); r.status != http.StatusSeeOther {
			t.Fatalf("save: %d %s", r.status, r.body)
		}
		// Jim expires now: off the home page; restored, it comes back on top.
		if r := n.do(t, "POST", "/admin/ticker/"+c+"/expire", url.Values{}, nil); r.status != http.StatusSeeOther {
			t.Fatalf("expire: %d", r.status)
		}
		if got := n.homeTicker(t); slices.Contains(got, "السطر جيم") {
			t.Errorf("an expired line is on the home page: %q", got)
		}
		if r := n.do(t, "POST", "/admin/ticker/"+c+"/restore", url.Values{}, nil); r.status != http.StatusSeeOther {
			t.Fatalf("restore: %d", r.status)
		}
		if got := n.homeTicker(t); !slices.Equal(got[:3], []string{"السطر جيم", "السطر ألف", "السطر باء معدلًا"}) {
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
	n := startNode(t, "")
	editor := asRole(t, n, auth.RoleEditor)
	a := articleIn(t, n, news.StatusPublished, 0)
	if r := editor.do(t, "POST", "/admin/articles/"+id(a)+"/ticker", url.Values{}, nil); r.status != http.StatusSeeOther {
		t.Fatalf("send: %d", r.status)
	}
	if got := n.homeTicker(t); got[0] != a.Headline {
		t.Errorf("home ticker after sending: %q", got)
	}
	n.addLines(t, "سطر أحدث")
	if r := editor.do(t, "POST", "/admin/articles/"+id(a)+"/ticker", url.Values{"from": {"desk"}}, nil); r.status != http.StatusSeeOther {
		t.Fatalf("send again: %d", r.status)
	}
	if got := n.homeTicker(t); got[0] != a.Headline {
		t.Errorf("home ticker after sending again: %q", got)
	}
}

package apptest

import (
	"context"
	"regexp"
	"testing"

	"khabar/internal/news"
)

// HomeTicker is the home page's ticker lines, top first, once the page
// cache has seen every event so far.
func (n *Node) HomeTicker(t *testing.T) []string {
	t.Helper()
	n.WaitEvents(t)
	r := n.Get(t, "/")
	if r.Status != 200 {
		t.Fatalf("home: %d", r.Status)
	}
	var lines []string
	for _, m := range tickerLine.FindAllStringSubmatch(tickerSection.FindString(r.Body), -1) {
		lines = append(lines, m[1])
	}
	return lines
}

// AddLines adds ticker lines through the store, the last on top.
func (n *Node) AddLines(t *testing.T, texts ...string) []*news.TickerItem {
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

var (
	tickerSection = regexp.MustCompile(`(?s)<section class="ticker".*?</section>`)
	tickerLine    = regexp.MustCompile(`<li[^>]*>(?:<a href="[^"]*">)?([^<]*)`)
)

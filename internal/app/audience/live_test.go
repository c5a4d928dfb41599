package audience_test

import (
	"bufio"
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"khabar/internal/apptest"
	"khabar/internal/config"
	"khabar/internal/news"
	"khabar/internal/storetest"
)

// TestLiveTickerAcrossNodes: a reader connected to node b sees a ticker
// line an editor added through node a, over SSE, within seconds.
func TestLiveTickerAcrossNodes(t *testing.T) {
	t.Parallel()
	dbURL := storetest.PostgresURL(t)
	slow := func(c *config.Config) { c.EventPoll = time.Minute }
	a := apptest.StartNode(t, dbURL, slow)
	b := apptest.StartNode(t, dbURL, slow)

	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", b.Base+"/live/ticker", nil)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if res.StatusCode != 200 || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/event-stream") {
		t.Fatalf("stream: %d %s", res.StatusCode, res.Header.Get("Content-Type"))
	}
	deadline := time.Now().Add(5 * time.Second)
	for b.Live.Clients("ticker") == 0 {
		if time.Now().After(deadline) {
			t.Fatal("the stream never subscribed")
		}
		time.Sleep(5 * time.Millisecond)
	}
	item := &news.TickerItem{Text: "عاجل: خبر يصل إلى القراء مباشرة"}
	start := time.Now()
	if err := a.Store.CreateTicker(context.Background(), item); err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(res.Body)
	for sc.Scan() {
		if line := sc.Text(); strings.HasPrefix(line, "data: ") && strings.Contains(line, item.Text) {
			if took := time.Since(start); took > 2*time.Second {
				t.Errorf("the ticker line took %s to arrive", took)
			}
			return
		}
	}
	t.Fatalf("stream ended without the new ticker line: %v", sc.Err())
}

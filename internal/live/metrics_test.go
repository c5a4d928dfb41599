package live

import (
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus/testutil"
)

// TestStreamsMetric: open streams are counted by topic kind, never by
// article, and a closed stream leaves the count.
func TestStreamsMetric(t *testing.T) {
	h := NewHub()
	var subs []*Subscription
	for _, topic := range []string{"ticker", "ticker", "comments/1", "comments/2", "liveblog/3"} {
		s, err := h.Subscribe(topic, "10.0.0.1", 0, false)
		if err != nil {
			t.Fatal(err)
		}
		subs = append(subs, s)
	}
	subs[0].Close()
	c := h.Collectors()[0]
	want := `
# HELP khabar_live_streams Open live (SSE) streams by topic kind: ticker, liveblog, comments.
# TYPE khabar_live_streams gauge
khabar_live_streams{kind="comments"} 2
khabar_live_streams{kind="liveblog"} 1
khabar_live_streams{kind="ticker"} 1
`
	if err := testutil.CollectAndCompare(c, strings.NewReader(want), "khabar_live_streams"); err != nil {
		t.Error(err)
	}
}

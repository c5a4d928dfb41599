package live

import (
	"maps"
	"testing"

	"khabar/internal/metricstest"
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
	series := metricstest.Collect(t, h.Collectors()...)
	want := map[string]float64{`khabar_live_streams{kind="comments"}`: 2, `khabar_live_streams{kind="liveblog"}`: 1, `khabar_live_streams{kind="ticker"}`: 1}
	if !maps.Equal(series, want) {
		t.Errorf("got %v, want %v", series, want)
	}
}

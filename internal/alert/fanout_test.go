package alert_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"testing"
	"time"

	"khabar/internal/alert"
	"khabar/internal/alert/alerttest"
	"khabar/internal/metricstest"
	"khabar/internal/news"
	"khabar/internal/outbound"
	"khabar/internal/store"
	"khabar/internal/storetest"
)

// pushFanout is a fan-out with Web Push only, against ps.
func pushFanout(t *testing.T, s *store.Store, ps *alerttest.PushService) *alert.Fanout {
	t.Helper()
	keys, err := alert.GenerateVAPIDKeys()
	if err != nil {
		t.Fatal(err)
	}
	push, err := alert.NewWebPush(alert.WebPushConfig{Keys: keys, Subject: "mailto:desk@khabar.test",
		Client: outbound.Guard{AllowPrivate: true}.Client(ps.RootCAs())})
	if err != nil {
		t.Fatal(err)
	}
	return &alert.Fanout{Store: s, Push: push, Lang: func() string { return "ar" }, BatchSize: 100, Owner: "node-a",
		Backoff: alert.Backoff{Base: 10 * time.Millisecond, Max: 50 * time.Millisecond}}
}

func storeSubscribers(t *testing.T, s *store.Store, ps *alerttest.PushService, n int, topics string) []int64 {
	t.Helper()
	var ids []int64
	for range n {
		sub, err := ps.Subscribe()
		if err != nil {
			t.Fatal(err)
		}
		p := &news.PushSubscription{Endpoint: sub.Endpoint, P256dh: sub.P256dh, Auth: sub.Auth, Topics: topics}
		if err := s.SavePushSubscription(context.Background(), p); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, p.ID)
	}
	return ids
}

func newAlert(t *testing.T, s *store.Store, topic string) *news.Alert {
	t.Helper()
	a := &news.Alert{Title: "عاجل: اتفاق على وقف إطلاق النار", Text: "تفاصيل بعد قليل", URL: "https://khabar.test/news/1",
		Urgency: "high", Topic: topic, Channels: []string{alert.ChannelPush}}
	if err := s.CreateAlert(context.Background(), a); err != nil {
		t.Fatal(err)
	}
	return a
}

func TestFanoutDeliversByTopicAndDropsGoneSubscriptions(t *testing.T) {
	for _, b := range storetest.Backends {
		t.Run(b.Name, func(t *testing.T) { testFanoutByTopic(t, b.Open(t)) })
	}
}

func testFanoutByTopic(t *testing.T, s *store.Store) {
	{
		ctx := context.Background()
		ps := alerttest.NewPushService()
		defer ps.Close()
		f := pushFanout(t, s, ps)
		f.Metrics = alert.NewMetrics()
		breaking := storeSubscribers(t, s, ps, 230, "breaking")
		storeSubscribers(t, s, ps, 5, "economy") // not for a breaking alert
		gone := breaking[7]
		ps.Respond = func(id string) (int, http.Header) {
			if id == "8" {
				return http.StatusGone, nil
			}
			if id == "9" {
				return http.StatusBadRequest, nil
			}
			return http.StatusCreated, nil
		}
		a := newAlert(t, s, "breaking")
		batches, err := f.Plan(ctx, a.ID)
		if err != nil || len(batches) != 3 || batches[0].Total != 100 || batches[2].Total != 30 {
			t.Fatalf("plan: %+v %v", batches, err)
		}
		again, _ := f.Plan(ctx, a.ID)
		if len(again) != 3 || again[0].ID != batches[0].ID {
			t.Fatal("planning twice made new batches")
		}
		deliverAll(t, f, a.ID)
		got, _ := s.GetAlert(ctx, a.ID)
		p := got.Progress[0]
		if p.Total != 230 || p.Sent != 228 || p.Gone != 1 || p.Failed != 1 || !p.Done || p.Pending() != 0 {
			t.Fatalf("progress: %+v", p)
		}
		if probs := ps.Problems(); len(probs) > 0 {
			t.Fatalf("the push service refused: %v", probs)
		}
		counted := metricstest.Collect(t, f.Metrics.Collectors()...)
		for outcome, want := range map[string]float64{"delivered": 228, "gone": 1, "failed": 1} {
			if got := counted[`khabar_alert_deliveries_total{channel="push",outcome="`+outcome+`"}`]; got != want {
				t.Errorf("deliveries %s: %v, want %v", outcome, got, want)
			}
		}
		msgs := ps.Messages()
		var m struct{ Title, Dir, Lang, Tag string }
		if len(msgs) != 228 || json.Unmarshal(msgs[0].Payload, &m) != nil || m.Title != a.Title || m.Dir != "rtl" || m.Lang != "ar" || m.Tag != "alert-"+strconv.FormatInt(a.ID, 10) {
			t.Fatalf("messages: %d, first %+v", len(msgs), m)
		}
		if h := msgs[0].Header; h.Get("Urgency") != "high" || h.Get("Topic") == "" || h.Get("TTL") == "" {
			t.Fatalf("headers: %v", h)
		}
		left, _ := s.PushSubscriptions(ctx, "breaking", gone-1, gone, 10)
		if len(left) != 0 {
			t.Fatal("the subscription the push service called gone is still there")
		}
		// A second run of the event sends nothing more.
		deliverAll(t, f, a.ID)
		if len(ps.Messages()) != 228 {
			t.Fatalf("delivering again sent again: %d", len(ps.Messages()))
		}
	}
}

// TestFanoutResumesWhereItStopped: a node stops in the middle of a batch;
// another takes it over once the lease ends and sends only the rest.
func TestFanoutResumesWhereItStopped(t *testing.T) {
	s := storetest.SQLite(t)
	ctx := context.Background()
	ps := alerttest.NewPushService()
	defer ps.Close()
	storeSubscribers(t, s, ps, 300, "breaking")
	a := newAlert(t, s, "breaking")
	first := pushFanout(t, s, ps)
	first.BatchSize, first.Workers = 500, 2
	batches, err := first.Plan(ctx, a.ID)
	if err != nil || len(batches) != 1 {
		t.Fatalf("plan: %v %v", batches, err)
	}
	stop, cancel := context.WithCancel(ctx)
	ps.Respond = func(string) (int, http.Header) {
		if ps.Received() >= 150 {
			cancel() // the node goes down mid-batch
		}
		return http.StatusCreated, nil
	}
	defer cancel()
	if err := first.Deliver(stop, batches[0].ID); err == nil {
		t.Fatal("a cut-short delivery reported success")
	}
	sentBefore := len(ps.Messages())
	d, _ := s.GetDelivery(ctx, batches[0].ID)
	if d.Done || d.DoneUpTo == 0 || d.Sent == 0 {
		t.Fatalf("no checkpoint: %+v", d)
	}
	second := pushFanout(t, s, ps)
	second.Owner = "node-b"
	if err := second.Deliver(ctx, batches[0].ID); err != alert.ErrBatchTaken {
		t.Fatalf("another node's live lease was not respected: %v", err)
	}
	if _, err := s.ClaimDelivery(ctx, batches[0].ID, "node-a", -time.Second); err != nil { // the lease runs out
		t.Fatal(err)
	}
	if err := second.Deliver(ctx, batches[0].ID); err != nil {
		t.Fatal(err)
	}
	d, _ = s.GetDelivery(ctx, batches[0].ID)
	total := len(ps.Messages())
	if !d.Done || d.Sent != 300 {
		t.Fatalf("after resuming: %+v", d)
	}
	// Sent again at most what was in flight when the node stopped: the
	// push service took them, but the node never heard its answer.
	if dup := total - 300; dup < 0 || dup > first.Workers {
		t.Fatalf("%d messages in all for 300 subscribers (%d before the stop): %d sent twice", total, sentBefore, dup)
	}
}

// deliverAll plans an alert and runs its batches, as the job queue would.
func deliverAll(t *testing.T, f *alert.Fanout, id int64) {
	t.Helper()
	batches, err := f.Plan(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range batches {
		if err := f.Deliver(context.Background(), b.ID); err != nil {
			t.Fatal(err)
		}
	}
}

func TestFanoutCheck(t *testing.T) {
	f := &alert.Fanout{Lang: func() string { return "ar" }}
	f.Push = &alert.WebPush{}
	good := news.Alert{Title: "عاجل", URL: "https://khabar.test/news/1", Urgency: "high", Topic: "breaking", Channels: []string{"push"}}
	cases := []struct {
		name  string
		edit  func(a *news.Alert)
		field string
	}{
		{"good", func(*news.Alert) {}, ""},
		{"no title", func(a *news.Alert) { a.Title = "" }, "title"},
		{"javascript url", func(a *news.Alert) { a.URL = "javascript:alert(1)" }, "url"},
		{"unknown topic", func(a *news.Alert) { a.Topic = "sports" }, "topic"},
		{"section topic", func(a *news.Alert) { a.Topic = "economy" }, ""},
		{"unconfigured channel", func(a *news.Alert) { a.Channels = []string{"telegram"} }, "channels"},
		{"no channel", func(a *news.Alert) { a.Channels = nil }, "channels"},
		{"bad urgency", func(a *news.Alert) { a.Urgency = "panic" }, "urgency"},
		{"payload too large", func(a *news.Alert) {
			a.Title = repeat("ع", 200)
			a.Text = repeat("ن", 1000)
			a.URL += "?" + repeat("a", 1900)
		}, "payload"},
	}
	for _, c := range cases {
		a := good
		c.edit(&a)
		err := f.Check(&a, []string{"economy"})
		ie, _ := err.(*news.InvalidError)
		switch {
		case c.field == "" && err != nil:
			t.Errorf("%s: %v", c.name, err)
		case c.field != "" && (ie == nil || ie.Fields[c.field] == ""):
			t.Errorf("%s: got %v, want a %s error", c.name, err, c.field)
		}
	}
}

func repeat(s string, n int) string {
	out := make([]byte, 0, len(s)*n)
	for range n {
		out = append(out, s...)
	}
	return string(out)
}

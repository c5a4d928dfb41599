// Command alertbench measures Web Push fan-out (issue 5, speed b): -n
// subscriptions, each with a key pair and auth secret of its own, get one
// alert encrypted for them (RFC 8291) and posted with a VAPID token to a
// push service on loopback (TLS, HTTP/2), in the same process. The push
// service reads every body in full, checks every request's headers and
// VAPID token, and decrypts one message in -sample to prove they are right.
//
// Sending goes through alert.SendAll in batches of -batch with -workers
// sends at once, as the alert job does. Creating the subscriptions (the
// browsers' key pairs) is timed apart: it is not the server's work.
//
// Usage:
//
//	alertbench [-n 100000] [-workers 64] [-batch 500] [-sample 100]
//
// Output is one record per line, "key=value" pairs after a leading word.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"runtime"
	"syscall"
	"time"

	"khabar/internal/alert"
	"khabar/internal/alert/alerttest"
	"khabar/internal/outbound"
)

func main() {
	n := flag.Int("n", 100_000, "subscriptions")
	workers := flag.Int("workers", 64, "sends at once")
	batch := flag.Int("batch", 500, "subscriptions per SendAll call (0: all in one)")
	sample := flag.Int64("sample", 100, "the push service decrypts one accepted message in this many")
	flag.Parse()
	if err := run(*n, *workers, *batch, *sample); err != nil {
		fmt.Fprintln(os.Stderr, "alertbench:", err)
		os.Exit(1)
	}
}

func run(n, workers, batch int, sample int64) error {
	ctx := context.Background()
	push := alerttest.NewPushService()
	defer push.Close()
	push.Sample = sample

	start := time.Now()
	subs := make([]alert.Subscription, n)
	for i := range subs {
		s, err := push.Subscribe()
		if err != nil {
			return fmt.Errorf("subscribe %d: %w", i, err)
		}
		subs[i] = s
	}
	fmt.Printf("bench n=%d workers=%d batch=%d cpus=%d go=%s\n", n, workers, batch, runtime.NumCPU(), runtime.Version())
	fmt.Printf("subscribe ms=%d\n", time.Since(start).Milliseconds())

	keys, err := alert.GenerateVAPIDKeys()
	if err != nil {
		return err
	}
	sender, err := alert.NewWebPush(alert.WebPushConfig{
		Keys: keys, Subject: "mailto:desk@khabar.example",
		Client: outbound.Guard{AllowPrivate: true}.Client(push.RootCAs()),
	})
	if err != nil {
		return err
	}
	a := &alert.Alert{
		ID: 1, Title: "عاجل: مجلس الوزراء يعلن حزمة إجراءات اقتصادية جديدة",
		Text: "أعلن مجلس الوزراء مساء اليوم حزمة من الإجراءات لدعم الأسعار وتثبيت سعر الصرف، تبدأ مطلع الشهر المقبل.",
		URL:  "https://khabar.example/news/1/حزمة-إجراءات", Urgency: alert.UrgencyHigh, Topic: "breaking",
	}
	if err := a.Validate(); err != nil {
		return err
	}
	want, _ := a.PushPayload()

	if batch <= 0 {
		batch = n
	}
	outcomes := map[alert.Outcome]int{}
	var firstErr error
	var ru0 syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru0)
	start = time.Now()
	for lo := 0; lo < n; lo += batch {
		for _, err := range alert.SendAll(ctx, sender, a, subs[lo:min(lo+batch, n)], workers) {
			outcomes[alert.OutcomeOf(err)]++
			if err != nil && firstErr == nil {
				firstErr = err
			}
		}
	}
	elapsed := time.Since(start)
	var ru1 syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru1)
	cpu := time.Duration(ru1.Utime.Nano()+ru1.Stime.Nano()-ru0.Utime.Nano()-ru0.Stime.Nano()) * time.Nanosecond

	msgs := push.Messages()
	bad := 0
	for _, m := range msgs {
		if string(m.Payload) != string(want) {
			bad++
		}
	}
	fmt.Printf("send ms=%d per_sec=%.0f cpu_ms=%d delivered=%d gone=%d retry=%d failed=%d\n",
		elapsed.Milliseconds(), float64(n)/elapsed.Seconds(), cpu.Milliseconds(),
		outcomes[alert.Delivered], outcomes[alert.Gone], outcomes[alert.Retry], outcomes[alert.Failed])
	fmt.Printf("service received=%d bytes=%d decrypted=%d wrong_payload=%d refused=%d\n",
		push.Received(), push.Bytes(), len(msgs), bad, len(push.Problems()))
	switch {
	case firstErr != nil:
		return fmt.Errorf("not all delivered, first error: %w", firstErr)
	case bad > 0 || len(push.Problems()) > 0:
		return fmt.Errorf("the push service found %d wrong payloads and refused %d requests", bad, len(push.Problems()))
	}
	return nil
}

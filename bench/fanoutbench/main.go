// Command fanoutbench measures an alert's Web Push fan-out end to end
// (issue 5, speed b): -n subscriptions, each with a key pair and auth
// secret of its own, are stored in the database; an alert is created with
// store.CreateAlert; then the fan-out plans it and delivers every batch
// (alert.Fanout: subscriptions read from the database in chunks, each
// message encrypted per RFC 8291 and posted with a VAPID token, progress
// checkpointed under a lease) to a push service on loopback TLS with
// HTTP/2 in the same process.
//
// The batches run as the job queue runs them: Fanout.Plan, then
// Fanout.Deliver per batch, -jobs batches at once (the alert queue's
// workers).
//
// Afterwards it checks that the push service accepted a request for every
// subscription (and counts any sent twice), that the alert's progress
// adds up (sent == n, nothing failed or pending), and that the messages
// it decrypted (one in -sample) carry the alert.
//
// The database is SQLite in a temporary directory, or with -db
// postgres://… a fresh database created on that server and dropped at the
// end. Storing the subscriptions is timed apart and not counted.
//
// Usage:
//
//	fanoutbench [-n 100000] [-db postgres://…] [-jobs 4] [-batch 500] [-workers 64]
//
// Output is one record per line, a leading word then key=value pairs.
package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"runtime"
	"runtime/pprof"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"khabar/internal/alert"
	"khabar/internal/alert/alerttest"
	"khabar/internal/news"
	"khabar/internal/outbound"
	"khabar/internal/store"
)

type options struct {
	n, batch, workers, jobs, insert int
	sample                          int64
	db, profile                     string
}

func main() {
	var o options
	flag.IntVar(&o.n, "n", 100_000, "push subscriptions")
	flag.StringVar(&o.db, "db", "", "PostgreSQL URL (a fresh database is made there and dropped); empty: SQLite in a temporary directory")
	flag.IntVar(&o.jobs, "jobs", 4, "batches delivered at once")
	flag.IntVar(&o.batch, "batch", 500, "subscriptions per batch")
	flag.IntVar(&o.workers, "workers", 64, "sends at once within a batch")
	flag.IntVar(&o.insert, "insert", 8, "subscriptions stored at once while setting up")
	flag.StringVar(&o.profile, "cpuprofile", "", "write a CPU profile of the fan-out to this file")
	flag.Int64Var(&o.sample, "sample", 1000, "the push service decrypts one accepted message in this many")
	timeout := flag.Duration("timeout", 15*time.Minute, "the whole run")
	flag.Parse()
	err := o.check()
	if err == nil {
		// A signal ends the run the same way as the timeout, so the
		// PostgreSQL database is still dropped.
		ctx, cancel := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
		ctx, stop := context.WithTimeout(ctx, *timeout)
		err = run(ctx, o)
		stop()
		cancel()
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "fanoutbench:", err)
		os.Exit(1)
	}
}

func (o options) check() error {
	switch {
	case o.n < 1 || o.batch < 1 || o.workers < 1 || o.jobs < 1 || o.insert < 1 || o.sample < 1:
		return errors.New("-n, -batch, -workers, -jobs, -insert and -sample must be at least 1")
	case o.db != "" && !strings.HasPrefix(o.db, "postgres://") && !strings.HasPrefix(o.db, "postgresql://"):
		return errors.New("-db must be a postgres:// URL (or empty for SQLite)")
	}
	return nil
}

func run(ctx context.Context, o options) error {
	s, backend, closeStore, err := open(ctx, o.db)
	if err != nil {
		return err
	}
	defer closeStore()
	fmt.Printf("bench n=%d db=%s batch=%d workers=%d jobs=%d sample=%d cpus=%d go=%s\n", o.n, backend, o.batch, o.workers, o.jobs, o.sample, runtime.NumCPU(), runtime.Version())

	ps := alerttest.NewPushService()
	defer ps.Close()
	ps.Sample = o.sample
	// Respond sees every request that passed the service's checks: it
	// counts them per subscription, which the sampled decryption cannot.
	hits := make([]atomic.Int32, o.n+1)
	ps.Respond = func(id string) (int, http.Header) {
		if k, err := strconv.Atoi(id); err == nil && k > 0 && k <= o.n {
			hits[k].Add(1)
		}
		return http.StatusCreated, nil
	}
	if err := subscribe(ctx, s, ps, o); err != nil {
		return err
	}

	keys, err := alert.GenerateVAPIDKeys()
	if err != nil {
		return err
	}
	client := outbound.Guard{AllowPrivate: true}.Client(ps.RootCAs())
	// Counting the connections the sender opens shows whether HTTP/2
	// really lets the whole fan-out share a few.
	var dials atomic.Int64
	if tr, ok := client.Transport.(*http.Transport); ok {
		dial := tr.DialContext
		tr.DialContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
			dials.Add(1)
			return dial(ctx, network, addr)
		}
	}
	push, err := alert.NewWebPush(alert.WebPushConfig{Keys: keys, Subject: "mailto:desk@khabar.example", Client: client})
	if err != nil {
		return err
	}
	f := &alert.Fanout{Store: s, Push: push, Lang: func() string { return "ar" }, BatchSize: o.batch, Workers: o.workers, Owner: "fanoutbench"}
	a := &news.Alert{Title: "عاجل: مجلس الوزراء يعلن حزمة إجراءات اقتصادية جديدة",
		Text:    "أعلن مجلس الوزراء مساء اليوم حزمة من الإجراءات لدعم الأسعار وتثبيت سعر الصرف، تبدأ مطلع الشهر المقبل.",
		URL:     "https://khabar.example/news/1/حزمة-إجراءات",
		Urgency: string(alert.UrgencyHigh), Topic: alert.TopicBreaking, Channels: []string{alert.ChannelPush}}
	if err := s.CreateAlert(ctx, a); err != nil {
		return err
	}

	if o.profile != "" {
		out, err := os.Create(o.profile)
		if err != nil {
			return err
		}
		defer out.Close()
		if err := pprof.StartCPUProfile(out); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	var ru0 syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru0)
	start := time.Now()
	batches, err := f.Plan(ctx, a.ID)
	if err != nil {
		return err
	}
	planned := time.Since(start)
	err = parallel(len(batches), o.jobs, func(i int) error { return f.Deliver(ctx, batches[i].ID) })
	took := time.Since(start)
	if err != nil {
		return fmt.Errorf("fan-out: %w", err)
	}
	var ru1 syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru1)
	cpu := time.Duration(ru1.Utime.Nano() + ru1.Stime.Nano() - ru0.Utime.Nano() - ru0.Stime.Nano())
	fmt.Printf("fanout ms=%d plan_ms=%d batches=%d per_sec=%.0f cpu_ms=%d connections=%d\n", took.Milliseconds(), planned.Milliseconds(),
		len(batches), float64(o.n)/took.Seconds(), cpu.Milliseconds(), dials.Load())
	return verify(ctx, s, ps, a, hits, o.n)
}

// subscribe plays n browsers subscribing and stores their subscriptions
// as the API does (store.SavePushSubscription), o.insert at once.
func subscribe(ctx context.Context, s *store.Store, ps *alerttest.PushService, o options) error {
	start := time.Now()
	subs := make([]alert.Subscription, o.n)
	err := parallel(o.n, runtime.NumCPU(), func(i int) error {
		var err error
		subs[i], err = ps.Subscribe()
		return err
	})
	if err != nil {
		return err
	}
	keyed := time.Since(start)
	start = time.Now()
	err = parallel(o.n, o.insert, func(i int) error {
		p := &news.PushSubscription{Endpoint: subs[i].Endpoint, P256dh: subs[i].P256dh, Auth: subs[i].Auth, Topics: alert.TopicBreaking}
		return s.SavePushSubscription(ctx, p)
	})
	if err != nil {
		return err
	}
	stored := time.Since(start)
	fmt.Printf("setup keys_ms=%d insert_ms=%d insert_per_sec=%.0f (not counted)\n", keyed.Milliseconds(), stored.Milliseconds(),
		float64(o.n)/stored.Seconds())
	return nil
}

// parallel runs do(0…n-1) on `at` goroutines and returns the first error.
func parallel(n, at int, do func(i int) error) error {
	var (
		next  atomic.Int64
		wg    sync.WaitGroup
		once  sync.Once
		first error
	)
	for range at {
		wg.Go(func() {
			for i := int(next.Add(1) - 1); i < n; i = int(next.Add(1) - 1) {
				if err := do(i); err != nil {
					once.Do(func() { first = err })
					return
				}
			}
		})
	}
	wg.Wait()
	return first
}

// verify checks what the push service got against what the store says.
func verify(ctx context.Context, s *store.Store, ps *alerttest.PushService, a *news.Alert, hits []atomic.Int32, n int) error {
	once, twice, missing := 0, 0, 0
	for k := 1; k <= n; k++ {
		switch h := hits[k].Load(); {
		case h == 0:
			missing++
		case h == 1:
			once++
		default:
			twice++
		}
	}
	wrong := 0
	msgs := ps.Messages()
	for _, m := range msgs {
		var p struct{ Title, Dir, Lang string }
		if json.Unmarshal(m.Payload, &p) != nil || p.Title != a.Title || p.Dir != "rtl" || p.Lang != "ar" {
			wrong++
		}
	}
	problems := ps.Problems()
	fmt.Printf("service received=%d bytes=%d once=%d more_than_once=%d missing=%d decrypted=%d wrong_payload=%d refused=%d\n",
		ps.Received(), ps.Bytes(), once, twice, missing, len(msgs), wrong, len(problems))
	got, err := s.GetAlert(ctx, a.ID)
	if err != nil {
		return err
	}
	p := got.Progress[0]
	fmt.Printf("progress total=%d sent=%d failed=%d gone=%d pending=%d done=%t\n", p.Total, p.Sent, p.Failed, p.Gone, p.Pending(), p.Done)
	var errs []error
	if missing > 0 {
		errs = append(errs, fmt.Errorf("%d subscriptions got nothing", missing))
	}
	if wrong > 0 || len(problems) > 0 {
		errs = append(errs, fmt.Errorf("%d wrong payloads; the push service refused %d requests: %.3q", wrong, len(problems), problems))
	}
	if p.Total != n || p.Sent != n || p.Failed != 0 || p.Gone != 0 || !p.Done {
		errs = append(errs, fmt.Errorf("progress %+v, want %d sent and done", p, n))
	}
	return errors.Join(errs...)
}

// open makes a fresh, migrated store: SQLite in a temporary directory,
// or a new database on the PostgreSQL server of dbURL.
func open(ctx context.Context, dbURL string) (*store.Store, string, func(), error) {
	if dbURL == "" {
		dir, err := os.MkdirTemp("", "fanoutbench-")
		if err != nil {
			return nil, "", nil, err
		}
		s, err := store.OpenSQLite(dir)
		if err == nil {
			_, err = s.Migrate(ctx)
		}
		cleanup := func() {
			if s != nil {
				s.Close()
			}
			os.RemoveAll(dir)
		}
		if err != nil {
			cleanup()
			return nil, "", nil, err
		}
		return s, "sqlite", cleanup, nil
	}
	admin, err := store.OpenPostgres(ctx, dbURL)
	if err != nil {
		return nil, "", nil, err
	}
	b := make([]byte, 6)
	rand.Read(b)
	name := "fanoutbench_" + hex.EncodeToString(b)
	if _, err := admin.DB().ExecContext(ctx, "CREATE DATABASE "+name); err != nil {
		admin.Close()
		return nil, "", nil, fmt.Errorf("create database %s: %w", name, err)
	}
	drop := func() {
		// The run's context may be over by now.
		dctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		if _, err := admin.DB().ExecContext(dctx, "DROP DATABASE "+name+" WITH (FORCE)"); err != nil {
			fmt.Fprintf(os.Stderr, "fanoutbench: drop database %s: %v\n", name, err)
		}
		admin.Close()
	}
	u, err := url.Parse(dbURL)
	if err != nil {
		drop()
		return nil, "", nil, fmt.Errorf("parse -db: %w", err)
	}
	u.Path = "/" + name
	s, err := store.OpenPostgres(ctx, u.String())
	if err != nil {
		drop()
		return nil, "", nil, err
	}
	if _, err := s.Migrate(ctx); err != nil {
		s.Close()
		drop()
		return nil, "", nil, fmt.Errorf("migrate: %w", err)
	}
	return s, "postgres", func() { s.Close(); drop() }, nil
}

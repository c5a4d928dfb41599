package main

import (
	"context"
	"os"
	"testing"
	"time"

	"khabar/internal/storetest"
)

// TestRunSmall runs the whole benchmark on a few hundred subscriptions,
// over several batches, on SQLite and on PostgreSQL when it is set up.
func TestRunSmall(t *testing.T) {
	dbs := map[string]string{"sqlite": ""}
	if u := os.Getenv(storetest.EnvURL); u != "" {
		dbs["postgres"] = u
	}
	for name, db := range dbs {
		t.Run(name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
			defer cancel()
			o := options{n: 350, batch: 100, workers: 16, jobs: 2, insert: 4, sample: 7, db: db}
			if err := run(ctx, o); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func TestOptions(t *testing.T) {
	ok := options{n: 10, batch: 5, workers: 2, jobs: 1, insert: 1, sample: 1}
	for _, tc := range []struct {
		name  string
		tweak func(*options)
		valid bool
	}{
		{"defaults", func(*options) {}, true},
		{"postgres URL", func(o *options) { o.db = "postgres://u@127.0.0.1/x" }, true},
		{"no subscriptions", func(o *options) { o.n = 0 }, false},
		{"empty batches", func(o *options) { o.batch = 0 }, false},
		{"no workers", func(o *options) { o.workers = -1 }, false},
		{"no jobs", func(o *options) { o.jobs = 0 }, false},
		{"no sample", func(o *options) { o.sample = 0 }, false},
		{"not PostgreSQL", func(o *options) { o.db = "mysql://u@127.0.0.1/x" }, false},
		{"a file path", func(o *options) { o.db = "/tmp/khabar.db" }, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o := ok
			tc.tweak(&o)
			if err := o.check(); (err == nil) != tc.valid {
				t.Fatalf("check %+v: %v", o, err)
			}
		})
	}
}

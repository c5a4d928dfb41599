package main

import (
	"fmt"
	"os"
	"testing"
	"time"
)

// TestMain lets the test binary be the benchmark's server half too:
// startServer runs this very executable with -serve.
func TestMain(m *testing.M) {
	if len(os.Args) > 1 && os.Args[1] == "-serve" {
		if err := serve(""); err != nil {
			fmt.Fprintln(os.Stderr, "ssebench server:", err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

func TestRunSmall(t *testing.T) {
	o := options{n: 60, perIP: 20, rounds: 2, dials: 20, gap: 100 * time.Millisecond, wait: 20 * time.Second}
	if err := run(o, 2*time.Minute); err != nil {
		t.Fatal(err)
	}
}

func TestOptions(t *testing.T) {
	ok := options{n: 10, perIP: 10, rounds: 1, dials: 1}
	for _, tc := range []struct {
		name  string
		tweak func(*options)
		valid bool
	}{
		{"defaults", func(*options) {}, true},
		{"no readers", func(o *options) { o.n = 0 }, false},
		{"no rounds", func(o *options) { o.rounds = 0 }, false},
		{"no dials", func(o *options) { o.dials = 0 }, false},
		{"over the hub's limit per address", func(o *options) { o.perIP = 21 }, false},
		{"zero per address", func(o *options) { o.perIP = 0 }, false},
		{"more addresses than 127.10.0.0/16 holds", func(o *options) { o.n, o.perIP = 62_501, 1 }, false},
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

func TestLastRound(t *testing.T) {
	for _, tc := range []struct {
		data string
		want int
	}{
		{`[{"text":"خبر"}]`, -1},
		{`[{"text":"عاجل ssebench-r0"}]`, 0},
		{`[{"text":"ssebench-r3"},{"text":"ssebench-r12"},{"text":"ssebench-r4"}]`, 12},
		{`[{"text":"ssebench-r"}]`, -1},
		{`ssebench-r7`, 7},
	} {
		if got := lastRound([]byte(tc.data)); got != tc.want {
			t.Errorf("lastRound(%s) = %d, want %d", tc.data, got, tc.want)
		}
	}
}

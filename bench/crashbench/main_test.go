package main

import (
	"context"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"khabar/internal/app"
	"khabar/internal/storetest"
)

// envTest turns the short crash run on (CI sets it): it takes about half
// a minute a database, too long for every "go test ./...".
const envTest = "KHABAR_CRASH_TEST"

// envChild makes the test binary the khabar server: the crash run starts
// it as its child, so no separate build is needed.
const envChild = "KHABAR_CRASH_CHILD"

func TestMain(m *testing.M) {
	if os.Getenv(envChild) != "" {
		os.Exit(app.Main(context.Background(), os.Args[1:], app.IO{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr, Getenv: os.Getenv}))
	}
	os.Exit(m.Run())
}

// TestCrashShort is bench/crash.sh in small: a few articles and comments,
// a few alerts, five kill -9s and a backup while writing, on both
// databases; nothing acknowledged may be lost or stored twice, no alert
// lost, and the restored backup must serve what it held.
func TestCrashShort(t *testing.T) {
	if os.Getenv(envTest) == "" {
		t.Skipf("set %s=1 to run the short crash run", envTest)
	}
	bin, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv(envChild, "1")
	for _, tc := range []struct {
		name string
		// dbs are the database written and the one the backup taken
		// while writing is restored into.
		dbs func(t *testing.T) (string, string)
	}{
		{"sqlite", func(*testing.T) (string, string) { return "", "" }},
		{"postgres", func(t *testing.T) (string, string) {
			// The restore goes into another database, under the schema
			// the backup came from.
			u := storetest.PostgresURL(t)
			parsed, err := url.Parse(u)
			if err != nil {
				t.Fatal(err)
			}
			return u, storetest.FreshDatabase(t, parsed.Query().Get("search_path"))
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			db, restoreDB := tc.dbs(t)
			o := options{bin: bin, dbURL: db, restoreDB: restoreDB, data: t.TempDir(), articles: 10, notes: 20, commenters: 10,
				alertEvery: 3, kills: 5, fill: 3 * time.Second}
			if err := run(o); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// TestTally: the report's sums, for an article or comment stored 0, 1 or
// 2 times.
func TestTally(t *testing.T) {
	for _, tc := range []struct {
		stored []int
		want   tally
	}{
		{nil, tally{}},
		{[]int{1, 1}, tally{acked: 2, found: 2}},
		{[]int{0, 1}, tally{acked: 2, found: 1, lost: 1}},
		{[]int{2, 1, 0}, tally{acked: 3, found: 2, lost: 1, duplicated: 1}},
	} {
		var got tally
		for _, n := range tc.stored {
			got.add(n)
		}
		if got != tc.want {
			t.Errorf("stored %v: got %+v, want %+v", tc.stored, got, tc.want)
		}
	}
}

// TestHeadlinesDistinct: search tells the articles apart by their code
// words, so no two of a run's articles may share one.
func TestHeadlinesDistinct(t *testing.T) {
	seen := map[string]int{}
	for i := range 20000 {
		code := strings.Fields(headline(i))[3]
		if j, ok := seen[code]; ok {
			t.Fatalf("articles %d and %d share the code word %s", j, i, code)
		}
		seen[code] = i
	}
}

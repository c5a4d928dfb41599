// Command pageload loads a page of a running khabar in Chromium again and
// again, logged in to the newsroom, and prints the median time from
// navigation start to the end of the load event (document, stylesheets
// and scripts fetched, parsed and run, the page laid out; on the
// article editor, until its writing surface is ready), with the
// quickest and slowest load. Warm loads: the first one is not counted.
//
//	go run ./bench/pageload -base http://127.0.0.1:8080 -email admin@… -password … /admin/articles/21 /admin/articles/new
package main

import (
	"flag"
	"fmt"
	"log"
	"os"
	"slices"
	"time"

	"github.com/chromedp/chromedp"

	"khabar/bench/internal/session"
)

func main() {
	base := flag.String("base", "http://127.0.0.1:8080", "the site's address")
	email := flag.String("email", "", "newsroom account")
	password := flag.String("password", os.Getenv("KHABAR_PASSWORD"), "its password (or KHABAR_PASSWORD)")
	loads := flag.Int("loads", 15, "loads of each page")
	chromium := flag.String("chromium", "/usr/bin/chromium", "browser to drive")
	flag.Parse()
	if flag.NArg() == 0 || *email == "" {
		log.Fatal("usage: pageload -email E -password P path…")
	}
	tab, stop, err := session.Tab(*base, *email, *password, *chromium)
	if err != nil {
		log.Fatal(err)
	}
	defer stop()
	for _, path := range flag.Args() {
		var times []float64
		for i := 0; i <= *loads; i++ {
			if err := chromedp.Do(tab, chromedp.Navigate(*base+path)); err != nil {
				log.Fatalf("%s: %v", path, err)
			}
			// The editor page is ready to be written in when its writing
			// surface says so (the "writer-ready" mark), after the load.
			ms, err := chromedp.Run(tab, chromedp.Evaluate[float64](`new Promise(done => {
				const wait = () => {
					const n = performance.getEntriesByType("navigation")[0], w = performance.getEntriesByName("writer-ready")[0];
					n.loadEventEnd > 0 ? done(Math.max(n.loadEventEnd, w ? w.startTime : 0)) : setTimeout(wait, 20);
				};
				wait();
			})`, chromedp.EvalAwaitPromise))
			if err != nil {
				log.Fatalf("%s: %v", path, err)
			}
			if i > 0 {
				times = append(times, ms)
			}
			time.Sleep(50 * time.Millisecond) // let the load's tail settle between loads
		}
		slices.Sort(times)
		fmt.Printf("%s: median %.0f ms over %d loads (quickest %.0f, slowest %.0f)\n", path, times[len(times)/2], len(times), times[0], times[len(times)-1])
	}
}

// Command typing measures, in Chromium, how long each key typed in the
// newsroom's writing surface takes to reach the screen in a long article
// (issue 21: under 16 ms a keystroke on a 5,000-word article). Logged in
// to a running khabar, it stores a draft of about -words words (a
// heading every ten paragraphs of twenty words), opens it, puts the caret
// in its middle paragraph and types -keys Arabic letters as a keyboard
// sends them (one key event each, -gap apart, as a fast typist), then the
// same keys into a copy of the same text in a plain contenteditable on the
// same page (no ProseMirror, no scripts): the browser's own cost, the
// reference. For each key the Performance API measures from the keydown
// event's time stamp to the end of the task that handled it
// ("handled": ProseMirror's transaction and DOM update, the page's
// listeners) and to just after the next frame ("frame"). Every tenth key
// in the writer it also times a FormData of the form made right after the
// key, before the surface's pause: what an autosave or the browser's kept
// copy costs in the middle of typing.
//
//	go run ./bench/typing -base http://127.0.0.1:8080 -email admin@… -password … -rounds 3
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/cdproto/profiler"
	"github.com/chromedp/chromedp"

	"khabar/bench/internal/session"
)

func main() {
	base := flag.String("base", "http://127.0.0.1:8080", "the site's address")
	email := flag.String("email", "", "newsroom account (an editor or admin)")
	password := flag.String("password", os.Getenv("KHABAR_PASSWORD"), "its password (or KHABAR_PASSWORD)")
	words := flag.Int("words", 5000, "words in the article typed in")
	keys := flag.Int("keys", 100, "keys typed in each round, in each editor")
	rounds := flag.Int("rounds", 3, "rounds (the page reloaded for each)")
	gap := flag.Duration("gap", 100*time.Millisecond, "pause between keys, after the previous one's frame")
	chromium := flag.String("chromium", "/usr/bin/chromium", "browser to drive")
	profile := flag.String("profile", "", "write a CPU profile of the writer's first round here (.cpuprofile, for Chromium's DevTools)")
	flag.Parse()
	if *email == "" {
		log.Fatal("usage: typing -email E -password P [-words N -keys N -rounds N]")
	}
	tab, stop, err := session.Tab(*base, *email, *password, *chromium, chromedp.Flag("disable-gpu", true), chromedp.WindowSize(1366, 900))
	if err != nil {
		log.Fatal(err)
	}
	defer stop()
	path, err := longDraft(tab, *base, *words)
	if err != nil {
		log.Fatal(err)
	}
	got := map[string][]float64{}
	for r := 0; r < *rounds; r++ {
		if err := open(tab, *base+path); err != nil {
			log.Fatal(err)
		}
		for _, ed := range []string{"writer", "plain"} {
			if ed == "plain" {
				if err := eval(tab, plainCopy, nil); err != nil {
					log.Fatal(err)
				}
			}
			profiling := *profile != "" && r == 0 && ed == "writer"
			if profiling {
				if err := startProfile(tab); err != nil {
					log.Fatal(err)
				}
			}
			formEvery := 0
			if ed == "writer" {
				formEvery = 10
			}
			h, f, fd, err := typeKeys(tab, *keys, *gap, formEvery)
			if err != nil {
				log.Fatalf("%s: %v", ed, err)
			}
			if profiling {
				p, err := chromedp.Call(tab, profiler.Stop, cdp.Empty{})
				if err != nil {
					log.Fatal(err)
				}
				b, _ := json.Marshal(p)
				if err := os.WriteFile(*profile, b, 0o644); err != nil {
					log.Fatal(err)
				}
			}
			got[ed+" handled"] = append(got[ed+" handled"], h...)
			got[ed+" frame"] = append(got[ed+" frame"], f...)
			got["formdata"] = append(got["formdata"], fd...)
		}
	}
	fmt.Printf("%s (%d words): %d keys in each editor, %d rounds, %v apart\n", path, *words, *keys, *rounds, *gap)
	for _, m := range []string{"handled", "frame"} {
		w, p := stats(got["writer "+m]), stats(got["plain "+m])
		fmt.Printf("%-8s writer median %5.1f ms  p95 %5.1f  max %5.1f | plain contenteditable median %5.1f  p95 %5.1f  max %5.1f | writer/plain median %.2f\n",
			m, w[0], w[1], w[2], p[0], p[1], p[2], w[0]/p[0])
	}
	fd := stats(got["formdata"])
	fmt.Printf("FormData of the form while typing (an autosave's, the kept copy's): median %.1f ms, max %.1f, over %d\n", fd[0], fd[2], len(got["formdata"]))
}

// startProfile samples the page's JavaScript every 100 µs.
func startProfile(tab context.Context) error {
	if _, err := chromedp.Call(tab, profiler.Enable, cdp.Empty{}); err != nil {
		return err
	}
	if _, err := chromedp.Call(tab, profiler.SetSamplingInterval, profiler.SetSamplingIntervalParams{Interval: 100}); err != nil {
		return err
	}
	_, err := chromedp.Call(tab, profiler.Start, cdp.Empty{})
	return err
}

// stats is the median, 95th percentile and maximum.
func stats(v []float64) [3]float64 {
	slices.Sort(v)
	if len(v) == 0 {
		return [3]float64{}
	}
	return [3]float64{v[len(v)/2], v[len(v)*95/100], v[len(v)-1]}
}

func eval(tab context.Context, js string, out any) error {
	v, err := chromedp.Run(tab, chromedp.Evaluate[json.RawMessage](js, chromedp.EvalAwaitPromise))
	if err != nil || out == nil {
		return err
	}
	return json.Unmarshal(v, out)
}

// longDraft stores the long draft through the new-article form (posted
// from the page, with its draft key and first section) and returns its
// editor's path.
func longDraft(tab context.Context, base string, words int) (string, error) {
	if err := open(tab, base+"/admin/articles/new"); err != nil {
		return "", err
	}
	var path string
	err := eval(tab, fmt.Sprintf(`(async () => {
		const form = document.querySelector("form.article-form"), fd = new FormData(form);
		for (const k of [...fd.keys()]) if (k === "blocks" || /^b\d+_/.test(k)) fd.delete(k);
		const sentence = "أعلنت الحكومة اليوم خطة جديدة لدعم النقل العام في 12 مدينة أعلنت الحكومة اليوم خطة جديدة لدعم النقل العام في 12 مدينة";
		let n = 0;
		const add = (type, text, extra) => { fd.set("b" + n + "_type", type); fd.set("b" + n + "_text", text); fd.set("b" + n + "_pos", String(n + 1)); if (extra) fd.set("b" + n + "_level", "2"); n++; };
		for (let i = 0; i * 20 < %d; i++) {
			if (i %% 10 === 0) add("heading", "القسم " + (i / 10 + 1), true);
			add("paragraph", sentence);
		}
		fd.set("blocks", String(n));
		fd.set("headline", "مقال طويل لقياس سرعة الكتابة");
		fd.set("section", [...form.querySelector("select[name=section]").options].find(o => o.value).value);
		fd.set("action", "save");
		const r = await fetch(form.getAttribute("action"), { method: "POST", body: new URLSearchParams(fd) });
		if (!r.ok || !/\/admin\/articles\/\d+/.test(r.url)) throw new Error("saving the draft: " + r.status + " " + r.url);
		return new URL(r.url).pathname;
	})()`, words), &path)
	return path, err
}

// open loads the editor page and waits until its surface is ready.
func open(tab context.Context, u string) error {
	if err := chromedp.Do(tab, chromedp.Navigate(u)); err != nil {
		return err
	}
	return eval(tab, `new Promise(done => { const w = () => performance.getEntriesByName("writer-ready").length ? done(true) : setTimeout(w, 20); w(); })`, nil)
}

// plainCopy hides the writing surface and puts in its place a copy of its
// text in a plain contenteditable, outside the form, focused the same way.
const plainCopy = `(() => {
	const ed = document.querySelector(".w-text"), copy = ed.cloneNode(true);
	copy.className = "w-text";
	copy.removeAttribute("aria-describedby");
	document.querySelector("form.article-form").before(copy);
	ed.closest("#writer").hidden = true;
	return true;
})()`

// typeKeys puts the caret at the end of the middle paragraph of the
// visible editable, installs the measures and types n keys, each after
// the previous one's frame and a gap. Every formEvery keys (if not 0) it
// also times a FormData of the article's form made just after the key,
// as an autosave during typing makes one.
func typeKeys(tab context.Context, n int, gap time.Duration, formEvery int) (handled, frame, form []float64, err error) {
	err = eval(tab, `(() => {
		const ed = [...document.querySelectorAll("[contenteditable=true]")].find(e => e.offsetParent), ps = ed.querySelectorAll(":scope > p");
		const mid = ps[Math.floor(ps.length / 2)];
		ed.focus();
		const r = document.createRange(); r.selectNodeContents(mid); r.collapse(false);
		getSelection().removeAllRanges(); getSelection().addRange(r);
		mid.scrollIntoView({ block: "center" });
		performance.clearMeasures();
		window.keysSeen = 0;
		window.keyFrame = null;
		if (!window.measuring) {
			window.measuring = true;
			addEventListener("keydown", e => {
				const t0 = e.timeStamp, k = ++window.keysSeen;
				setTimeout(() => performance.measure("handled", { start: t0, end: performance.now() }), 0);
				requestAnimationFrame(() => setTimeout(() => {
					performance.measure("frame", { start: t0, end: performance.now() });
					if (window.keyFrame && window.keyFrame.k === k) window.keyFrame.done();
				}, 0));
			}, true);
		}
		return true;
	})()`, nil)
	if err != nil {
		return nil, nil, nil, err
	}
	time.Sleep(700 * time.Millisecond) // the surface takes the caret on selectionchange
	for i := 1; i <= n; i++ {
		err := chromedp.Do(tab, chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			if err := eval(ctx, fmt.Sprintf(`(window.keyDone = new Promise(done => { window.keyFrame = { k: %d, done: () => done(true) }; }), true)`, i), nil); err != nil {
				return err
			}
			k := input.DispatchKeyEventParams{Type: input.DispatchKeyEventTypeKeyDown, Key: "س", Text: "س", UnmodifiedText: "س"}
			if _, err := cdp.Call(ctx, tg, input.DispatchKeyEvent, k); err != nil {
				return err
			}
			k = input.DispatchKeyEventParams{Type: input.DispatchKeyEventTypeKeyUp, Key: "س"}
			if _, err := cdp.Call(ctx, tg, input.DispatchKeyEvent, k); err != nil {
				return err
			}
			ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
			defer cancel()
			return eval(ctx, `window.keyDone`, nil)
		}))
		if err != nil {
			return nil, nil, nil, fmt.Errorf("key %d: %w", i, err)
		}
		if formEvery > 0 && i%formEvery == 0 {
			var ms float64
			if err := eval(tab, `(() => { const t0 = performance.now(); new FormData(document.querySelector("form.article-form")); return performance.now() - t0; })()`, &ms); err != nil {
				return nil, nil, nil, err
			}
			form = append(form, ms)
		}
		time.Sleep(gap)
	}
	var m struct{ Handled, Frame []float64 }
	err = eval(tab, `({ handled: performance.getEntriesByName("handled").map(m => m.duration), frame: performance.getEntriesByName("frame").map(m => m.duration) })`, &m)
	if err == nil && !strings.Contains(evalString(tab, `document.activeElement.textContent`), strings.Repeat("س", n)) {
		err = fmt.Errorf("the keys did not all reach the text")
	}
	return m.Handled, m.Frame, form, err
}

func evalString(tab context.Context, js string) string {
	var s string
	if err := eval(tab, js, &s); err != nil {
		return ""
	}
	return s
}

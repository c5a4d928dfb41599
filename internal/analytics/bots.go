package analytics

import (
	"net/http"
	"strings"
)

// botWords are pieces of the User-Agent of crawlers, link previewers,
// monitors, scripts and headless browsers, none of them a reader,
// lowercase, by their first letter: Crawler looks for all of them in
// one pass over the User-Agent without copying it. Crawlers that name no
// word here mostly give a contact URL, hence "http": no browser's
// User-Agent holds one.
var botWords = func() (by [256][]string) {
	for _, w := range []string{
		"bot", "crawl", "spider", "slurp", "scrapy", "archiver", "http", "headless", "phantomjs", "lighthouse", "pagespeed", "gtmetrix",
		"pingdom", "uptimerobot", "preview", "facebookexternalhit", "whatsapp", "embedly", "mediapartners", "inspectiontool",
		"read-aloud", "feed", "curl/", "wget/", "python", "java/", "libwww", "okhttp", "axios/", "node-fetch", "undici", "wordpress/",
		"khabar-",
	} {
		by[w[0]] = append(by[w[0]], w)
	}
	return by
}()

// Crawler tells whether a User-Agent is no reader's: a known crawler, a
// link previewer, a headless browser, a script, or none of a browser.
// The flusher asks it, off the page's path (Count only drops what is
// plainly not a browser).
func Crawler(ua string) bool {
	if !browser(ua) {
		return true
	}
	for i := 0; i < len(ua); i++ {
		for _, w := range botWords[lower(ua[i])] {
			if len(ua)-i >= len(w) && foldEqual(ua[i:i+len(w)], w) {
				return true
			}
		}
	}
	return false
}

// browser tells whether ua starts as every browser's does.
func browser(ua string) bool {
	return strings.HasPrefix(ua, "Mozilla/") || strings.HasPrefix(ua, "Opera/")
}

func lower(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

// foldEqual compares s with the lowercase w, ignoring ASCII case.
func foldEqual(s, w string) bool {
	for i := 0; i < len(w); i++ {
		if lower(s[i]) != w[i] {
			return false
		}
	}
	return true
}

// Prefetch tells a speculative load (a link prefetch, a prerender) from a
// page a reader opened: Chrome sends Sec-Purpose, older browsers Purpose
// or X-Moz. A prerendered page the reader goes on to see is counted by
// its beacon, which waits for it to be shown.
func Prefetch(h http.Header) bool {
	for _, name := range []string{"Sec-Purpose", "Purpose", "X-Moz", "X-Purpose"} {
		if v := header(h, name); strings.Contains(v, "prefetch") || strings.Contains(v, "preview") || strings.Contains(v, "prerender") {
			return true
		}
	}
	return false
}

// OptedOut tells whether the reader asked not to be tracked: Do Not
// Track or Global Privacy Control.
func OptedOut(h http.Header) bool {
	return header(h, "Dnt") == "1" || header(h, "Sec-Gpc") == "1"
}

// header is h.Get(key) for a key already in canonical form, as the
// server stores what it reads: without Get's canonicalising, which was
// half of counting's cost.
func header(h http.Header, key string) string {
	if v := h[key]; len(v) > 0 {
		return v[0]
	}
	return ""
}

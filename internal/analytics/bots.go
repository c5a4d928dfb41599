package analytics

import (
	"net/http"
	"strings"
)

// botMarks are pieces of the User-Agent of crawlers, link previewers,
// monitors, scripts and headless browsers, none of them a reader. Matched
// case-sensitively as they are sent: a lowercased copy of every User-Agent
// would cost the page an allocation.
var botMarks = []string{
	"bot", "Bot", "BOT", "crawl", "Crawl", "spider", "Spider", "slurp", "Slurp",
	"Headless", "headless", "PhantomJS", "Lighthouse", "PageSpeed", "GTmetrix", "Pingdom", "UptimeRobot",
	"facebookexternalhit", "Facebot", "WhatsApp", "TelegramBot", "Twitterbot", "Discordbot", "Slackbot", "LinkedInBot", "Embedly",
	"Google-InspectionTool", "Google-Read-Aloud", "Mediapartners-Google", "APIs-Google", "FeedFetcher", "Feedly", "feed", "Feed",
	"curl/", "Wget/", "wget/", "python-", "Python-", "Go-http-client", "okhttp", "Java/", "libwww", "HTTrack", "axios/", "node-fetch", "undici",
	"Scrapy", "scrapy", "WordPress/", "Apache-HttpClient", "wrk", "khabar-", "http.rb",
}

// Bot tells whether a request is not a reader looking at a page: a
// known crawler, a headless browser, a script, a request without a
// browser's User-Agent, or a prefetch the reader may never look at.
func Bot(r *http.Request) bool {
	ua := r.Header.Get("User-Agent")
	if !strings.HasPrefix(ua, "Mozilla/") && !strings.HasPrefix(ua, "Opera/") {
		return true
	}
	for _, m := range botMarks {
		if strings.Contains(ua, m) {
			return true
		}
	}
	return Prefetch(r.Header)
}

// Prefetch tells a speculative load (a link prefetch, a prerender) from a
// page a reader opened: Chrome sends Sec-Purpose, older browsers Purpose
// or X-Moz. A prerendered page the reader goes on to see is counted by
// its beacon, which waits for it to be shown.
func Prefetch(h http.Header) bool {
	for _, name := range []string{"Sec-Purpose", "Purpose", "X-Moz", "X-Purpose"} {
		if v := h.Get(name); strings.Contains(v, "prefetch") || strings.Contains(v, "preview") || strings.Contains(v, "prerender") {
			return true
		}
	}
	return false
}

// OptedOut tells whether the reader asked not to be tracked: Do Not
// Track or Global Privacy Control.
func OptedOut(h http.Header) bool {
	return h.Get("Dnt") == "1" || h.Get("Sec-Gpc") == "1"
}

package analytics

import (
	"net/url"
	"strings"
)

// Referrer groups: where readers come from, as an Arabic newsroom asks
// it. A referrer is kept only as its group.
const (
	Direct     = "direct"
	Internal   = "internal" // another page of the site
	WhatsApp   = "whatsapp"
	Telegram   = "telegram"
	Facebook   = "facebook"
	X          = "x"
	Google     = "google"      // Google Search
	GoogleNews = "google-news" // Google News and Discover
	Other      = "other"
)

// apps are the Android apps whose android-app:// referrers name them.
var apps = map[string]string{
	"com.whatsapp": WhatsApp, "com.whatsapp.w4b": WhatsApp,
	"org.telegram.messenger": Telegram, "org.telegram.messenger.web": Telegram, "org.thunderdog.challegram": Telegram,
	"com.facebook.katana": Facebook, "com.facebook.orca": Facebook, "com.facebook.lite": Facebook, "com.facebook.mlite": Facebook,
	"com.twitter.android": X,
	// The Google app is where Discover lives; its searches arrive from
	// www.google.com instead.
	"com.google.android.googlequicksearchbox": GoogleNews, "com.google.android.apps.magazines": GoogleNews,
}

// Group sorts a Referer (or document.referrer) into its group; host is
// the site's own host, whose pages are Internal.
func Group(ref, host string) string {
	if ref == "" {
		return Direct
	}
	u, err := url.Parse(ref)
	if err != nil {
		return Other
	}
	if u.Scheme == "android-app" {
		if g, ok := apps[strings.ToLower(u.Host)]; ok {
			return g
		}
		return Other
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return Other
	}
	h := strings.TrimSuffix(strings.ToLower(u.Hostname()), ".")
	if h == "" {
		return Direct
	}
	if host != "" && (h == host || h == "www."+host || "www."+h == host) {
		return Internal
	}
	switch {
	case is(h, "whatsapp.com", "whatsapp.net", "wa.me"):
		return WhatsApp
	case is(h, "t.me", "telegram.org", "telegram.me"):
		return Telegram
	case is(h, "facebook.com", "fb.com", "fb.me", "messenger.com"):
		return Facebook
	case is(h, "t.co", "x.com", "twitter.com"):
		return X
	case is(h, "news.google.com", "discover.google.com"):
		return GoogleNews
	case googleHost(h):
		return Google
	}
	return Other
}

// is tells whether host is one of domains or under one.
func is(host string, domains ...string) bool {
	for _, d := range domains {
		if host == d || strings.HasSuffix(host, "."+d) {
			return true
		}
	}
	return false
}

// googleHost is www.google.<tld> or google.<tld>, for every country
// (google.com.sa, google.ae, google.co.uk…).
func googleHost(h string) bool {
	h = strings.TrimPrefix(h, "www.")
	rest, ok := strings.CutPrefix(h, "google.")
	if !ok || rest == "" {
		return false
	}
	for _, label := range strings.Split(rest, ".") {
		if len(label) < 2 || len(label) > 3 {
			return false
		}
	}
	return true
}

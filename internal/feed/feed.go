// Package feed encodes published articles as syndication feeds: RSS 2.0,
// Atom 1.0 and JSON Feed 1.1. It is pure: it knows nothing of HTTP, the
// database or how URLs are built; the caller resolves everything into a
// Channel and Items and gets bytes on an io.Writer.
//
// All three encoders share these rules:
//   - every text field goes through xmlSafe (also for JSON, so that the three
//     formats carry exactly the same text): characters XML 1.0 forbids are
//     dropped and invalid UTF-8 becomes U+FFFD;
//   - XML is written with encoding/xml, so escaping is its business;
//   - output is direction-neutral: no dir attributes and no added bidi
//     marks; marks already in the text (U+200F, U+202B, …) are kept;
//   - times keep the zone they carry, except time.Local, which becomes UTC
//     so output does not depend on the machine;
//   - items are written in the order given, so output is deterministic.
package feed

import (
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"khabar/internal/news"
)

// Channel describes the feed as a whole.
type Channel struct {
	Title       string    // e.g. "خبر – سياسة"
	Description string    // subtitle
	Language    string    // BCP 47, "ar"
	SiteURL     string    // absolute URL of the HTML page the feed mirrors
	FeedURL     string    // absolute URL of this feed document (self link)
	Updated     time.Time // newest item's time; zero means "newest item in the list"
	Hubs        []string  // WebSub hubs, may be empty
}

// Item is one article, with everything resolved by the caller.
type Item struct {
	Article     *news.Article
	URL         string // absolute canonical URL
	HTML        string // full body as sanitised HTML (already safe)
	ImageURL    string // absolute, optional (featured image)
	ImageType   string // MIME, optional
	ImageWidth  int
	ImageHeight int
}

// ErrNoArticle is returned when an Item has no Article.
var ErrNoArticle = errors.New("feed: item without article")

// xmlSafe returns s as text every XML 1.0 parser accepts. Runs of invalid
// UTF-8 become one U+FFFD; UTF-8-encoded surrogates (which Go treats as
// invalid) are dropped, as are the characters outside XML 1.0's Char
// production: C0 controls other than tab, newline and carriage return, and
// U+FFFE/U+FFFF. Everything else — Arabic, emoji, bidi marks such as U+200F
// and U+202B, C1 controls (allowed by XML 1.0) — passes unchanged.
func xmlSafe(s string) string {
	if isXMLSafe(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	invalid := false // previous byte was invalid UTF-8 already replaced
	for i := 0; i < len(s); {
		if isEncodedSurrogate(s[i:]) {
			i += 3
			invalid = false
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			if !invalid {
				b.WriteRune(utf8.RuneError)
			}
			invalid = true
			i++
			continue
		}
		invalid = false
		if xmlChar(r) {
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	return b.String()
}

// isXMLSafe is xmlSafe's fast path: true when s needs no change.
func isXMLSafe(s string) bool {
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c < 0x20 && c != '\t' && c != '\n' && c != '\r' {
				return false
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if (r == utf8.RuneError && size == 1) || !xmlChar(r) {
			return false
		}
		i += size
	}
	return true
}

// isEncodedSurrogate reports whether s starts with the 3-byte (CESU-8/WTF-8)
// encoding of a UTF-16 surrogate, U+D800–U+DFFF.
func isEncodedSurrogate(s string) bool {
	return len(s) >= 3 && s[0] == 0xED && s[1] >= 0xA0 && s[1] <= 0xBF && s[2]&0xC0 == 0x80
}

// xmlChar is XML 1.0's Char production.
func xmlChar(r rune) bool {
	switch {
	case r == '\t' || r == '\n' || r == '\r':
		return true
	case r >= 0x20 && r <= 0xD7FF:
		return true
	case r >= 0xE000 && r <= 0xFFFD:
		return true
	case r >= 0x10000 && r <= utf8.MaxRune:
		return true
	}
	return false
}

// feedTime is t as the feeds show it: its own zone, but UTC for time.Local.
func feedTime(t time.Time) time.Time {
	if t.Location() == time.Local {
		return t.UTC()
	}
	return t
}

func rfc3339(t time.Time) string { return feedTime(t).Format(time.RFC3339) }

func rfc3339OrEmpty(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return rfc3339(t)
}

// entry is the format-independent view of an Item that the encoders share.
type entry struct {
	url        string
	title      string
	summary    string
	html       string
	language   string
	published  time.Time
	updated    time.Time
	authors    []string
	categories []string // section first, then tags; no duplicates
	image      string
	imageType  string
	imageW     int
	imageH     int
}

func newEntry(it Item) (entry, error) {
	a := it.Article
	if a == nil {
		return entry{}, ErrNoArticle
	}
	e := entry{
		url:       xmlSafe(it.URL),
		title:     xmlSafe(a.Headline),
		summary:   xmlSafe(summary(a)),
		html:      xmlSafe(it.HTML),
		language:  xmlSafe(a.Language),
		published: a.PublishedAt,
		updated:   a.UpdatedAt,
		image:     xmlSafe(it.ImageURL),
		imageType: xmlSafe(it.ImageType),
		imageW:    it.ImageWidth,
		imageH:    it.ImageHeight,
	}
	if e.published.IsZero() {
		e.published = e.updated
	}
	if e.updated.IsZero() || e.updated.Before(e.published) {
		e.updated = e.published
	}
	for _, au := range a.Authors {
		if n := xmlSafe(strings.TrimSpace(au.Name)); n != "" {
			e.authors = append(e.authors, n)
		}
	}
	seen := map[string]bool{}
	addCat := func(name string) {
		name = xmlSafe(strings.TrimSpace(name))
		if name != "" && !seen[name] {
			seen[name] = true
			e.categories = append(e.categories, name)
		}
	}
	if a.Section != nil {
		addCat(a.Section.Name)
	}
	for _, t := range a.Tags {
		addCat(t.Name)
	}
	return e, nil
}

func newEntries(items []Item) ([]entry, error) {
	es := make([]entry, 0, len(items))
	for i, it := range items {
		e, err := newEntry(it)
		if err != nil {
			return nil, fmt.Errorf("item %d: %w", i, err)
		}
		es = append(es, e)
	}
	return es, nil
}

// summary is the article's short description: the lead, else the SEO
// description, else the first block with readable text.
func summary(a *news.Article) string {
	if s := strings.TrimSpace(a.Lead); s != "" {
		return s
	}
	if s := strings.TrimSpace(a.SEODescription); s != "" {
		return s
	}
	for i := range a.Body {
		if s := strings.TrimSpace(a.Body[i].PlainText()); s != "" {
			return s
		}
	}
	return ""
}

// channelUpdated is c.Updated, else the newest entry time, else the Unix
// epoch (Atom requires some date even for an empty feed).
func channelUpdated(c Channel, es []entry) time.Time {
	if !c.Updated.IsZero() {
		return c.Updated
	}
	var t time.Time
	for _, e := range es {
		if e.updated.After(t) {
			t = e.updated
		}
	}
	if t.IsZero() {
		return time.Unix(0, 0).UTC()
	}
	return t
}

func safeAll(ss []string) []string {
	var out []string
	for _, s := range ss {
		if s = xmlSafe(strings.TrimSpace(s)); s != "" {
			out = append(out, s)
		}
	}
	return out
}

package news

import (
	"time"
	"unicode/utf8"
)

// Section is a desk of the outlet (politics, economy, …); every article
// belongs to exactly one.
type Section struct {
	ID       int64
	Slug     string
	Name     string
	Position int
	// CommentsMode, when set, is the default of the section's articles.
	CommentsMode CommentsMode
}

// Tag is a topic that cuts across sections.
type Tag struct {
	ID   int64
	Slug string
	Name string
}

// Author is a byline. It may belong to a newsroom account or stand alone
// (a correspondent, an agency).
type Author struct {
	ID     int64
	Slug   string
	Name   string
	Bio    string
	UserID int64 // 0 when the author has no account
}

// Media is an uploaded or generated file, usually an image.
type Media struct {
	ID        int64
	Path      string // file name under the media store, e.g. "2026/11/abc.svg"
	MIME      string
	Width     int
	Height    int
	Alt       string
	Caption   string
	Credit    string
	CreatedAt time.Time
	// Variants are crops of the image by aspect ratio ("16x9", "4x3",
	// "1x1"); empty when only the original exists.
	Variants map[string]MediaVariant
	// SHA256 is the digest of an uploaded file, so the same photo uploaded
	// twice is one record; empty for files that were not uploaded.
	SHA256 string
	Bytes  int64
	// Frames is more than 1 for an animated GIF, whose resized copies
	// would be stills: pages show its original.
	Frames int
	// Sizes are the image at several widths, in WebP and a fallback
	// format, for srcset; made in the background after an upload.
	Sizes      []MediaSize
	SizesState SizesState
}

// SizesState is how far the making of a media item's Sizes has come.
type SizesState string

const (
	SizesNone    SizesState = ""        // none to make: a vector, an animation, or not an upload
	SizesPending SizesState = "pending" // waiting for the background worker
	SizesReady   SizesState = "ready"
	SizesFailed  SizesState = "failed" // pages keep the original
)

// MediaSize is one resized copy of an image, for srcset.
type MediaSize struct {
	Path   string `json:"path"`
	Width  int    `json:"width"`
	Height int    `json:"height"`
	Format string `json:"format"` // jpeg, png, gif or webp
	Bytes  int64  `json:"bytes"`
}

// MediaVariant is one stored crop of an image.
type MediaVariant struct {
	Path   string `json:"path"`
	Width  int    `json:"width"`
	Height int    `json:"height"`
}

// TickerItem is a line in the breaking-news ticker.
type TickerItem struct {
	ID        int64
	Text      string
	URL       string // optional link, site-relative or absolute
	ExpiresAt time.Time
	// ArticleID is the article the line was sent from; 0 for a line
	// written by hand.
	ArticleID int64
	CreatedAt time.Time
}

// MaxTickerText keeps ticker lines to what fits on a phone in one glance.
const MaxTickerText = 200

// Normalize cleans and validates a ticker item.
func (t *TickerItem) Normalize() error {
	t.Text = CleanLine(t.Text)
	t.URL = CleanLine(t.URL)
	var v Invalid
	if t.Text == "" {
		v.Add("text", "required")
	}
	v.maxLen("text", t.Text, MaxTickerText)
	if t.URL != "" && !SafeLink(t.URL) {
		v.Add("url", "bad_url")
	}
	return v.Err()
}

// TickerLineFor is article a's line for the ticker, linking to url: its
// headline, cut at a word when it would not fit.
func TickerLineFor(a *Article, url string) *TickerItem {
	text := CleanLine(a.Headline)
	if utf8.RuneCountInString(text) > MaxTickerText {
		text = Excerpt(text, MaxTickerText-1) // and its "…"
	}
	return &TickerItem{Text: text, URL: url, ArticleID: a.ID}
}

// Active reports whether the item should show at time now.
func (t *TickerItem) Active(now time.Time) bool {
	return t.ExpiresAt.IsZero() || now.Before(t.ExpiresAt)
}

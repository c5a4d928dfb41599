package news

import (
	"fmt"
	"net/mail"
	"net/url"
	"strings"
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
	// Description introduces the section's page and is its meta
	// description.
	Description string
	// ParentID nests the section under a top-level one (0: top level);
	// one level only, as the navigation and breadcrumbs show it.
	ParentID int64
	Hidden   bool // left out of the navigation; its page still answers
	Archived bool // takes no new articles; its articles keep working
}

// Section limits, in characters: names are in every page's navigation.
const (
	MaxSectionName        = 60
	MaxSectionDescription = 300
)

// Normalize tidies what an editor typed and checks it: a name, a slug
// made of letters or digits (the name's when none is given), a short
// description, and no parent of its own.
func (s *Section) Normalize() error {
	var v Invalid
	s.Name = CleanName(s.Name)
	switch {
	case s.Name == "":
		v.Add("name", "required")
	case utf8.RuneCountInString(s.Name) > MaxSectionName:
		v.Add("name", "too_long")
	}
	if s.Slug = editedSlug(s.Slug, s.Name); s.Slug == "" && s.Name != "" {
		v.Add("slug", "bad_slug")
	}
	if s.Description = CleanLine(s.Description); utf8.RuneCountInString(s.Description) > MaxSectionDescription {
		v.Add("description", "too_long")
	}
	if s.ParentID != 0 && s.ParentID == s.ID {
		v.Add("parent", "bad_parent")
	}
	return v.Err()
}

// SectionByID finds a section in a list (nil: none).
func SectionByID(list []Section, id int64) *Section {
	for i := range list {
		if list[i].ID == id {
			return &list[i]
		}
	}
	return nil
}

// Trail is a section's breadcrumb trail: its parent (found in list), if
// it has one, then itself.
func Trail(list []Section, s Section) []Section {
	if p := SectionByID(list, s.ParentID); p != nil {
		return []Section{*p, s}
	}
	return []Section{s}
}

// Navigation is the header's menu: the top-level sections, in their
// order, without hidden or archived ones.
func Navigation(list []Section) []Section {
	var out []Section
	for _, s := range list {
		if s.ParentID == 0 && !s.Hidden && !s.Archived {
			out = append(out, s)
		}
	}
	return out
}

// Assignable lists the sections an article now in section current may be
// put in: every one not archived, and current even if it is.
func Assignable(list []Section, current int64) []Section {
	var out []Section
	for _, s := range list {
		if !s.Archived || s.ID == current {
			out = append(out, s)
		}
	}
	return out
}

// InUseError refuses to delete a section that still has articles, with
// how many.
type InUseError struct{ Articles int }

func (e *InUseError) Error() string { return fmt.Sprintf("the section has %d articles", e.Articles) }

// Kind makes it a conflict.
func (e *InUseError) Kind() Kind { return KindConflict }

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

	// The profile the author page shows.
	NameLatin string // the name in Latin letters, for agencies and search engines
	JobTitle  string
	PhotoID   int64 // a media library image; 0 for none
	Email     string
	// Links to the author elsewhere: https URLs, "" when none.
	X, Facebook, Telegram, Website string
}

// Author limits, in characters.
const (
	MaxAuthorName = 120
	MaxAuthorBio  = 1000
)

// Normalize tidies and checks a profile as an editor typed it: a name,
// a slug (the Latin name's, else the name's, when none is given), short
// lines, a well-formed e-mail, and https links.
func (a *Author) Normalize() error {
	var v Invalid
	a.Name, a.NameLatin, a.JobTitle = CleanName(a.Name), CleanName(a.NameLatin), CleanLine(a.JobTitle)
	a.Bio, a.Email = CleanLine(a.Bio), strings.ToLower(CleanLine(a.Email))
	switch {
	case a.Name == "":
		v.Add("name", "required")
	case utf8.RuneCountInString(a.Name) > MaxAuthorName:
		v.Add("name", "too_long")
	}
	for field, s := range map[string]string{"name_latin": a.NameLatin, "job_title": a.JobTitle} {
		if utf8.RuneCountInString(s) > MaxAuthorName {
			v.Add(field, "too_long")
		}
	}
	if utf8.RuneCountInString(a.Bio) > MaxAuthorBio {
		v.Add("bio", "too_long")
	}
	if a.Slug = Slugify(CleanLine(a.Slug)); a.Slug == "" {
		if a.Slug = Slugify(a.NameLatin); a.Slug == "" {
			a.Slug = Slugify(a.Name)
		}
	}
	if a.Slug == "" && a.Name != "" {
		v.Add("slug", "bad_slug")
	}
	if a.Email != "" {
		if m, err := mail.ParseAddress(a.Email); err != nil || m.Address != a.Email || len(a.Email) > 254 {
			v.Add("email", "bad_email")
		}
	}
	for field, link := range map[string]*string{"x": &a.X, "facebook": &a.Facebook, "telegram": &a.Telegram, "website": &a.Website} {
		if *link = CleanLine(*link); *link != "" && !httpsLink(*link) {
			v.Add(field, "bad_url")
		}
	}
	return v.Err()
}

// SameAs are the author's links, for Person JSON-LD.
func (a *Author) SameAs() []string {
	var out []string
	for _, l := range []string{a.X, a.Facebook, a.Telegram, a.Website} {
		if l != "" {
			out = append(out, l)
		}
	}
	return out
}

// httpsLink reports whether s is an absolute https URL without
// credentials, short enough for a profile.
func httpsLink(s string) bool {
	u, err := url.Parse(s)
	return err == nil && u.Scheme == "https" && u.Host != "" && u.User == nil && len(s) <= 300
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

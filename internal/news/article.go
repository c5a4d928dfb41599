// Package news is Khabar's domain: articles and their blocks, sections,
// tags, authors, media, ticker items, and the editorial states an article
// moves through. It knows nothing of HTTP or SQL.
package news

import (
	"strings"
	"time"
	"unicode/utf8"
)

// Status is an article's place in the editorial workflow.
type Status string

const (
	StatusDraft       Status = "draft"
	StatusReview      Status = "review"
	StatusScheduled   Status = "scheduled"
	StatusPublished   Status = "published"
	StatusUnpublished Status = "unpublished"
)

// Valid reports whether s is one of the known states.
func (s Status) Valid() bool {
	switch s {
	case StatusDraft, StatusReview, StatusScheduled, StatusPublished, StatusUnpublished:
		return true
	}
	return false
}

// CommentsMode says how reader comments behave on an article.
type CommentsMode string

const (
	CommentsDefault CommentsMode = ""    // inherit from section and site
	CommentsPre     CommentsMode = "pre" // held for moderation
	CommentsPost    CommentsMode = "post"
	CommentsClosed  CommentsMode = "closed"
)

// Valid reports whether m is a known mode.
func (m CommentsMode) Valid() bool {
	switch m {
	case CommentsDefault, CommentsPre, CommentsPost, CommentsClosed:
		return true
	}
	return false
}

// Limits on what editors may enter; they keep pages, feeds and push
// payloads within sane sizes and refuse garbage early.
const (
	MaxHeadline    = 300
	MaxKicker      = 80
	MaxLead        = 1000
	MaxSlug        = 200
	MaxBlocks      = 500
	MaxBlockText   = 20000
	MaxSEOTitle    = 200
	MaxSEODesc     = 400
	MaxSource      = 200
	MaxTags        = 30
	MaxAuthors     = 10
	wordsPerMinute = 200
)

// Article is a piece of journalism as structured data.
type Article struct {
	ID        int64
	Slug      string
	Kicker    string
	Headline  string
	Lead      string
	Body      []Block
	SectionID int64
	Section   *Section // filled when read for display
	Tags      []Tag
	Authors   []Author
	Source    string // credit line, e.g. a news agency
	Language  string // BCP 47, "ar" by default
	Status    Status
	Breaking  bool
	// Pinned leads the home page, the newest pinned first, until the desk
	// unpins it (WordPress calls it sticky).
	Pinned         bool
	Live           bool
	CommentsMode   CommentsMode
	SEOTitle       string
	SEODescription string
	FeaturedID     int64  // media id, 0 when none
	Featured       *Media // filled when read for display
	PublishedAt    time.Time
	UpdatedAt      time.Time
	CreatedAt      time.Time
	Version        int64
	// ExternalID is the article's id in the system it was imported from.
	ExternalID string
	// DraftKey, set on creation by the newsroom page that made the
	// article, makes a repeated first save find it (store.DraftByKey).
	DraftKey string
	// CommentCount is the number of approved comments readers see.
	CommentCount int

	// The editorial workflow: when a scheduled article goes live, when a
	// live one is withdrawn (zero: not planned), the editor's note on a
	// request for changes, who created the article (0: an import or the
	// system), whether a staged update waits to be published, and when
	// anyone last saved it (UpdatedAt is what readers see).
	PublishAt   time.Time
	UnpublishAt time.Time
	ReviewNote  string
	CreatedBy   int64
	HasStaged   bool
	EditedAt    time.Time
	// Embargo is the agency's embargo on the wire the article was made
	// from (zero: none): the workflow publishes nothing before it. The
	// store fills it for workflow steps; pages do not read it.
	Embargo time.Time
}

// Dir is the writing direction of the article's language.
func (a *Article) Dir() string {
	switch a.Language {
	case "ar", "fa", "ur", "he", "ku", "ckb", "":
		return "rtl"
	}
	return "ltr"
}

// WordCount counts the words a reader reads: lead and text blocks.
func (a *Article) WordCount() int {
	n := len(strings.Fields(a.Lead))
	for _, b := range a.Body {
		n += len(strings.Fields(b.PlainText()))
	}
	return n
}

// ReadingMinutes is the rounded-up reading time, at least one minute.
func (a *Article) ReadingMinutes() int {
	m := (a.WordCount() + wordsPerMinute - 1) / wordsPerMinute
	if m < 1 {
		return 1
	}
	return m
}

// IsPublic reports whether readers may see the article now.
func (a *Article) IsPublic() bool { return a.Status == StatusPublished }

// Normalize trims fields, fills defaults, makes a slug when there is none
// and sanitises the blocks; then it validates. Every path that writes an
// article goes through it, so the store only ever holds clean data.
func (a *Article) Normalize() error {
	a.Kicker = CleanLine(a.Kicker)
	a.Headline = CleanLine(a.Headline)
	a.Lead = cleanText(a.Lead)
	a.Source = CleanLine(a.Source)
	a.SEOTitle = CleanLine(a.SEOTitle)
	a.SEODescription = CleanLine(a.SEODescription)
	if a.Language == "" {
		a.Language = "ar"
	}
	if a.Status == "" {
		a.Status = StatusDraft
	}
	a.Slug = Slugify(a.Slug)
	if a.Slug == "" {
		a.Slug = Slugify(a.Headline)
	}
	for i := range a.Body {
		a.Body[i].normalize()
	}
	a.ReviewNote = cleanText(a.ReviewNote)
	a.clearPlans()
	return a.Validate()
}

// Validate checks an article without changing it.
func (a *Article) Validate() error {
	var v Invalid
	if a.Headline == "" {
		v.Add("headline", "required")
	}
	v.maxLen("headline", a.Headline, MaxHeadline)
	v.maxLen("kicker", a.Kicker, MaxKicker)
	v.maxLen("lead", a.Lead, MaxLead)
	v.maxLen("slug", a.Slug, MaxSlug)
	v.maxLen("seo_title", a.SEOTitle, MaxSEOTitle)
	v.maxLen("seo_description", a.SEODescription, MaxSEODesc)
	v.maxLen("source", a.Source, MaxSource)
	v.maxLen("note", a.ReviewNote, MaxNote)
	if a.SectionID <= 0 {
		v.Add("section", "required")
	}
	if !a.Status.Valid() {
		v.Add("status", "unknown")
	}
	if !a.CommentsMode.Valid() {
		v.Add("comments_mode", "unknown")
	}
	if len(a.Body) > MaxBlocks {
		v.Add("body", "too_many_blocks")
	}
	if len(a.Tags) > MaxTags {
		v.Add("tags", "too_many")
	}
	if len(a.Authors) > MaxAuthors {
		v.Add("authors", "too_many")
	}
	for i := range a.Body {
		if err := a.Body[i].Validate(); err != nil {
			v.Add("body", err.Error())
			break
		}
	}
	return v.Err()
}

// CleanLine collapses a single-line field: no control characters or line
// breaks, single spaces, valid UTF-8.
func CleanLine(s string) string {
	return strings.Join(strings.Fields(cleanText(s)), " ")
}

// cleanText keeps line breaks but drops other control characters and
// invalid UTF-8, which would otherwise break feeds and XML.
func cleanText(s string) string {
	s = strings.ToValidUTF8(s, "")
	s = strings.Map(func(r rune) rune {
		if r == '\n' {
			return r
		}
		if r == '\t' {
			return ' '
		}
		if r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) {
			return -1
		}
		return r
	}, s)
	return strings.TrimSpace(strings.ReplaceAll(s, "\r", ""))
}

func runeLen(s string) int { return utf8.RuneCountInString(s) }

package news

import (
	"errors"
	"strings"
	"time"
)

// Live blog errors: entries go only to live articles whose coverage is
// open.
var (
	ErrNotLive       = errors.New("the article is not a live blog")
	ErrCoverageEnded = errors.New("the live coverage has ended")
)

// Live blog limits. An entry is a short update, not an article: these keep
// a page of twenty entries, its JSON-LD and its live messages small.
const (
	MaxEntryTitle  = 200
	MaxEntryBlocks = 30
	MaxEntryText   = 10000 // characters of text over all of an entry's blocks
)

// LiveBlog is the coverage of a live article («تغطية مباشرة»): when it
// began and, once an editor closes it, when it ended.
type LiveBlog struct {
	Start time.Time
	End   time.Time // zero while the coverage goes on
}

// Ended reports whether the coverage was closed.
func (b LiveBlog) Ended() bool { return !b.End.IsZero() }

// LiveEntry is one timestamped update of a live blog.
type LiveEntry struct {
	ID        int64
	ArticleID int64
	Title     string // optional
	Body      []Block
	// Key marks a key event: it is listed in the summary pinned above the
	// entries.
	Key      bool
	AuthorID int64   // 0 when the entry is signed by nobody in particular
	Author   *Author // filled when read
	// CreatedBy is the newsroom user who posted the entry (0: nobody in
	// particular, as for the demo's and imports'); the byline it is signed
	// with is AuthorID. Who may correct it follows from it (ChangeableBy).
	CreatedBy int64
	CreatedAt time.Time
	UpdatedAt time.Time
	Version   int64
	// Newer counts the blog's entries newer than this one, which places
	// it on its page; filled by the key-events listing.
	Newer int
}

// Normalize cleans the entry as Article.Normalize cleans an article, then
// validates it.
func (e *LiveEntry) Normalize() error {
	e.Title = CleanLine(e.Title)
	for i := range e.Body {
		e.Body[i].normalize()
	}
	return e.Validate()
}

// Validate checks an entry without changing it.
func (e *LiveEntry) Validate() error {
	var v Invalid
	v.maxLen("title", e.Title, MaxEntryTitle)
	if e.Title == "" && len(e.Body) == 0 {
		v.Add("body", "entry_empty")
	}
	if len(e.Body) > MaxEntryBlocks {
		v.Add("body", "too_many_blocks")
	}
	text := 0
	for i := range e.Body {
		if err := e.Body[i].Validate(); err != nil {
			v.Add("body", err.Error())
			break
		}
		text += runeLen(e.Body[i].Text)
		for _, it := range e.Body[i].Items {
			text += runeLen(it)
		}
	}
	if text > MaxEntryText {
		v.Add("body", "entry_too_long")
	}
	return v.Err()
}

// Text is the entry's readable text without markup, blocks joined by
// spaces.
func (e *LiveEntry) Text() string {
	var parts []string
	for i := range e.Body {
		if t := e.Body[i].PlainText(); t != "" {
			parts = append(parts, t)
		}
	}
	return strings.Join(parts, " ")
}

// Summary is what names the entry in a list of key events: its title,
// else the start of its text, at most n characters.
func (e *LiveEntry) Summary(n int) string {
	if e.Title != "" {
		return e.Title
	}
	return Excerpt(e.Text(), n)
}

// Excerpt cuts s to at most n characters at a word boundary, marking the
// cut with an ellipsis.
func Excerpt(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	cut := string(r[:n])
	if i := strings.LastIndexByte(cut, ' '); i > len(cut)/2 {
		cut = cut[:i]
	}
	return cut + "…"
}

package news

import (
	"time"
	"unicode/utf8"
)

// CorrectionKind says what an editor attached to a published article.
type CorrectionKind string

const (
	// Erratum owns up to a mistake; readers find it below the article.
	Erratum CorrectionKind = "correction"
	// EditorsNote explains context readers need first (an update's
	// reason, a disputed claim); it heads the article.
	EditorsNote CorrectionKind = "note"
)

// CorrectionKinds lists the kinds in the order forms offer them.
var CorrectionKinds = []CorrectionKind{Erratum, EditorsNote}

// Valid reports whether k is a known kind.
func (k CorrectionKind) Valid() bool { return k == Erratum || k == EditorsNote }

// MaxCorrectionText bounds a correction: a few sentences, which the box,
// the feeds and the JSON-LD repeat whole.
const MaxCorrectionText = 1000

// Correction is a dated correction or editor's note on a published
// article. It is the outlet's public word, so it is never edited: a wrong
// one is deleted (the audit log keeps its text) and written again.
type Correction struct {
	ID        int64
	ArticleID int64
	Kind      CorrectionKind
	Text      string // plain text, one paragraph
	CreatedAt time.Time
	Actor     Actor // who wrote it
	// Article is the corrected article's id, slug and headline, filled
	// by the listing of recent corrections.
	Article *Article
}

// Normalize tidies the text as other one-line fields are tidied, without
// the invisible characters that could reorder it, then validates. Invalid
// UTF-8 is refused rather than repaired: no form sends it, and a public
// statement is not silently changed.
func (c *Correction) Normalize() error {
	var v Invalid
	if !c.Kind.Valid() {
		v.Add("kind", "unknown")
	}
	if !utf8.ValidString(c.Text) {
		v.Add("text", "bad_encoding")
		return v.Err()
	}
	c.Text = CleanName(c.Text)
	if c.Text == "" {
		v.Add("text", "required")
	}
	v.maxLen("text", c.Text, MaxCorrectionText)
	return v.Err()
}

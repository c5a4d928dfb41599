package news

import (
	"slices"
	"strings"
	"time"
)

// Page is one of the outlet's own pages (about, contact, its policies),
// written with the article's block editor and answered at /page/{slug}.
type Page struct {
	ID          int64
	Slug        string
	Title       string
	Description string // the meta description
	Body        []Block
	// Purpose says what the page is for the outlet's JSON-LD and the
	// footer (at most one page per purpose); "" for any other page.
	Purpose PagePurpose
	// Footer links the page from every page's footer, in Position order.
	Footer    bool
	Position  int
	UpdatedAt time.Time
	CreatedAt time.Time
}

// PagePurpose names what a page is for, as the Trust Project and
// schema.org's NewsMediaOrganization name an outlet's pages.
type PagePurpose string

// Page purposes, in the order the newsroom offers them.
const (
	PurposeAbout       PagePurpose = "about"
	PurposeContact     PagePurpose = "contact"
	PurposeMasthead    PagePurpose = "masthead"
	PurposeEthics      PagePurpose = "ethics"
	PurposeCorrections PagePurpose = "corrections"
	PurposePrivacy     PagePurpose = "privacy"
	PurposeAdvertise   PagePurpose = "advertise"
)

// PagePurposes are the purposes a page may have.
var PagePurposes = []PagePurpose{PurposeAbout, PurposeContact, PurposeMasthead, PurposeEthics, PurposeCorrections, PurposePrivacy, PurposeAdvertise}

// Page limits, in characters: the title is in the footer of every page.
const (
	MaxPageTitle       = 100
	MaxPageDescription = 300
)

// Normalize tidies a page as its editor wrote it and checks it: a title,
// a slug of letters or digits (the title's when none is given), a short
// description, a known purpose and blocks that pass the article rules.
func (p *Page) Normalize() error {
	var v Invalid
	p.Title = CleanName(p.Title)
	if p.Title == "" {
		v.Add("title", "required")
	}
	v.maxLen("title", p.Title, MaxPageTitle)
	if p.Slug = editedSlug(p.Slug, p.Title); p.Slug == "" && p.Title != "" {
		v.Add("slug", "bad_slug")
	}
	p.Description = CleanLine(p.Description)
	v.maxLen("description", p.Description, MaxPageDescription)
	if p.Purpose != "" && !slices.Contains(PagePurposes, p.Purpose) {
		v.Add("purpose", "unknown")
	}
	if len(p.Body) > MaxBlocks {
		v.Add("body", "too_many_blocks")
	}
	for i := range p.Body {
		p.Body[i].normalize()
		if err := p.Body[i].Validate(); err != nil {
			v.Add("body", err.Error())
			break
		}
	}
	return v.Err()
}

// Summary is the page's description, or the start of its text when it
// has none: search engines show one either way.
func (p *Page) Summary() string {
	if p.Description != "" {
		return p.Description
	}
	var sb strings.Builder
	for _, b := range p.Body {
		if sb.Len() > 4*summaryLength {
			break
		}
		sb.WriteString(b.PlainText())
		sb.WriteByte(' ')
	}
	return Excerpt(sb.String(), summaryLength)
}

// summaryLength is about what search engines show of a description.
const summaryLength = 160

package feed

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"khabar/internal/news"
)

// The ninjs versions Ninjs writes: 2.2 (lower-case property names, what
// most agency systems read) and 3.1 (the same model in camelCase).
const (
	Ninjs2 = "2.2"
	Ninjs3 = "3.1"
)

// NinjsSchema is the schema URI a ninjs document of version v declares in
// its standard property.
func NinjsSchema(v string) string {
	return "http://www.iptc.org/std/ninjs/ninjs-schema_" + v + ".json#"
}

// NinjsItem is an article with what ninjs adds to a feed Item resolved by
// the caller. Item.URL is the canonical page; Item.HTML the body as feeds
// carry it.
type NinjsItem struct {
	Item
	// URI identifies the article for life (its canonical URL may change
	// with its slug).
	URI string
	// Holder is the copyright holder: the outlet.
	Holder string
	// Subjects are the section, then the tags.
	Subjects []NinjsSubject
	// Pictures are the featured image (Role "featureimage"), then the
	// body's images ("bodyimage"), as associations.
	Pictures []NinjsPicture
}

// NinjsSubject is a section or a tag: its name, its page, and an
// identifier that says which (e.g. "section:economy").
type NinjsSubject struct {
	Name, URI, Literal string
}

// NinjsPicture is one image of the article with its renditions.
type NinjsPicture struct {
	Role       string
	URI        string // the original's URL, which identifies the picture
	Alt        string
	Caption    string
	Credit     string
	Renditions []NinjsRendition
}

// NinjsRendition is one file of a picture: the original, a crop, or a size.
type NinjsRendition struct {
	Name          string
	Href          string
	MIME          string
	Width, Height int
	Bytes         int64
}

// ninjsDoc is a ninjs 2.2 news object. 3.1 renames properties (camel case)
// and is written from the same values through ninjs3Names.
type ninjsDoc struct {
	Name            string            `json:"name,omitempty"` // in associations only
	URI             string            `json:"uri"`
	Type            string            `json:"type"`
	Representation  string            `json:"representationtype,omitempty"`
	Profile         string            `json:"profile,omitempty"`
	Version         string            `json:"version,omitempty"`
	FirstCreated    string            `json:"firstcreated,omitempty"`
	VersionCreated  string            `json:"versioncreated,omitempty"`
	Embargoed       string            `json:"embargoed,omitempty"`
	PubStatus       string            `json:"pubstatus,omitempty"`
	Urgency         int               `json:"urgency,omitempty"`
	CopyrightHolder string            `json:"copyrightholder,omitempty"`
	Language        string            `json:"language,omitempty"`
	Headlines       []ninjsText       `json:"headlines,omitempty"`
	Descriptions    []ninjsText       `json:"descriptions,omitempty"`
	Bodies          []ninjsBody       `json:"bodies,omitempty"`
	Subjects        []ninjsSubject    `json:"subjects,omitempty"`
	InfoSources     []ninjsInfoSource `json:"infosources,omitempty"`
	By              string            `json:"by,omitempty"`
	Slugline        string            `json:"slugline,omitempty"`
	Renditions      []ninjsRendition  `json:"renditions,omitempty"`
	Associations    []ninjsDoc        `json:"associations,omitempty"`
	AltIDs          []ninjsAltID      `json:"altids,omitempty"`
	Standard        *ninjsStandard    `json:"standard,omitempty"`
}

type ninjsText struct {
	Role        string `json:"role,omitempty"`
	ContentType string `json:"contenttype,omitempty"`
	Value       string `json:"value"`
}

type ninjsBody struct {
	Role        string `json:"role"`
	ContentType string `json:"contenttype"`
	CharCount   int    `json:"charcount"`
	WordCount   int    `json:"wordcount"`
	Value       string `json:"value"`
}

type ninjsSubject struct {
	Name    string `json:"name"`
	Rel     string `json:"rel,omitempty"`
	URI     string `json:"uri,omitempty"`
	Literal string `json:"literal,omitempty"`
}

type ninjsInfoSource struct {
	Name string `json:"name"`
	Role string `json:"role,omitempty"`
}

type ninjsRendition struct {
	Name        string `json:"name"`
	Href        string `json:"href,omitempty"`
	ContentType string `json:"contenttype,omitempty"`
	Width       int    `json:"width,omitempty"`
	Height      int    `json:"height,omitempty"`
	SizeInBytes int64  `json:"sizeinbytes,omitempty"`
}

type ninjsAltID struct {
	Role  string `json:"role"`
	Value string `json:"value"`
}

type ninjsStandard struct {
	Name    string `json:"name"`
	Version string `json:"version"`
	Schema  string `json:"schema"`
}

// ninjs3Names are the 2.2 property names 3.1 spells differently; the rest
// are the same in both.
var ninjs3Names = map[string]string{
	"representationtype": "representationType",
	"firstcreated":       "firstCreated",
	"versioncreated":     "versionCreated",
	"embargoed":          "embargoedUntil",
	"pubstatus":          "pubStatus",
	"copyrightholder":    "copyrightHolder",
	"contenttype":        "contentType",
	"charcount":          "charCount",
	"wordcount":          "wordCount",
	"sizeinbytes":        "sizeInBytes",
	"infosources":        "infoSources",
	"altids":             "altIds",
}

// pubStatus is ninjs's word for an article's state: usable once public,
// canceled once withdrawn, withheld before.
func pubStatus(st news.Status) string {
	switch st {
	case news.StatusPublished:
		return "usable"
	case news.StatusUnpublished:
		return "canceled"
	}
	return "withheld"
}

// Ninjs writes it as an IPTC ninjs document of version v (Ninjs2 or
// Ninjs3). Text is cleaned as in the feeds, so every format carries the
// same strings.
func Ninjs(w io.Writer, it NinjsItem, v string) error {
	if v != Ninjs2 && v != Ninjs3 {
		return fmt.Errorf("ninjs: version %q: want %s or %s", v, Ninjs2, Ninjs3)
	}
	e, err := newEntry(it.Item)
	if err != nil {
		return err
	}
	a := it.Article
	d := ninjsDoc{
		URI: xmlSafe(it.URI), Type: "text", Representation: "full", Profile: "text-only",
		Version: strconv.FormatInt(a.Version, 10), VersionCreated: rfc3339OrEmpty(e.updated),
		FirstCreated: rfc3339OrEmpty(firstCreated(a.CreatedAt, e.published)), PubStatus: pubStatus(a.Status),
		CopyrightHolder: xmlSafe(it.Holder), Language: e.language, Slugline: xmlSafe(a.Slug),
		By:        strings.Join(e.authors, "، "),
		Headlines: []ninjsText{{Role: "main", ContentType: "text/plain", Value: e.title}},
		Standard:  &ninjsStandard{Name: "ninjs", Version: v, Schema: NinjsSchema(v)},
		AltIDs:    []ninjsAltID{{Role: "url", Value: e.url}},
	}
	if a.Breaking {
		d.Urgency = 1
	}
	if a.Status == news.StatusScheduled && !a.PublishAt.IsZero() {
		d.Embargoed = rfc3339(a.PublishAt)
	}
	if k := xmlSafe(strings.TrimSpace(a.Kicker)); k != "" {
		d.Headlines = append(d.Headlines, ninjsText{Role: "kicker", ContentType: "text/plain", Value: k})
	}
	if e.summary != "" {
		d.Descriptions = []ninjsText{{Role: "summary", ContentType: "text/plain", Value: e.summary}}
	}
	if e.html != "" {
		d.Bodies = []ninjsBody{{Role: "main", ContentType: "text/html", Value: e.html,
			CharCount: utf8.RuneCountInString(bodyText(a)), WordCount: a.WordCount()}}
	}
	for _, s := range it.Subjects {
		if n := xmlSafe(strings.TrimSpace(s.Name)); n != "" {
			d.Subjects = append(d.Subjects, ninjsSubject{Name: n, Rel: "about", URI: xmlSafe(s.URI), Literal: xmlSafe(s.Literal)})
		}
	}
	if src := xmlSafe(strings.TrimSpace(a.Source)); src != "" {
		d.InfoSources = []ninjsInfoSource{{Name: src, Role: "source"}}
	}
	for i, p := range it.Pictures {
		d.Associations = append(d.Associations, ninjsPicture(p, i, e.language))
	}
	if len(d.Associations) > 0 {
		d.Profile = "text-photo"
	}
	var compact bytes.Buffer
	enc := json.NewEncoder(&compact)
	enc.SetEscapeHTML(false) // served as JSON, not inside HTML
	if err := enc.Encode(d); err != nil {
		return fmt.Errorf("ninjs: encode article %d: %w", a.ID, err)
	}
	raw := bytes.TrimSpace(compact.Bytes())
	if v == Ninjs3 {
		raw = []byte(ninjs3Keys.Replace(string(raw)))
	}
	var out bytes.Buffer
	if err := json.Indent(&out, raw, "", "  "); err != nil {
		return fmt.Errorf("ninjs: indent article %d: %w", a.ID, err)
	}
	out.WriteByte('\n')
	_, err = out.WriteTo(w)
	return err
}

// firstCreated is the earlier of the known times: an imported or
// backdated article was published before its record was made here.
func firstCreated(created, published time.Time) time.Time {
	if created.IsZero() || !published.IsZero() && published.Before(created) {
		return published
	}
	return created
}

// ninjsPicture is p as an association: a picture news object named by its
// role and place (featureimage, bodyimage-2), its renditions named as
// IPTC's rendition vocabulary suggests.
func ninjsPicture(p NinjsPicture, i int, lang string) ninjsDoc {
	name := p.Role
	if p.Role != "featureimage" {
		name += "-" + strconv.Itoa(i+1)
	}
	d := ninjsDoc{Name: name, URI: xmlSafe(p.URI), Type: "picture", Language: lang, By: xmlSafe(strings.TrimSpace(p.Credit))}
	if alt := xmlSafe(strings.TrimSpace(p.Alt)); alt != "" {
		d.Headlines = []ninjsText{{Role: "alternative", ContentType: "text/plain", Value: alt}}
	}
	if c := xmlSafe(strings.TrimSpace(p.Caption)); c != "" {
		d.Descriptions = []ninjsText{{Role: "caption", ContentType: "text/plain", Value: c}}
	}
	for _, r := range p.Renditions {
		d.Renditions = append(d.Renditions, ninjsRendition{Name: xmlSafe(r.Name), Href: xmlSafe(r.Href), ContentType: xmlSafe(r.MIME),
			Width: r.Width, Height: r.Height, SizeInBytes: r.Bytes})
	}
	return d
}

// bodyText is the article's readable text, lead and blocks, for the
// character count ninjs gives a body.
func bodyText(a *news.Article) string {
	parts := []string{a.Lead}
	for i := range a.Body {
		parts = append(parts, a.Body[i].PlainText())
	}
	return strings.Join(slices.DeleteFunc(parts, func(s string) bool { return strings.TrimSpace(s) == "" }), "\n")
}

// ninjs3Keys rewrites compact 2.2 JSON to 3.1's names. Matching the key
// with its quotes and colon is exact: inside a string value every quote
// is escaped, so `"name":` can only be a key.
var ninjs3Keys = func() *strings.Replacer {
	var pairs []string
	for old, name := range ninjs3Names {
		pairs = append(pairs, `"`+old+`":`, `"`+name+`":`)
	}
	return strings.NewReplacer(pairs...)
}()

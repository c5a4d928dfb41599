package feed

import (
	"encoding/xml"
	"io"
)

type atomFeed struct {
	XMLName  xml.Name    `xml:"feed"`
	NS       string      `xml:"xmlns,attr"`
	Lang     string      `xml:"xml:lang,attr,omitempty"`
	ID       string      `xml:"id"`
	Title    atomText    `xml:"title"`
	Subtitle *atomText   `xml:"subtitle"`
	Updated  string      `xml:"updated"`
	Links    []atomLink  `xml:"link"`
	Author   *atomPerson `xml:"author"`
	Entries  []atomEntry `xml:"entry"`
}

type atomText struct {
	Type  string `xml:"type,attr"`
	Value string `xml:",chardata"`
}

type atomLink struct {
	Href   string `xml:"href,attr"`
	Rel    string `xml:"rel,attr"`
	Type   string `xml:"type,attr,omitempty"`
	Length int    `xml:"length,attr,omitempty"`
}

type atomPerson struct {
	Name string `xml:"name"`
}

type atomCategory struct {
	Term string `xml:"term,attr"`
}

type atomEntry struct {
	Lang       string         `xml:"xml:lang,attr,omitempty"`
	ID         string         `xml:"id"`
	Title      atomText       `xml:"title"`
	Updated    string         `xml:"updated"`
	Published  string         `xml:"published,omitempty"`
	Authors    []atomPerson   `xml:"author"`
	Categories []atomCategory `xml:"category"`
	Links      []atomLink     `xml:"link"`
	Summary    *atomText      `xml:"summary"`
	Content    *atomText      `xml:"content"`
}

// Atom writes an Atom 1.0 (RFC 4287) document. The feed id is FeedURL and
// an entry's id its URL; entries carry updated (the article's UpdatedAt),
// published, one author per byline, a category term per section and tag,
// the lead as summary, the body as content type="html", and an alternate
// link (plus an enclosure link for the image). The feed has alternate,
// self and hub links, and the channel title as feed author so that entries
// without a byline still satisfy RFC 4287's author rule.
func Atom(w io.Writer, c Channel, items []Item) error {
	es, err := newEntries(items)
	if err != nil {
		return err
	}
	f := atomFeed{
		NS:      nsAtom,
		Lang:    xmlSafe(c.Language),
		ID:      xmlSafe(c.FeedURL),
		Title:   atomText{Type: "text", Value: xmlSafe(c.Title)},
		Updated: rfc3339(channelUpdated(c, es)),
		Links: []atomLink{
			{Href: xmlSafe(c.SiteURL), Rel: "alternate", Type: "text/html"},
			{Href: xmlSafe(c.FeedURL), Rel: "self", Type: "application/atom+xml"},
		},
		Author:  &atomPerson{Name: xmlSafe(c.Title)},
		Entries: make([]atomEntry, 0, len(es)),
	}
	if d := xmlSafe(c.Description); d != "" {
		f.Subtitle = &atomText{Type: "text", Value: d}
	}
	for _, h := range safeAll(c.Hubs) {
		f.Links = append(f.Links, atomLink{Href: h, Rel: "hub"})
	}
	for _, e := range es {
		ae := atomEntry{
			ID:        e.url,
			Title:     atomText{Type: "text", Value: e.title},
			Updated:   f.Updated, // RFC 4287 requires one; an undated entry gets the feed's
			Published: rfc3339OrEmpty(e.published),
			Links:     []atomLink{{Href: e.url, Rel: "alternate", Type: "text/html"}},
		}
		if !e.updated.IsZero() {
			ae.Updated = rfc3339(e.updated)
		}
		if e.language != f.Lang {
			ae.Lang = e.language
		}
		for _, n := range e.authors {
			ae.Authors = append(ae.Authors, atomPerson{Name: n})
		}
		for _, cat := range e.categories {
			ae.Categories = append(ae.Categories, atomCategory{Term: cat})
		}
		if e.image != "" {
			ae.Links = append(ae.Links, atomLink{Href: e.image, Rel: "enclosure", Type: e.imageType})
		}
		if e.summary != "" {
			ae.Summary = &atomText{Type: "text", Value: e.summary}
		}
		if e.html != "" {
			ae.Content = &atomText{Type: "html", Value: e.html}
		}
		f.Entries = append(f.Entries, ae)
	}
	return writeXML(w, f)
}

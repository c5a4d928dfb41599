package feed

import (
	"encoding/xml"
	"html"
	"io"
	"time"
)

const (
	nsAtom    = "http://www.w3.org/2005/Atom"
	nsContent = "http://purl.org/rss/1.0/modules/content/"
	nsDC      = "http://purl.org/dc/elements/1.1/"
	nsMedia   = "http://search.yahoo.com/mrss/"
)

// encoding/xml has no prefix control, so the namespaced elements use
// literal "prefix:name" tags and the root declares the prefixes.
type rssDoc struct {
	XMLName   xml.Name   `xml:"rss"`
	Version   string     `xml:"version,attr"`
	NSAtom    string     `xml:"xmlns:atom,attr"`
	NSContent string     `xml:"xmlns:content,attr"`
	NSDC      string     `xml:"xmlns:dc,attr"`
	NSMedia   string     `xml:"xmlns:media,attr"`
	Channel   rssChannel `xml:"channel"`
}

type rssChannel struct {
	Title         string     `xml:"title"`
	Link          string     `xml:"link"`
	Description   string     `xml:"description"`
	Language      string     `xml:"language,omitempty"`
	LastBuildDate string     `xml:"lastBuildDate"`
	AtomLinks     []rssLink  `xml:"atom:link"`
	Items         []rssEntry `xml:"item"`
}

type rssLink struct {
	Href string `xml:"href,attr"`
	Rel  string `xml:"rel,attr"`
	Type string `xml:"type,attr,omitempty"`
}

type rssEntry struct {
	Title       string        `xml:"title"`
	Link        string        `xml:"link"`
	GUID        rssGUID       `xml:"guid"`
	PubDate     string        `xml:"pubDate,omitempty"`
	Description string        `xml:"description,omitempty"`
	Content     string        `xml:"content:encoded,omitempty"`
	Creators    []string      `xml:"dc:creator"`
	Categories  []string      `xml:"category"`
	Media       *rssMediaItem `xml:"media:content"`
}

type rssGUID struct {
	IsPermaLink string `xml:"isPermaLink,attr"`
	Value       string `xml:",chardata"`
}

type rssMediaItem struct {
	URL    string `xml:"url,attr"`
	Type   string `xml:"type,attr,omitempty"`
	Medium string `xml:"medium,attr"`
	Width  int    `xml:"width,attr,omitempty"`
	Height int    `xml:"height,attr,omitempty"`
}

func rfc1123z(t time.Time) string { return feedTime(t).Format(time.RFC1123Z) }

func rfc1123zOrEmpty(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return rfc1123z(t)
}

// RSS writes an RSS 2.0 document: description the summary as escaped
// HTML, content:encoded the full HTML,
// media:content the featured image, dc:creator each author, category the
// section and each tag; guid is the permalink; dates are RFC 1123 with a
// numeric zone; atom:link gives the self link and the WebSub hubs.
func RSS(w io.Writer, c Channel, items []Item) error {
	es, err := newEntries(items)
	if err != nil {
		return err
	}
	ch := rssChannel{
		Title:         xmlSafe(c.Title),
		Link:          xmlSafe(c.SiteURL),
		Description:   xmlSafe(c.Description),
		Language:      xmlSafe(c.Language),
		LastBuildDate: rfc1123z(channelUpdated(c, es)),
		AtomLinks:     []rssLink{{Href: xmlSafe(c.FeedURL), Rel: "self", Type: "application/rss+xml"}},
		Items:         make([]rssEntry, 0, len(es)),
	}
	for _, h := range safeAll(c.Hubs) {
		ch.AtomLinks = append(ch.AtomLinks, rssLink{Href: h, Rel: "hub"})
	}
	for _, e := range es {
		it := rssEntry{
			Title:   e.title,
			Link:    e.url,
			GUID:    rssGUID{IsPermaLink: "true", Value: e.url},
			PubDate: rfc1123zOrEmpty(e.published),
			// RSS readers take an item's description as HTML, so the
			// summary, plain text, is escaped for HTML here and then
			// once more for XML by the encoder: «<script>» arrives as
			// text, not as an element.
			Description: html.EscapeString(e.summary),
			Content:     e.html,
			Creators:    e.authors,
			Categories:  e.categories,
		}
		if e.image != "" {
			it.Media = &rssMediaItem{URL: e.image, Type: e.imageType, Medium: "image", Width: e.imageW, Height: e.imageH}
		}
		ch.Items = append(ch.Items, it)
	}
	return writeXML(w, rssDoc{
		Version:   "2.0",
		NSAtom:    nsAtom,
		NSContent: nsContent,
		NSDC:      nsDC,
		NSMedia:   nsMedia,
		Channel:   ch,
	})
}

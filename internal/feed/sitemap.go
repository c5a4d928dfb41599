package feed

import (
	"encoding/xml"
	"errors"
	"io"
	"time"
)

// Sitemap protocol limits: a file holds at most 50,000 URLs (and 50 MB,
// which 50,000 news URLs stay far below).
const (
	MaxSitemapURLs = 50000
	// MaxNewsURLs is Google News' limit for a news sitemap.
	MaxNewsURLs = 1000
)

const (
	nsSitemap = "http://www.sitemaps.org/schemas/sitemap/0.9"
	nsImage   = "http://www.google.com/schemas/sitemap-image/1.1"
	nsNews    = "http://www.google.com/schemas/sitemap-news/0.9"
)

// SitemapRef is one child sitemap of an index.
type SitemapRef struct {
	Loc     string
	LastMod time.Time
}

// SitemapURL is one page of a sitemap, with its images.
type SitemapURL struct {
	Loc     string
	LastMod time.Time
	Images  []string // absolute image URLs
	News    *NewsEntry
}

// NewsEntry is the Google News part of a URL.
type NewsEntry struct {
	Publication string // the outlet's name
	Language    string // "ar"
	Published   time.Time
	Title       string
}

type xmlSitemapIndex struct {
	XMLName  xml.Name       `xml:"sitemapindex"`
	NS       string         `xml:"xmlns,attr"`
	Sitemaps []xmlSitemapLn `xml:"sitemap"`
}

type xmlSitemapLn struct {
	Loc     string `xml:"loc"`
	LastMod string `xml:"lastmod,omitempty"`
}

type xmlURLSet struct {
	XMLName xml.Name `xml:"urlset"`
	NS      string   `xml:"xmlns,attr"`
	NSImage string   `xml:"xmlns:image,attr,omitempty"`
	NSNews  string   `xml:"xmlns:news,attr,omitempty"`
	URLs    []xmlURL `xml:"url"`
}

type xmlURL struct {
	Loc     string     `xml:"loc"`
	LastMod string     `xml:"lastmod,omitempty"`
	News    *xmlNews   `xml:"news:news,omitempty"`
	Images  []xmlImage `xml:"image:image"`
}

type xmlImage struct {
	Loc string `xml:"image:loc"`
}

type xmlNews struct {
	Publication struct {
		Name     string `xml:"news:name"`
		Language string `xml:"news:language"`
	} `xml:"news:publication"`
	Date  string `xml:"news:publication_date"`
	Title string `xml:"news:title"`
}

func w3cTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

// SitemapIndex writes a sitemap index.
func SitemapIndex(w io.Writer, refs []SitemapRef) error {
	doc := xmlSitemapIndex{NS: nsSitemap}
	for _, r := range refs {
		doc.Sitemaps = append(doc.Sitemaps, xmlSitemapLn{Loc: xmlSafe(r.Loc), LastMod: w3cTime(r.LastMod)})
	}
	return writeDoc(w, doc)
}

// ErrEmptySitemap: the schema requires at least one URL in a urlset.
var ErrEmptySitemap = errors.New("sitemap: no URLs (the schema needs at least one)")

// URLSet writes a sitemap (with image and news extensions when used); at
// most MaxSitemapURLs are written.
func URLSet(w io.Writer, urls []SitemapURL) error {
	if len(urls) == 0 {
		return ErrEmptySitemap
	}
	doc := xmlURLSet{NS: nsSitemap}
	if len(urls) > MaxSitemapURLs {
		urls = urls[:MaxSitemapURLs]
	}
	for _, u := range urls {
		x := xmlURL{Loc: xmlSafe(u.Loc), LastMod: w3cTime(u.LastMod)}
		for _, img := range u.Images {
			doc.NSImage = nsImage
			x.Images = append(x.Images, xmlImage{Loc: xmlSafe(img)})
		}
		if n := u.News; n != nil {
			doc.NSNews = nsNews
			x.News = &xmlNews{Date: w3cTime(n.Published), Title: xmlSafe(n.Title)}
			x.News.Publication.Name = xmlSafe(n.Publication)
			x.News.Publication.Language = xmlSafe(n.Language)
		}
		doc.URLs = append(doc.URLs, x)
	}
	return writeDoc(w, doc)
}

func writeDoc(w io.Writer, doc any) error {
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	if err := enc.Encode(doc); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}

package feed

import (
	"encoding/json"
	"io"
)

// JSONFeedVersion is the version URL JSON writes.
const JSONFeedVersion = "https://jsonfeed.org/version/1.1"

type jsonFeed struct {
	Version     string     `json:"version"`
	Title       string     `json:"title"`
	HomePageURL string     `json:"home_page_url,omitempty"`
	FeedURL     string     `json:"feed_url,omitempty"`
	Description string     `json:"description,omitempty"`
	Language    string     `json:"language,omitempty"`
	Hubs        []jsonHub  `json:"hubs,omitempty"`
	Items       []jsonItem `json:"items"`
}

type jsonHub struct {
	Type string `json:"type"`
	URL  string `json:"url"`
}

type jsonItem struct {
	ID            string       `json:"id"`
	URL           string       `json:"url,omitempty"`
	Title         string       `json:"title,omitempty"`
	Summary       string       `json:"summary,omitempty"`
	ContentHTML   string       `json:"content_html"` // the schema needs content_html or content_text
	Image         string       `json:"image,omitempty"`
	DatePublished string       `json:"date_published,omitempty"`
	DateModified  string       `json:"date_modified,omitempty"`
	Authors       []jsonAuthor `json:"authors,omitempty"`
	Tags          []string     `json:"tags,omitempty"`
	Language      string       `json:"language,omitempty"`
}

type jsonAuthor struct {
	Name string `json:"name"`
}

// JSON writes a JSON Feed 1.1 document. Text goes through the same cleaning
// as the XML formats, so all three carry identical strings. HTML characters
// are not \u-escaped: the document is served as JSON, not embedded in HTML.
func JSON(w io.Writer, c Channel, items []Item) error {
	es, err := newEntries(items)
	if err != nil {
		return err
	}
	f := jsonFeed{
		Version:     JSONFeedVersion,
		Title:       xmlSafe(c.Title),
		HomePageURL: xmlSafe(c.SiteURL),
		FeedURL:     xmlSafe(c.FeedURL),
		Description: xmlSafe(c.Description),
		Language:    xmlSafe(c.Language),
		Items:       make([]jsonItem, 0, len(es)),
	}
	for _, h := range safeAll(c.Hubs) {
		f.Hubs = append(f.Hubs, jsonHub{Type: "WebSub", URL: h})
	}
	for _, e := range es {
		ji := jsonItem{
			ID:            e.url,
			URL:           e.url,
			Title:         e.title,
			Summary:       e.summary,
			ContentHTML:   e.html,
			Image:         e.image,
			DatePublished: rfc3339OrEmpty(e.published),
			DateModified:  rfc3339OrEmpty(e.updated),
			Tags:          e.categories,
			Language:      e.language,
		}
		for _, n := range e.authors {
			ji.Authors = append(ji.Authors, jsonAuthor{Name: n})
		}
		f.Items = append(f.Items, ji)
	}
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	return enc.Encode(f)
}

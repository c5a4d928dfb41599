package feed

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"html"
	"strings"
	"testing"

	"khabar/internal/feed/feedtest"
	"khabar/internal/news"
)

// field is one text of a decoded feed: plain text must read as the
// payload; HTML must render as the payload's text, in at most the
// elements the feed itself wraps it in.
type field struct {
	name, value string
	html        bool
	wrap        []string // elements of ours around the text (content: a p)
}

func checkFields(t *testing.T, payload string, fields []field) {
	t.Helper()
	for _, f := range fields {
		if !f.html {
			if f.value != payload {
				t.Errorf("%s: %q, want the text %q", f.name, f.value, payload)
			}
			continue
		}
		r := feedtest.Render(t, f.value)
		if strings.Join(r.Elements, " ") != strings.Join(f.wrap, " ") || len(r.Attrs) > 0 || r.Comments > 0 || r.Text != payload {
			t.Errorf("%s %q renders %+v; want only %v around the text %q", f.name, f.value, r, f.wrap, payload)
		}
	}
}

func payloadFeed(p string) (Channel, []Item) {
	c := Channel{Title: p, Description: p, Language: "ar", SiteURL: "https://news.example/", FeedURL: "https://news.example/feeds/rss.xml"}
	items := []Item{{
		Article: &news.Article{ID: 1, Headline: p, Lead: p, Language: "ar", PublishedAt: published[0], UpdatedAt: updated[0],
			Section: &news.Section{ID: 1, Name: p}, Tags: []news.Tag{{ID: 1, Name: p + " وسم"}}, Authors: []news.Author{{ID: 1, Name: p}}},
		URL: "https://news.example/news/1/x",
		// What the site's renderer makes of a paragraph with this text.
		HTML: "<p>" + html.EscapeString(p) + "</p>",
	}}
	return c, items
}

// TestXSSPayloads: every payload, through every format, decoded as a
// reader decodes it (XML or JSON first, then the HTML fields as HTML),
// builds no element or attribute and reads as the text it was.
// RSS's item description is HTML by definition, so its text is escaped
// for HTML inside the XML; Atom says type="text" or "html" per element;
// JSON Feed's summary is plain text and content_html HTML.
func TestXSSPayloads(t *testing.T) {
	p := []string{"p"}
	for _, payload := range feedtest.Payloads {
		c, items := payloadFeed(payload)
		t.Run("rss", func(t *testing.T) {
			var doc struct {
				Channel struct {
					Title       string `xml:"title"`
					Description string `xml:"description"`
					Item        struct {
						Title       string   `xml:"title"`
						Description string   `xml:"description"`
						Content     string   `xml:"http://purl.org/rss/1.0/modules/content/ encoded"`
						Creator     string   `xml:"http://purl.org/dc/elements/1.1/ creator"`
						Categories  []string `xml:"category"`
					} `xml:"item"`
				} `xml:"channel"`
			}
			if err := xml.Unmarshal(render(t, RSS, c, items), &doc); err != nil {
				t.Fatalf("%q: %v", payload, err)
			}
			ch, it := doc.Channel, doc.Channel.Item
			checkFields(t, payload, []field{
				{name: "channel title", value: ch.Title}, {name: "channel description", value: ch.Description},
				{name: "title", value: it.Title}, {name: "dc:creator", value: it.Creator}, {name: "category", value: it.Categories[0]},
				{name: "description", value: it.Description, html: true}, {name: "content:encoded", value: it.Content, html: true, wrap: p},
			})
		})
		t.Run("atom", func(t *testing.T) {
			type text struct {
				Type  string `xml:"type,attr"`
				Value string `xml:",chardata"`
			}
			var doc struct {
				Title    text `xml:"title"`
				Subtitle text `xml:"subtitle"`
				Entry    struct {
					Title   text `xml:"title"`
					Summary text `xml:"summary"`
					Content text `xml:"content"`
					Author  struct {
						Name string `xml:"name"`
					} `xml:"author"`
					Category []struct {
						Term string `xml:"term,attr"`
					} `xml:"category"`
				} `xml:"entry"`
			}
			if err := xml.Unmarshal(render(t, Atom, c, items), &doc); err != nil {
				t.Fatalf("%q: %v", payload, err)
			}
			e := doc.Entry
			for _, tx := range []text{doc.Title, doc.Subtitle, e.Title, e.Summary} {
				if tx.Type != "text" {
					t.Errorf("a plain text is of type %q", tx.Type)
				}
			}
			if e.Content.Type != "html" {
				t.Errorf("content is of type %q", e.Content.Type)
			}
			checkFields(t, payload, []field{
				{name: "feed title", value: doc.Title.Value}, {name: "subtitle", value: doc.Subtitle.Value},
				{name: "title", value: e.Title.Value}, {name: "summary", value: e.Summary.Value},
				{name: "author", value: e.Author.Name}, {name: "category", value: e.Category[0].Term},
				{name: "content", value: e.Content.Value, html: true, wrap: p},
			})
		})
		t.Run("json", func(t *testing.T) {
			var doc struct {
				Title, Description string
				Items              []struct {
					Title, Summary string
					ContentHTML    string `json:"content_html"`
					Authors        []struct{ Name string }
					Tags           []string
				}
			}
			if err := json.NewDecoder(bytes.NewReader(render(t, JSON, c, items))).Decode(&doc); err != nil {
				t.Fatalf("%q: %v", payload, err)
			}
			it := doc.Items[0]
			checkFields(t, payload, []field{
				{name: "title", value: doc.Title}, {name: "description", value: doc.Description},
				{name: "item title", value: it.Title}, {name: "summary", value: it.Summary},
				{name: "author", value: it.Authors[0].Name}, {name: "tag", value: it.Tags[0]},
				{name: "content_html", value: it.ContentHTML, html: true, wrap: p},
			})
		})
	}
}

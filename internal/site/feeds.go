package site

import (
	"bytes"
	"context"
	"html"
	"net/http"
	"strconv"
	"strings"
	"time"

	"khabar/internal/feed"
	"khabar/internal/news"
	"khabar/internal/render"
	"khabar/internal/store"
)

// feedItems is how many articles a feed carries.
const feedItems = 30

type feedFormat struct {
	contentType string
	encode      func(w *bytes.Buffer, c feed.Channel, items []feed.Item) error
}

var feedFormats = map[string]feedFormat{
	"rss.xml":   {"application/rss+xml; charset=utf-8", func(w *bytes.Buffer, c feed.Channel, i []feed.Item) error { return feed.RSS(w, c, i) }},
	"atom.xml":  {"application/atom+xml; charset=utf-8", func(w *bytes.Buffer, c feed.Channel, i []feed.Item) error { return feed.Atom(w, c, i) }},
	"feed.json": {"application/feed+json; charset=utf-8", func(w *bytes.Buffer, c feed.Channel, i []feed.Item) error { return feed.JSON(w, c, i) }},
}

// feedLink is an autodiscovery <link rel="alternate">.
type feedLink struct {
	Type, URL, Title string
}

// feedLinks lists a page's feeds: the site's, and the list's own.
func (s *Site) feedLinks(kind, slug, title string) []feedLink {
	return []feedLink{
		{Type: "application/rss+xml", URL: news.FeedPath(kind, slug, "rss.xml"), Title: title},
		{Type: "application/atom+xml", URL: news.FeedPath(kind, slug, "atom.xml"), Title: title},
		{Type: "application/feed+json", URL: news.FeedPath(kind, slug, "feed.json"), Title: title},
	}
}

// siteFeed is /feeds/{file}: the whole site.
func (s *Site) siteFeed(w http.ResponseWriter, r *http.Request) {
	s.serveFeed(w, r, "", "")
}

// listFeed is /feeds/{kind}/{slug}/{file}.
func (s *Site) listFeed(w http.ResponseWriter, r *http.Request) {
	kind := r.PathValue("kind")
	if kind != "section" && kind != "tag" && kind != "author" {
		s.Error(w, r, http.StatusNotFound)
		return
	}
	slug := r.PathValue("slug")
	if news.Slugify(slug) != slug || slug == "" {
		s.Error(w, r, http.StatusNotFound)
		return
	}
	s.serveFeed(w, r, kind, slug)
}

func (s *Site) serveFeed(w http.ResponseWriter, r *http.Request, kind, slug string) {
	file := r.PathValue("file")
	format, ok := feedFormats[file]
	if !ok {
		s.Error(w, r, http.StatusNotFound)
		return
	}
	key := news.FeedPath(kind, slug, file)
	s.serveCached(w, r, key, func(ctx context.Context) (*render.Page, error) {
		st := s.settings.Get()
		c := feed.Channel{Title: st.SiteName, Description: st.Tagline, Language: s.cat.Lang(), SiteURL: s.base + "/", FeedURL: s.base + key,
			Hubs: st.Hubs()}
		var f store.ListFilter
		tags := []string{tagLatest}
		var err error
		switch kind {
		case "section":
			var sec *news.Section
			if sec, err = s.sectionBySlug(ctx, slug); err == nil {
				f.SectionID, c.Title, c.SiteURL = sec.ID, st.SiteName+" – "+sec.Name, s.base+news.ListPath(news.ListSection, slug)
				tags = append(tags, sectionTag(sec.ID))
				// The feed carries its subsections' articles too.
				var ch *chrome
				if ch, err = s.chrome(ctx); err == nil {
					tags = append(tags, subsectionTags(ch.Sections, sec.ID)...)
				}
			}
		case "tag":
			var t *news.Tag
			if t, err = s.store.PublicTag(ctx, slug); err == nil {
				f.TagID, c.Title, c.SiteURL = t.ID, st.SiteName+" – "+t.Name, s.base+news.ListPath(news.ListTag, slug)
				tags = append(tags, "tag:"+strconv.FormatInt(t.ID, 10))
			}
		case "author":
			var au *news.Author
			if au, err = s.store.PublicAuthor(ctx, slug); err == nil {
				f.AuthorID, c.Title, c.SiteURL = au.ID, st.SiteName+" – "+au.Name, s.base+news.ListPath(news.ListAuthor, slug)
				tags = append(tags, "author:"+strconv.FormatInt(au.ID, 10))
			}
		}
		if err != nil {
			return nil, err
		}
		f.Limit = feedItems
		list, err := s.store.ListPublished(ctx, f)
		if err != nil {
			return nil, err
		}
		items := make([]feed.Item, 0, len(list))
		for _, card := range list {
			a, err := s.store.GetArticle(ctx, card.ID)
			if err != nil {
				return nil, err
			}
			body, err := s.SyndicatedHTML(ctx, a)
			if err != nil {
				return nil, err
			}
			it := feed.Item{Article: a, URL: s.base + news.ArticlePath(a), HTML: body}
			if m := a.Featured; m != nil {
				it.ImageURL, it.ImageType, it.ImageWidth, it.ImageHeight = s.base+"/media/"+m.Path, m.MIME, m.Width, m.Height
			}
			if a.UpdatedAt.After(c.Updated) {
				c.Updated = a.UpdatedAt
			}
			items = append(items, it)
			// A feed carries full text: a correction to any of its
			// articles must reach it, not only changes to listings.
			tags = append(tags, articleTag(a.ID))
		}
		if c.Updated.IsZero() {
			c.Updated = time.Now()
		}
		var buf bytes.Buffer
		if err := format.encode(&buf, c, items); err != nil {
			return nil, err
		}
		return &render.Page{ContentType: format.contentType, Body: buf.Bytes(), CacheControl: s.cc, Tags: tags,
			LastModified: c.Updated}, nil
	})
}

// SyndicatedHTML is a's body as the feeds and the API's ninjs carry it:
// the blocks as plain HTML between its editor's notes and corrections.
func (s *Site) SyndicatedHTML(ctx context.Context, a *news.Article) (string, error) {
	blocks, err := s.resolveBlocks(ctx, a.Body)
	if err != nil {
		return "", err
	}
	corrections, err := s.store.ArticleCorrections(ctx, a.ID)
	if err != nil {
		return "", err
	}
	notes, errata := correctionBoxes(corrections)
	return s.feedBox(notes) + s.feedHTML(blocks) + s.feedBox(errata), nil
}

// feedHTML writes an article body for feed readers: plain semantic HTML
// with absolute links, and embeds as links (readers run no scripts).
func (s *Site) feedHTML(blocks []blockView) string {
	var sb strings.Builder
	esc := html.EscapeString
	for _, b := range blocks {
		switch b.Type {
		case news.BlockParagraph:
			sb.WriteString("<p>" + string(b.HTML) + "</p>")
		case news.BlockHTML:
			sb.WriteString("<div>" + string(b.HTML) + "</div>")
		case news.BlockHeading:
			tag := "h2"
			if b.Level == 3 {
				tag = "h3"
			}
			sb.WriteString("<" + tag + ">" + esc(b.Text) + "</" + tag + ">")
		case news.BlockQuote:
			sb.WriteString("<blockquote><p>" + esc(b.Text) + "</p>")
			if b.Cite != "" {
				sb.WriteString("<cite>" + esc(b.Cite) + "</cite>")
			}
			sb.WriteString("</blockquote>")
		case news.BlockImage:
			sb.WriteString(`<figure><img src="` + esc(s.base+"/media/"+b.Image.Path) + `" alt="` + esc(b.Alt) + `" width="` +
				strconv.Itoa(b.Image.Width) + `" height="` + strconv.Itoa(b.Image.Height) + `">`)
			if b.Caption != "" || b.Credit != "" {
				sb.WriteString("<figcaption>" + esc(strings.TrimSpace(b.Caption+" "+b.Credit)) + "</figcaption>")
			}
			sb.WriteString("</figure>")
		case news.BlockEmbed:
			sb.WriteString(`<p><a href="` + esc(b.URL) + `">` + esc(b.URL) + `</a></p>`)
		case news.BlockList, news.BlockFactbox:
			if b.Title != "" {
				sb.WriteString("<h3>" + esc(b.Title) + "</h3>")
			}
			tag := "ul"
			if b.Ordered {
				tag = "ol"
			}
			sb.WriteString("<" + tag + ">")
			for _, it := range b.Items {
				sb.WriteString("<li>" + string(it) + "</li>")
			}
			sb.WriteString("</" + tag + ">")
		case news.BlockDivider:
			sb.WriteString("<hr>")
		case news.BlockRelated:
			sb.WriteString(`<p><a href="` + esc(s.base+news.ArticlePath(b.Related)) + `">` + esc(b.Related.Headline) + `</a></p>`)
		}
	}
	return sb.String()
}

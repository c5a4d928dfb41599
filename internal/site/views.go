package site

import (
	"context"
	"fmt"
	"html/template"
	"net/url"
	"strconv"
	"time"

	"khabar/internal/news"
	"khabar/internal/settings"
)

// pageData is what every template receives.
type pageData struct {
	Site        settings.Settings
	Chrome      *chrome
	Title       string
	Description string
	Canonical   string
	Robots      string
	Active      string // slug of the section to highlight in navigation
	// Crumbs is the section trail of a section or article page: its
	// parent section, if any, then its own.
	Crumbs      []news.Section
	Home        *homeView
	Article     *articleView
	List        *listView
	Error       *errorView
	Search      *searchView
	Comments    *commentsView
	LiveBlog    *liveBlogView
	Notice      *noticeView
	StaticPage  *staticPageView
	Corrections *correctionsView
	// MostRead is «الأكثر قراءة»: the site's, or a section page's own.
	MostRead []news.Article
	// Beacon loads the counting beacon: behind a CDN, which serves
	// pages the server never sees.
	Beacon      bool
	EmailAlerts bool       // the e-mail alerts form is offered
	Feeds       []feedLink // autodiscovery
	Meta        []metaTag  // OpenGraph and Twitter cards
	JSONLD      template.JS
}

// staticPageView is one of the outlet's own pages.
type staticPageView struct {
	P      *news.Page
	Blocks []blockView
}

type homeView struct {
	Lead     *news.Article
	Latest   []news.Article
	Sections []sectionBlock
}

type sectionBlock struct {
	Section news.Section
	Items   []news.Article
}

type articleView struct {
	A           *news.Article
	Blocks      []blockView
	Related     []news.Article
	Share       []shareLink
	URL         string
	ShowUpdated bool
	Preview     bool // the newsroom's preview: a banner, and no publication date yet
	// Notes head the article and Corrections follow it; nil without any.
	Notes, Corrections *correctionBox
}

type listView struct {
	Kind    string // section, tag, author
	Heading string
	Intro   string
	// Author is the profile an author page shows above the list.
	Author *authorView
	Items  []news.Article
	Pager  pager
}

// authorView is an author's profile as the author page shows it.
type authorView struct {
	A     *news.Author
	Photo *news.Media // nil without one
	Links []settings.Link
}

type pager struct {
	Page, Pages int
	Prev, Next  string
}

// pagerAt is the pager of page of pages at path (escaped), whose first
// page has no ?page=.
func pagerAt(path string, page, pages int) pager {
	pg := pager{Page: page, Pages: pages}
	if page > 1 {
		pg.Prev = path
		if page > 2 {
			pg.Prev += "?page=" + strconv.Itoa(page-1)
		}
	}
	if page < pages {
		pg.Next = path + "?page=" + strconv.Itoa(page+1)
	}
	return pg
}

type errorView struct {
	Status int
	Ref    string // the request id, on the server's faults
}

// blockView is a body block resolved for display: sanitised markup marked
// safe, media and article references looked up.
type blockView struct {
	Type      news.BlockType
	HTML      template.HTML
	Text      string
	Level     int
	Cite      string
	Image     *news.Media
	Caption   string
	Credit    string
	Alt       string
	URL       string
	Provider  string
	YouTubeID string
	Thumb     bool // a thumbnail is (or will be) served at /media/youtube/ID.jpg
	Items     []template.HTML
	Ordered   bool
	Title     string
	Related   *news.Article
	// Running: Related is a live blog whose coverage goes on, linked as
	// live coverage rather than as one more story.
	Running bool
}

type shareLink struct {
	Key string
	URL string
}

// resolveBlocks turns stored blocks into views, loading the media and
// articles they refer to in two queries at most.
func (s *Site) resolveBlocks(ctx context.Context, blocks []news.Block) ([]blockView, error) {
	var mediaIDs []int64
	for _, b := range blocks {
		if b.Type == news.BlockImage {
			mediaIDs = append(mediaIDs, b.MediaID)
		}
	}
	media, err := s.store.MediaByIDs(ctx, mediaIDs)
	if err != nil {
		return nil, err
	}
	out := make([]blockView, 0, len(blocks))
	for _, b := range blocks {
		v := blockView{Type: b.Type, Text: b.Text, Level: b.Level, Cite: b.Cite, Caption: b.Caption, Credit: b.Credit,
			Alt: b.Alt, URL: b.URL, Ordered: b.Ordered, Title: b.Title}
		switch b.Type {
		case news.BlockParagraph, news.BlockHTML:
			// Sanitised on every write (news.Article.Normalize).
			v.HTML = template.HTML(b.Text)
		case news.BlockImage:
			m, ok := media[b.MediaID]
			if !ok {
				continue // the file was deleted: drop the block rather than show a broken image
			}
			v.Image = &m
			if v.Caption == "" {
				v.Caption = m.Caption
			}
			if v.Credit == "" {
				v.Credit = m.Credit
			}
			if v.Alt == "" {
				v.Alt = m.Alt
			}
		case news.BlockEmbed:
			v.Provider = news.EmbedProvider(b.URL)
			v.YouTubeID = news.YouTubeID(b.URL)
			if v.YouTubeID != "" && s.thumbs {
				if err := s.jobs.FetchThumbnail(ctx, v.YouTubeID); err != nil {
					s.log.WarnContext(ctx, "ask for a video thumbnail", "video", v.YouTubeID, "err", err)
				}
				v.Thumb = true
			}
		case news.BlockList, news.BlockFactbox:
			for _, it := range b.Items {
				v.Items = append(v.Items, template.HTML(it))
			}
		case news.BlockRelated:
			a, err := s.store.GetArticle(ctx, b.ArticleID)
			if err != nil || !a.IsPublic() {
				continue
			}
			v.Related = a
			if a.Live {
				blog, err := s.store.LiveBlog(ctx, a.ID)
				if err != nil {
					return nil, fmt.Errorf("linked live blog %d: %w", a.ID, err)
				}
				v.Running = !blog.Ended()
			}
		}
		out = append(out, v)
	}
	return out, nil
}

// shareLinks are plain links to each network's share endpoint: no
// third-party script is loaded until the reader chooses to share.
func shareLinks(pageURL, title string) []shareLink {
	u, t := url.QueryEscape(pageURL), url.QueryEscape(title)
	return []shareLink{
		{Key: "whatsapp", URL: "https://wa.me/?text=" + t + "%20" + u},
		{Key: "telegram", URL: "https://t.me/share/url?url=" + u + "&text=" + t},
		{Key: "x", URL: "https://x.com/intent/post?url=" + u + "&text=" + t},
		{Key: "facebook", URL: "https://www.facebook.com/sharer/sharer.php?u=" + u},
	}
}

// showUpdated: an update is worth telling readers about when it came
// noticeably after publication.
func showUpdated(a *news.Article) bool {
	return !a.PublishedAt.IsZero() && a.UpdatedAt.Sub(a.PublishedAt) > 5*time.Minute
}

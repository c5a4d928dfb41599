package news

import (
	"net/url"
	"strconv"
)

// The site's address scheme (DESIGN.md §3), in one place: the site routes
// by it, and the newsroom, the API, feeds, sitemaps, alerts and e-mails
// link by it. Paths are site-relative and percent-encoded; callers that
// need an absolute URL put the outlet's origin in front.

// ArticlePath is an article's canonical path, /news/{id}/{slug}. A slug
// may be Arabic; a wrong or missing one is redirected to this.
func ArticlePath(a *Article) string {
	p := "/news/" + strconv.FormatInt(a.ID, 10)
	if a.Slug != "" {
		p += "/" + url.PathEscape(a.Slug)
	}
	return p
}

// ArticlePathDecoded is ArticlePath as a request's URL.Path shows it.
func ArticlePathDecoded(a *Article) string {
	p := "/news/" + strconv.FormatInt(a.ID, 10)
	if a.Slug != "" {
		p += "/" + a.Slug
	}
	return p
}

// The lists an article appears in, by what names them.
const (
	ListSection = "section"
	ListTag     = "tag"
	ListAuthor  = "author"
)

// ListPath is the page of a section, tag or author: /section/{slug}.
func ListPath(kind, slug string) string { return "/" + kind + "/" + url.PathEscape(slug) }

// FeedFiles are the formats every feed comes in.
var FeedFiles = []string{"rss.xml", "atom.xml", "feed.json"}

// FeedPath is a feed of the whole site (kind "") or of one list:
// /feeds/{file} or /feeds/{kind}/{slug}/{file}.
func FeedPath(kind, slug, file string) string {
	if kind == "" {
		return "/feeds/" + file
	}
	return "/feeds/" + kind + "/" + url.PathEscape(slug) + "/" + file
}

// LiveBlogPath is a page of an article's live blog beyond the first.
func LiveBlogPath(articleID int64, page int) string {
	return "/liveblog/" + strconv.FormatInt(articleID, 10) + "?page=" + strconv.Itoa(page)
}

// CorrectionsPath is the page listing the latest corrections and
// editor's notes.
const CorrectionsPath = "/corrections"

// CommentsPath is the page of an article's comments.
func CommentsPath(articleID int64) string { return "/comments/" + strconv.FormatInt(articleID, 10) }

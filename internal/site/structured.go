package site

import (
	"encoding/json"
	"html/template"
	"strconv"

	"khabar/internal/news"
)

// metaTag is a <meta> for social cards: OpenGraph uses property, Twitter
// name.
type metaTag struct {
	Property, Name, Content string
}

// ldJSON marshals structured data for a <script type="application/ld+json">.
// encoding/json escapes <, > and &, so no text can close the script
// element; the result is safe to emit verbatim.
func ldJSON(v any) template.JS {
	b, err := json.Marshal(v)
	if err != nil {
		return ""
	}
	return template.JS(b)
}

// policyProperties are the NewsMediaOrganization properties (the Trust
// Project's) that point at the outlet's pages of each purpose.
var policyProperties = map[news.PagePurpose]string{
	news.PurposeCorrections: "correctionsPolicy",
	news.PurposeEthics:      "ethicsPolicy",
	news.PurposeMasthead:    "masthead",
	news.PurposeAbout:       "ownershipFundingInfo",
	news.PurposeContact:     "actionableFeedbackPolicy",
}

// organization describes the outlet, with its policies' pages as c
// knows them (none when c is nil).
func (s *Site) organization(c *chrome) map[string]any {
	st := s.settings.Get()
	org := map[string]any{"@type": "NewsMediaOrganization", "name": st.SiteName, "url": s.base + "/",
		"logo": map[string]any{"@type": "ImageObject", "url": s.base + s.assets.Path("logo.svg")}}
	if c != nil {
		for purpose, prop := range policyProperties {
			if p, ok := c.Policies[purpose]; ok {
				org[prop] = s.base + p
			}
		}
		if p, ok := c.Policies[news.PurposeEthics]; ok {
			org["publishingPrinciples"] = s.base + p
		}
	}
	var same []string
	for _, l := range st.Follow() {
		same = append(same, l.URL)
	}
	for _, l := range st.Channels() {
		same = append(same, l.URL)
	}
	if len(same) > 0 {
		org["sameAs"] = same
	}
	return org
}

// staticPageStructured describes one of the outlet's pages: a WebPage
// (an AboutPage or ContactPage where it is one) published by the outlet.
func (s *Site) staticPageStructured(d *pageData, p *news.Page) {
	typ := "WebPage"
	switch p.Purpose {
	case news.PurposeAbout:
		typ = "AboutPage"
	case news.PurposeContact:
		typ = "ContactPage"
	}
	d.JSONLD = ldJSON(map[string]any{"@context": "https://schema.org", "@type": typ, "name": p.Title, "url": d.Canonical,
		"inLanguage": s.cat.Lang(), "dateModified": s.eng.DateFormat().ISO(p.UpdatedAt), "publisher": s.organization(d.Chrome)})
	d.Meta = append(d.Meta, metaTag{Property: "og:type", Content: "website"})
	s.socialBasics(d, "")
}

// homeStructured describes the outlet: Organization with its accounts,
// and WebSite with the search box Google can show.
func (s *Site) homeStructured(d *pageData) {
	st := s.settings.Get()
	d.JSONLD = ldJSON([]any{
		map[string]any{"@context": "https://schema.org", "@type": "WebSite", "name": st.SiteName, "url": s.base + "/",
			"inLanguage": s.cat.Lang(),
			"potentialAction": map[string]any{"@type": "SearchAction",
				"target":      map[string]any{"@type": "EntryPoint", "urlTemplate": s.base + "/search?q={search_term_string}"},
				"query-input": "required name=search_term_string"}},
		merge(map[string]any{"@context": "https://schema.org"}, s.organization(d.Chrome)),
	})
	d.Meta = append(d.Meta, metaTag{Property: "og:type", Content: "website"})
	s.socialBasics(d, "")
}

// articleStructured is NewsArticle and BreadcrumbList JSON-LD plus
// OpenGraph and Twitter cards for an article page.
func (s *Site) articleStructured(d *pageData, a *news.Article) {
	u := s.base + news.ArticlePath(a)
	f := s.eng.DateFormat()
	art := map[string]any{"@context": "https://schema.org", "@type": "NewsArticle", "headline": a.Headline,
		"description": d.Description, "inLanguage": a.Language, "mainEntityOfPage": map[string]any{"@type": "WebPage", "@id": u},
		"dateModified": f.ISO(a.UpdatedAt), "publisher": s.organization(d.Chrome), "url": u}
	// A draft in preview has no publication time to state.
	if !a.PublishedAt.IsZero() {
		art["datePublished"] = f.ISO(a.PublishedAt)
	}
	if a.Live {
		art["@type"] = "LiveBlogPosting"
		s.liveBlogStructured(art, d.LiveBlog, u)
	}
	art["commentCount"] = a.CommentCount
	if d.Article.Corrections != nil {
		art["correction"] = s.correctionComments(d.Article.Corrections)
	}
	img := ""
	if m := a.Featured; m != nil {
		img = s.base + "/media/" + m.Path
		images := []map[string]any{}
		for _, ratio := range []string{"16x9", "4x3", "1x1"} { // the shapes Google asks for
			if v, ok := m.Variants[ratio]; ok {
				images = append(images, map[string]any{"@type": "ImageObject", "url": s.base + "/media/" + v.Path, "width": v.Width, "height": v.Height})
			}
		}
		if len(images) == 0 {
			images = append(images, map[string]any{"@type": "ImageObject", "url": img, "width": m.Width, "height": m.Height})
		}
		art["image"] = images
	}
	if a.Section != nil {
		art["articleSection"] = a.Section.Name
	}
	var authors []map[string]any
	for _, au := range a.Authors {
		authors = append(authors, s.person(&authorView{A: &au}))
	}
	if len(authors) > 0 {
		art["author"] = authors
	} else {
		art["author"] = s.organization(d.Chrome)
	}
	var keywords []string
	for _, t := range a.Tags {
		keywords = append(keywords, t.Name)
	}
	if len(keywords) > 0 {
		art["keywords"] = keywords
	}
	d.JSONLD = ldJSON([]any{art, s.breadcrumbs(d.Crumbs, a.Headline, u)})

	d.Meta = append(d.Meta, metaTag{Property: "og:type", Content: "article"})
	if !a.PublishedAt.IsZero() {
		d.Meta = append(d.Meta, metaTag{Property: "article:published_time", Content: f.ISO(a.PublishedAt)})
	}
	d.Meta = append(d.Meta, metaTag{Property: "article:modified_time", Content: f.ISO(a.UpdatedAt)})
	if a.Section != nil {
		d.Meta = append(d.Meta, metaTag{Property: "article:section", Content: a.Section.Name})
	}
	for _, t := range keywords {
		d.Meta = append(d.Meta, metaTag{Property: "article:tag", Content: t})
	}
	s.socialBasics(d, img)
	if m := a.Featured; m != nil {
		d.Meta = append(d.Meta, metaTag{Property: "og:image:width", Content: strconv.Itoa(m.Width)},
			metaTag{Property: "og:image:height", Content: strconv.Itoa(m.Height)}, metaTag{Property: "og:image:alt", Content: m.Alt})
	}
}

// person is an author's Person JSON-LD: the page, the Latin spelling, the
// job title, the photo and the accounts elsewhere (sameAs).
func (s *Site) person(v *authorView) map[string]any {
	a := v.A
	p := map[string]any{"@type": "Person", "name": a.Name, "url": s.base + news.ListPath(news.ListAuthor, a.Slug)}
	if a.NameLatin != "" {
		p["alternateName"] = a.NameLatin
	}
	if a.JobTitle != "" {
		p["jobTitle"] = a.JobTitle
	}
	if v.Photo != nil {
		p["image"] = s.base + mediaURL(v.Photo.Path)
	}
	if same := a.SameAs(); len(same) > 0 {
		p["sameAs"] = same
	}
	return p
}

// breadcrumbs is the BreadcrumbList JSON-LD of a page under the section
// trail crumbs: the site, the sections, then the page itself (name at u)
// unless it is the last section's page (name "").
func (s *Site) breadcrumbs(crumbs []news.Section, name, u string) map[string]any {
	items := []map[string]any{{"@type": "ListItem", "position": 1, "name": s.settings.Get().SiteName, "item": s.base + "/"}}
	for _, sec := range crumbs {
		items = append(items, map[string]any{"@type": "ListItem", "position": len(items) + 1, "name": sec.Name,
			"item": s.base + news.ListPath(news.ListSection, sec.Slug)})
	}
	if name != "" {
		items = append(items, map[string]any{"@type": "ListItem", "position": len(items) + 1, "name": name, "item": u})
	}
	return map[string]any{"@context": "https://schema.org", "@type": "BreadcrumbList", "itemListElement": items}
}

// socialBasics are the cards every page gets.
func (s *Site) socialBasics(d *pageData, image string) {
	st := s.settings.Get()
	locale := "ar_AR"
	if s.cat.Lang() == "en" {
		locale = "en_US"
	}
	d.Meta = append(d.Meta, metaTag{Property: "og:site_name", Content: st.SiteName}, metaTag{Property: "og:locale", Content: locale},
		metaTag{Property: "og:title", Content: d.Title}, metaTag{Property: "og:description", Content: d.Description},
		metaTag{Property: "og:url", Content: d.Canonical})
	card := "summary"
	if image != "" {
		card = "summary_large_image"
		d.Meta = append(d.Meta, metaTag{Property: "og:image", Content: image}, metaTag{Name: "twitter:image", Content: image})
	}
	d.Meta = append(d.Meta, metaTag{Name: "twitter:card", Content: card}, metaTag{Name: "twitter:title", Content: d.Title},
		metaTag{Name: "twitter:description", Content: d.Description})
}

func merge(a, b map[string]any) map[string]any {
	for k, v := range b {
		a[k] = v
	}
	return a
}

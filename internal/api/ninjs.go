package api

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"maps"
	"mime"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"khabar/internal/feed"
	"khabar/internal/news"
)

// NinjsType is the media type of an article as IPTC ninjs.
const NinjsType = "application/ninjs+json"

// articleFormat is the representation r asks of an article: "" for our
// own JSON, or a ninjs version, from ?format= first, else from Accept. A
// format parameter that names nothing known is a 400; an Accept that
// names nothing we write gets our JSON, as browsers' Accept would.
func articleFormat(r *http.Request) (string, bool) {
	if f, ok := r.URL.Query()["format"]; ok {
		switch strings.Join(f, ",") {
		case "json":
			return "", true
		case "ninjs":
			return feed.Ninjs2, true
		case "ninjs3":
			return feed.Ninjs3, true
		}
		return "", false
	}
	for part := range strings.SplitSeq(r.Header.Get("Accept"), ",") {
		mt, params, err := mime.ParseMediaType(strings.TrimSpace(part))
		if err != nil || mt != NinjsType {
			continue
		}
		if v := params["version"]; v == "3" || strings.HasPrefix(v, "3.") {
			return feed.Ninjs3, true
		}
		return feed.Ninjs2, true
	}
	return "", true
}

// BodyHTML gives an article's body as syndicated HTML (what the feeds
// carry), so the API's ninjs and the feeds say the same.
type BodyHTML func(ctx context.Context, a *news.Article) (string, error)

// writeNinjs answers art as ninjs version v.
func (a *API) writeNinjs(w http.ResponseWriter, r *http.Request, art *news.Article, v, cache, etag string) {
	it, err := a.ninjsItem(r, art)
	if err != nil {
		a.failProblem(w, r, err)
		return
	}
	var buf bytes.Buffer
	if err := feed.Ninjs(&buf, it, v); err != nil {
		a.failProblem(w, r, err)
		return
	}
	h := w.Header()
	h.Set("Content-Type", NinjsType+"; version="+v)
	h.Set("Cache-Control", cache)
	h.Set("ETag", etag)
	w.WriteHeader(http.StatusOK)
	w.Write(buf.Bytes())
}

// ninjsItem resolves what ninjs says of art beyond the article itself:
// its body as the feeds carry it, its section's and tags' pages, and its
// pictures with every stored size.
func (a *API) ninjsItem(r *http.Request, art *news.Article) (feed.NinjsItem, error) {
	if a.bodyHTML == nil {
		return feed.NinjsItem{}, errors.New("ninjs: the API was built without a body renderer")
	}
	body, err := a.bodyHTML(r.Context(), art)
	if err != nil {
		return feed.NinjsItem{}, err
	}
	it := feed.NinjsItem{Item: feed.Item{Article: art, URL: a.base + news.ArticlePath(art), HTML: body},
		URI: a.base + "/news/" + strconv.FormatInt(art.ID, 10), Holder: a.settings.Get().SiteName}
	if s := art.Section; s != nil && s.Name != "" {
		it.Subjects = append(it.Subjects, feed.NinjsSubject{Name: s.Name, URI: a.base + news.ListPath(news.ListSection, s.Slug), Literal: "section:" + s.Slug})
	}
	for _, t := range art.Tags {
		it.Subjects = append(it.Subjects, feed.NinjsSubject{Name: t.Name, URI: a.base + news.ListPath(news.ListTag, t.Slug), Literal: "tag:" + t.Slug})
	}
	type use struct {
		id                 int64
		role               string
		alt, caption, cred string
	}
	var uses []use
	if art.FeaturedID != 0 {
		uses = append(uses, use{id: art.FeaturedID, role: "featureimage"})
	}
	for _, b := range art.Body {
		if b.Type == news.BlockImage {
			uses = append(uses, use{id: b.MediaID, role: "bodyimage", alt: b.Alt, caption: b.Caption, cred: b.Credit})
		}
	}
	ids := make([]int64, len(uses))
	for i, u := range uses {
		ids[i] = u.id
	}
	files, err := a.store.MediaByIDs(r.Context(), ids)
	if err != nil {
		return feed.NinjsItem{}, err
	}
	for _, u := range uses {
		m, ok := files[u.id]
		if !ok {
			continue // deleted since: the page drops it too
		}
		p := feed.NinjsPicture{Role: u.role, URI: a.mediaURL(m.Path), Alt: cmp.Or(u.alt, m.Alt), Caption: cmp.Or(u.caption, m.Caption), Credit: cmp.Or(u.cred, m.Credit)}
		p.Renditions = append(p.Renditions, feed.NinjsRendition{Name: "original", Href: p.URI, MIME: m.MIME, Width: m.Width, Height: m.Height, Bytes: m.Bytes})
		for _, z := range m.Sizes {
			p.Renditions = append(p.Renditions, feed.NinjsRendition{Name: z.Format + "-" + strconv.Itoa(z.Width), Href: a.mediaURL(z.Path),
				MIME: "image/" + z.Format, Width: z.Width, Height: z.Height, Bytes: z.Bytes})
		}
		for _, ratio := range slices.Sorted(maps.Keys(m.Variants)) {
			c := m.Variants[ratio]
			p.Renditions = append(p.Renditions, feed.NinjsRendition{Name: "crop-" + ratio, Href: a.mediaURL(c.Path), MIME: m.MIME, Width: c.Width, Height: c.Height})
		}
		it.Pictures = append(it.Pictures, p)
	}
	return it, nil
}

func (a *API) mediaURL(path string) string { return a.base + "/media/" + path }

package site

import (
	"context"
	"html"
	"net/http"
	"strconv"
	"strings"

	"khabar/internal/news"
	"khabar/internal/render"
	"khabar/internal/web"
)

// tagCorrections is the cache tag of the /corrections pages.
const tagCorrections = "corrections"

// correctionBox is an article's editor's notes, or its corrections, as the
// page shows them: in a box of their own, each dated.
type correctionBox struct {
	Kind  news.CorrectionKind
	Items []news.Correction
}

// correctionBoxes parts an article's corrections (oldest first, as
// stored) into its notes and its corrections; nil for a kind it has none
// of.
func correctionBoxes(list []news.Correction) (notes, errata *correctionBox) {
	for _, c := range list {
		box := &errata
		if c.Kind == news.EditorsNote {
			box = &notes
		}
		if *box == nil {
			*box = &correctionBox{Kind: c.Kind}
		}
		(*box).Items = append((*box).Items, c)
	}
	return notes, errata
}

// correctionComments are an article's corrections as schema.org's
// CorrectionComment. Editor's notes correct nothing, so they stay out.
func (s *Site) correctionComments(b *correctionBox) []map[string]any {
	f := s.eng.DateFormat()
	out := make([]map[string]any, 0, len(b.Items))
	for _, c := range b.Items {
		out = append(out, map[string]any{"@type": "CorrectionComment", "text": c.Text, "datePublished": f.ISO(c.CreatedAt)})
	}
	return out
}

// feedBox writes a box for feed readers as the page shows it: its title,
// each entry dated, and an absolute link to /corrections; "" for none.
func (s *Site) feedBox(b *correctionBox) string {
	if b == nil {
		return ""
	}
	f, esc := s.eng.DateFormat(), html.EscapeString
	var sb strings.Builder
	sb.WriteString("<aside><p><strong>" + esc(s.cat.T("correction_kind_"+string(b.Kind))) + "</strong></p>")
	for _, c := range b.Items {
		sb.WriteString(`<p><time datetime="` + f.ISO(c.CreatedAt) + `">` + esc(f.DateTime(c.CreatedAt)) + "</time>: " + esc(c.Text) + "</p>")
	}
	sb.WriteString(`<p><a href="` + esc(s.base+news.CorrectionsPath) + `">` + esc(s.cat.T("corrections_all")) + "</a></p></aside>")
	return sb.String()
}

// correctionsView is the /corrections page: a page of the latest
// corrections and notes, each with its article.
type correctionsView struct {
	Items []news.Correction
	Pager pager
}

// correctionsPage is GET /corrections: what the outlet corrected and
// explained, newest first, perPage a page.
func (s *Site) correctionsPage(w http.ResponseWriter, r *http.Request) {
	pageNo, ok := web.PageNumber(r)
	if !ok {
		s.Error(w, r, http.StatusBadRequest)
		return
	}
	key := news.CorrectionsPath
	if pageNo > 1 {
		key += "?page=" + strconv.Itoa(pageNo)
	}
	s.serveCached(w, r, key, func(ctx context.Context) (*render.Page, error) {
		items, total, err := s.store.RecentCorrections(ctx, perPage, (pageNo-1)*perPage)
		if err != nil {
			return nil, err
		}
		pages := max(1, (total+perPage-1)/perPage)
		if pageNo > pages {
			return nil, news.ErrNotFound
		}
		title := s.cat.T("corrections_title")
		if pageNo > 1 {
			title += " – " + s.cat.T("page_n", s.settings.Get().Digits.Int(pageNo))
		}
		d, err := s.newData(ctx, title)
		if err != nil {
			return nil, err
		}
		d.Canonical, d.Description = s.base+key, s.cat.T("corrections_intro")
		if pageNo > 1 {
			d.Robots = "noindex, follow" // as list pages: page 1 leads to the rest
		}
		s.socialBasics(d, "")
		d.Corrections = &correctionsView{Items: items, Pager: pagerAt(news.CorrectionsPath, pageNo, pages)}
		return s.page("corrections", d, tagCorrections)
	})
}

package newsroom

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"

	"khabar/internal/news"
	"khabar/internal/web"
)

// liveEntriesPerPage is how many entries the newsroom lists at a time.
const liveEntriesPerPage = 50

// liveBlogPage is an article's live blog in the newsroom: the coverage,
// the form for a new entry and the entries, newest first; or, when
// Editing, the form of one entry.
type liveBlogPage struct {
	A        *news.Article
	Blog     *news.LiveBlog // nil while the article is not live
	Entries  []news.LiveEntry
	Total    int
	PrevURL  string
	NextURL  string
	Form     entryForm
	Editing  bool
	Authors  []news.Author
	Media    []news.Media
	CanCover bool   // may open or close the coverage
	CanPost  bool   // may post entries
	Public   string // where readers see it, once published
	staff    news.Staff
}

// CanChange reports whether the viewer may correct or delete e.
func (p *liveBlogPage) CanChange(e news.LiveEntry) bool { return e.ChangeableBy(p.staff, p.A) == nil }

// entryForm is an entry as the newsroom edits it: a title, text whose
// blank lines separate paragraphs, and at most one quote, image and
// embed, which is what a live update is made of. Blocks of other kinds
// (an import's list, say) are kept as they are and counted in Kept.
type entryForm struct {
	ID, Version int64
	Title, Text string
	Quote, Cite string
	QuoteFirst  bool // the quote leads, before the text
	MediaID     int64
	Caption     string
	Embed       string
	AuthorID    int64
	Key         bool
	Kept        int
}

var paragraphBreak = regexp.MustCompile(`\n[ \t]*\n`)

// blocks turns the form into an entry body; kept are the stored blocks
// the form does not show.
func (f *entryForm) blocks(kept []news.Block) []news.Block {
	var out []news.Block
	for _, p := range paragraphBreak.Split(strings.ReplaceAll(f.Text, "\r\n", "\n"), -1) {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, news.Block{Type: news.BlockParagraph, Text: strings.ReplaceAll(p, "\n", "<br>")})
		}
	}
	if strings.TrimSpace(f.Quote) != "" {
		q := news.Block{Type: news.BlockQuote, Text: f.Quote, Cite: f.Cite}
		if f.QuoteFirst {
			out = append([]news.Block{q}, out...)
		} else {
			out = append(out, q)
		}
	}
	if f.MediaID > 0 {
		out = append(out, news.Block{Type: news.BlockImage, MediaID: f.MediaID, Caption: f.Caption})
	}
	if strings.TrimSpace(f.Embed) != "" {
		out = append(out, news.Block{Type: news.BlockEmbed, URL: f.Embed})
	}
	return append(out, kept...)
}

var lineBreak = strings.NewReplacer("<br>", "\n", "<br/>", "\n", "<br />", "\n")

// formOf is the form showing e, and the blocks it cannot show.
func formOf(e *news.LiveEntry) (entryForm, []news.Block) {
	f := entryForm{ID: e.ID, Version: e.Version, Title: e.Title, AuthorID: e.AuthorID, Key: e.Key}
	var paras []string
	var kept []news.Block
	for _, b := range e.Body {
		switch {
		case b.Type == news.BlockParagraph:
			paras = append(paras, lineBreak.Replace(b.Text))
		case b.Type == news.BlockQuote && f.Quote == "":
			f.Quote, f.Cite, f.QuoteFirst = b.Text, b.Cite, len(paras) == 0
		case b.Type == news.BlockImage && f.MediaID == 0:
			f.MediaID, f.Caption = b.MediaID, b.Caption
		case b.Type == news.BlockEmbed && f.Embed == "":
			f.Embed = b.URL
		default:
			kept = append(kept, b)
		}
	}
	f.Text, f.Kept = strings.Join(paras, "\n\n"), len(kept)
	return f, kept
}

// readEntryForm reads the posted form; problems only a form can have (an
// id that is not a number) go to errs.
func readEntryForm(v url.Values, errs map[string]string) entryForm {
	f := entryForm{Title: v.Get("title"), Text: v.Get("text"), Quote: v.Get("quote"), Cite: v.Get("cite"),
		Caption: v.Get("caption"), Embed: v.Get("embed"), Key: v.Get("key") == "on",
		QuoteFirst: v.Get("quote_first") == "on"}
	f.MediaID = formID(v.Get("media"), "media", errs)
	f.AuthorID = formID(v.Get("author"), "author", errs)
	return f
}

// liveBlog is GET /admin/articles/{id}/liveblog.
func (n *Newsroom) liveBlog(w http.ResponseWriter, r *http.Request) {
	a, ok := n.loadArticle(w, r)
	if !ok {
		return
	}
	page := 1
	if v := r.URL.Query().Get("page"); v != "" {
		p, err := strconv.Atoi(v)
		if err != nil || p < 1 || p > 100000 {
			n.Error(w, r, http.StatusBadRequest)
			return
		}
		page = p
	}
	p := &liveBlogPage{A: a, Form: entryForm{AuthorID: n.defaultAuthor(r, a)}}
	n.renderLiveBlog(w, r, http.StatusOK, p, page, nil)
}

// defaultAuthor signs a new entry: the byline of the user writing it, or
// else the article's first author.
func (n *Newsroom) defaultAuthor(r *http.Request, a *news.Article) int64 {
	u := userFrom(r.Context())
	authors, err := n.store.ListAuthors(r.Context())
	if err == nil {
		for _, au := range authors {
			if au.UserID == u.ID {
				return au.ID
			}
		}
	}
	if len(a.Authors) > 0 {
		return a.Authors[0].ID
	}
	return 0
}

func (n *Newsroom) renderLiveBlog(w http.ResponseWriter, r *http.Request, status int, p *liveBlogPage, page int, errs map[string]string) {
	ctx := r.Context()
	blog, err := n.store.LiveBlog(ctx, p.A.ID)
	switch {
	case err == nil:
		p.Blog = &blog
	case !errors.Is(err, news.ErrNotLive):
		n.fail(w, r, fmt.Errorf("read live blog: %w", err))
		return
	}
	if p.Authors, err = n.store.ListAuthors(ctx); err != nil {
		n.fail(w, r, fmt.Errorf("list authors: %w", err))
		return
	}
	if p.Media, err = n.store.ListMedia(ctx, 200, 0); err != nil {
		n.fail(w, r, fmt.Errorf("list media: %w", err))
		return
	}
	if !p.Editing {
		if p.Entries, p.Total, err = n.store.LiveEntries(ctx, p.A.ID, liveEntriesPerPage, (page-1)*liveEntriesPerPage); err != nil {
			n.fail(w, r, fmt.Errorf("list live entries: %w", err))
			return
		}
		if page > 1 && len(p.Entries) == 0 {
			n.Error(w, r, http.StatusNotFound)
			return
		}
		base := liveBlogAdminPath(p.A.ID)
		if page > 1 {
			p.PrevURL = base + "?page=" + strconv.Itoa(page-1)
		}
		if page*liveEntriesPerPage < p.Total {
			p.NextURL = base + "?page=" + strconv.Itoa(page+1)
		}
	}
	u := userFrom(ctx)
	p.staff = u.Staff()
	p.CanCover, p.CanPost = p.A.CoverableBy(p.staff) == nil, p.A.LivePostableBy(p.staff) == nil
	if p.A.IsPublic() {
		p.Public = news.ArticlePath(p.A)
	}
	n.render(w, status, "liveblog", &data{User: u, Title: n.cat.T("admin_liveblog") + ": " + p.A.Headline, Page: p, Errors: errs,
		Flash: liveFlash(r)})
}

func liveBlogAdminPath(articleID int64) string {
	return "/admin/articles/" + strconv.FormatInt(articleID, 10) + "/liveblog"
}

// liveFlash is the message a live blog redirect asks for.
func liveFlash(r *http.Request) string {
	switch done := r.URL.Query().Get("done"); done {
	case "entry_posted", "entry_saved", "entry_deleted", "coverage_open", "coverage_closed":
		return "flash_" + done
	}
	return ""
}

// liveCoverage is POST /admin/articles/{id}/liveblog/coverage: open,
// reopen or close the coverage, for those the rules allow (CoverableBy).
func (n *Newsroom) liveCoverage(w http.ResponseWriter, r *http.Request) {
	a, ok := n.loadArticle(w, r)
	if !ok || !n.parseForm(w, r) {
		return
	}
	if err := a.CoverableBy(userFrom(r.Context()).Staff()); err != nil {
		n.fail(w, r, err)
		return
	}
	var open bool
	switch r.PostForm.Get("action") {
	case "open":
		open = true
	case "close":
	default:
		n.Error(w, r, http.StatusBadRequest)
		return
	}
	err := n.store.SetLiveCoverage(r.Context(), a.ID, open)
	switch {
	case errors.Is(err, news.ErrNotLive):
		n.renderLiveBlog(w, r, http.StatusConflict, &liveBlogPage{A: a}, 1, map[string]string{"coverage": "err_not_live"})
		return
	case err != nil:
		n.fail(w, r, fmt.Errorf("set live coverage: %w", err))
		return
	}
	done := "coverage_closed"
	if open {
		done = "coverage_open"
	}
	n.log.InfoContext(r.Context(), "live coverage", "user", userFrom(r.Context()).ID, "article", a.ID, "open", open)
	http.Redirect(w, r, liveBlogAdminPath(a.ID)+"?done="+done, http.StatusSeeOther)
}

// addLiveEntry is POST /admin/articles/{id}/liveblog: a new entry, its
// poster's to correct.
func (n *Newsroom) addLiveEntry(w http.ResponseWriter, r *http.Request) {
	a, ok := n.loadArticle(w, r)
	if !ok || !n.parseForm(w, r) {
		return
	}
	u := userFrom(r.Context())
	if err := a.LivePostableBy(u.Staff()); err != nil {
		n.fail(w, r, err)
		return
	}
	errs := map[string]string{}
	f := readEntryForm(r.PostForm, errs)
	e := &news.LiveEntry{ArticleID: a.ID, Title: f.Title, Body: f.blocks(nil), Key: f.Key, AuthorID: f.AuthorID, CreatedBy: u.ID}
	if len(errs) == 0 {
		err := n.store.CreateLiveEntry(r.Context(), e)
		if err == nil {
			http.Redirect(w, r, liveBlogAdminPath(a.ID)+"?done=entry_posted", http.StatusSeeOther)
			return
		}
		if !n.entryErrors(w, r, err, errs) {
			return
		}
	}
	n.renderLiveBlog(w, r, entryStatus(errs), &liveBlogPage{A: a, Form: f}, 1, errs)
}

// entryErrors turns a refused entry into form errors; false when it was
// not the form's fault and the answer is written.
func (n *Newsroom) entryErrors(w http.ResponseWriter, r *http.Request, err error, errs map[string]string) bool {
	switch {
	case errors.Is(err, news.ErrNotLive):
		errs["coverage"] = "err_not_live"
	case errors.Is(err, news.ErrCoverageEnded):
		errs["coverage"] = "err_coverage_ended"
	case errors.Is(err, news.ErrConflict):
		errs["version"] = "err_conflict"
	case !fieldErrors(err, errs):
		n.fail(w, r, fmt.Errorf("save live entry: %w", err))
		return false
	}
	return true
}

// entryStatus is the status of a form shown again with errs.
func entryStatus(errs map[string]string) int {
	if errs["coverage"] != "" || errs["version"] != "" {
		return http.StatusConflict
	}
	return http.StatusUnprocessableEntity
}

// loadEntry reads the entry of the URL for a change, which must belong to
// the URL's article (anything else is as missing as a wrong id) and be
// one the user may change (ChangeableBy).
func (n *Newsroom) loadEntry(w http.ResponseWriter, r *http.Request, a *news.Article) (*news.LiveEntry, bool) {
	id, ok := web.PositiveID(r.PathValue("entry"))
	if !ok {
		n.Error(w, r, http.StatusNotFound)
		return nil, false
	}
	e, err := n.store.LiveEntry(r.Context(), id)
	if err == nil && e.ArticleID != a.ID {
		err = fmt.Errorf("live entry %d of article %d: %w", id, a.ID, news.ErrNotFound)
	}
	if err == nil {
		err = e.ChangeableBy(userFrom(r.Context()).Staff(), a)
	}
	if err != nil {
		n.fail(w, r, err)
		return nil, false
	}
	return e, true
}

// editLiveEntry is GET /admin/articles/{id}/liveblog/{entry}.
func (n *Newsroom) editLiveEntry(w http.ResponseWriter, r *http.Request) {
	a, ok := n.loadArticle(w, r)
	if !ok {
		return
	}
	e, ok := n.loadEntry(w, r, a)
	if !ok {
		return
	}
	f, _ := formOf(e)
	n.renderLiveBlog(w, r, http.StatusOK, &liveBlogPage{A: a, Form: f, Editing: true}, 1, nil)
}

// saveLiveEntry is POST /admin/articles/{id}/liveblog/{entry}: a
// correction, refused when someone else saved the entry meanwhile.
func (n *Newsroom) saveLiveEntry(w http.ResponseWriter, r *http.Request) {
	a, ok := n.loadArticle(w, r)
	if !ok {
		return
	}
	stored, ok := n.loadEntry(w, r, a)
	if !ok || !n.parseForm(w, r) {
		return
	}
	version, err := strconv.ParseInt(r.PostForm.Get("version"), 10, 64)
	if err != nil {
		n.Error(w, r, http.StatusBadRequest)
		return
	}
	errs := map[string]string{}
	f := readEntryForm(r.PostForm, errs)
	_, kept := formOf(stored)
	f.ID, f.Version, f.Kept = stored.ID, version, len(kept)
	e := &news.LiveEntry{ID: stored.ID, ArticleID: a.ID, Title: f.Title, Body: f.blocks(kept), Key: f.Key, AuthorID: f.AuthorID, Version: version}
	if len(errs) == 0 {
		err := n.store.UpdateLiveEntry(r.Context(), e)
		if err == nil {
			http.Redirect(w, r, liveBlogAdminPath(a.ID)+"?done=entry_saved#e"+strconv.FormatInt(e.ID, 10), http.StatusSeeOther)
			return
		}
		if !n.entryErrors(w, r, err, errs) {
			return
		}
	}
	n.renderLiveBlog(w, r, entryStatus(errs), &liveBlogPage{A: a, Form: f, Editing: true}, 1, errs)
}

// deleteLiveEntry is POST /admin/articles/{id}/liveblog/{entry}/delete.
func (n *Newsroom) deleteLiveEntry(w http.ResponseWriter, r *http.Request) {
	a, ok := n.loadArticle(w, r)
	if !ok {
		return
	}
	e, ok := n.loadEntry(w, r, a)
	if !ok {
		return
	}
	err := n.store.DeleteLiveEntry(r.Context(), a.ID, e.ID)
	switch {
	case err != nil:
		n.fail(w, r, fmt.Errorf("delete live entry: %w", err))
	default:
		http.Redirect(w, r, liveBlogAdminPath(a.ID)+"?done=entry_deleted", http.StatusSeeOther)
	}
}

package newsroom

import (
	"errors"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"

	"khabar/internal/auth"
	"khabar/internal/locale"
	"khabar/internal/news"
	"khabar/internal/web"
)

func monthStyles() []locale.MonthStyle { return locale.MonthStyles() }

// editPage is the article form's data.
type editPage struct {
	A          *news.Article
	New        bool
	Sections   []news.Section
	Authors    []news.Author
	Media      []news.Media
	TagText    string
	Selected   map[int64]bool // author ids
	BlockTypes []news.BlockType
	CanPublish bool
}

func (n *Newsroom) newArticle(w http.ResponseWriter, r *http.Request) {
	a := &news.Article{Status: news.StatusDraft, Body: []news.Block{{Type: news.BlockParagraph}}}
	n.renderEdit(w, r, http.StatusOK, a, true, nil)
}

func (n *Newsroom) editArticle(w http.ResponseWriter, r *http.Request) {
	a, ok := n.loadArticle(w, r)
	if !ok {
		return
	}
	n.renderEdit(w, r, http.StatusOK, a, false, nil)
}

func (n *Newsroom) loadArticle(w http.ResponseWriter, r *http.Request) (*news.Article, bool) {
	id, ok := parseID(r)
	if !ok {
		n.Error(w, r, http.StatusNotFound)
		return nil, false
	}
	a, err := n.store.GetArticle(r.Context(), id)
	if errors.Is(err, news.ErrNotFound) {
		n.Error(w, r, http.StatusNotFound)
		return nil, false
	}
	if err != nil {
		n.log.Error("get article", "id", id, "err", err)
		n.Error(w, r, http.StatusInternalServerError)
		return nil, false
	}
	return a, true
}

func (n *Newsroom) renderEdit(w http.ResponseWriter, r *http.Request, status int, a *news.Article, isNew bool, errs map[string]string) {
	ctx := r.Context()
	secs, err := n.store.ListSections(ctx)
	if err != nil {
		n.log.Error("list sections", "err", err)
		n.Error(w, r, http.StatusInternalServerError)
		return
	}
	authors, err := n.store.ListAuthors(ctx)
	if err != nil {
		n.log.Error("list authors", "err", err)
		n.Error(w, r, http.StatusInternalServerError)
		return
	}
	media, err := n.store.ListMedia(ctx, 200, 0)
	if err != nil {
		n.log.Error("list media", "err", err)
		n.Error(w, r, http.StatusInternalServerError)
		return
	}
	u := userFrom(ctx)
	p := &editPage{A: a, New: isNew, Sections: secs, Authors: authors, Media: media, Selected: map[int64]bool{},
		BlockTypes: news.BlockTypes, CanPublish: u.Can(auth.PermPublish)}
	names := make([]string, len(a.Tags))
	for i, t := range a.Tags {
		names[i] = t.Name
	}
	p.TagText = strings.Join(names, "، ")
	for _, au := range a.Authors {
		p.Selected[au.ID] = true
	}
	title := n.cat.T("admin_new_article")
	if !isNew {
		title = a.Headline
	}
	n.render(w, status, "edit", &data{User: u, Title: title, Page: p, Errors: errs, Flash: flash(r)})
}

// saveArticle handles the article form: save, add a block, or save and
// publish. Writers may only touch articles that are not live.
func (n *Newsroom) saveArticle(w http.ResponseWriter, r *http.Request) {
	u := userFrom(r.Context())
	if !n.parseForm(w, r) {
		return
	}
	isNew := r.PathValue("id") == ""
	a := &news.Article{Status: news.StatusDraft}
	if !isNew {
		stored, ok := n.loadArticle(w, r)
		if !ok {
			return
		}
		if stored.IsPublic() && !u.Can(auth.PermPublish) {
			n.Error(w, r, http.StatusForbidden)
			return
		}
		a = stored
	}
	// A form without its block count or (for a stored article) its version
	// was not made by our editor; saving it would wipe the body or skip the
	// conflict check.
	count, err := strconv.Atoi(r.PostForm.Get("blocks"))
	badCount := (r.PostForm.Has("blocks") || !isNew) && (err != nil || count < 0)
	if badCount || (!isNew && !r.PostForm.Has("version")) {
		n.Error(w, r, http.StatusBadRequest)
		return
	}
	errs := map[string]string{}
	readForm(r.PostForm, a, errs)
	action := r.PostForm.Get("action")
	if action == "add_block" {
		t := news.BlockType(r.PostForm.Get("add_type"))
		if !validType(t) {
			errs["add_type"] = "err_block_type"
		} else {
			a.Body = append(a.Body, news.Block{Type: t, Level: 2})
		}
		n.renderEdit(w, r, http.StatusOK, a, isNew, errs)
		return
	}
	if action == "publish" {
		if !u.Can(auth.PermPublish) {
			n.Error(w, r, http.StatusForbidden)
			return
		}
		a.Status = news.StatusPublished
	}
	if len(errs) > 0 {
		n.renderEdit(w, r, http.StatusUnprocessableEntity, a, isNew, errs)
		return
	}
	if isNew {
		err = n.store.CreateArticle(r.Context(), a)
	} else {
		err = n.store.UpdateArticle(r.Context(), a)
	}
	switch {
	case err == nil:
	case errors.Is(err, news.ErrConflict):
		n.renderEdit(w, r, http.StatusConflict, a, isNew, map[string]string{"version": "err_conflict"})
		return
	case fieldErrors(err, errs):
		n.renderEdit(w, r, http.StatusUnprocessableEntity, a, isNew, errs)
		return
	default:
		n.log.Error("save article", "err", err)
		n.Error(w, r, http.StatusInternalServerError)
		return
	}
	n.log.Info("article saved", "user", u.ID, "article", a.ID, "status", a.Status)
	done := "saved"
	if action == "publish" {
		done = "published"
	}
	http.Redirect(w, r, "/admin/articles/"+strconv.FormatInt(a.ID, 10)+"?done="+done, http.StatusSeeOther)
}

func validType(t news.BlockType) bool {
	for _, bt := range news.BlockTypes {
		if bt == t {
			return true
		}
	}
	return false
}

// readForm copies the submitted fields onto a. Problems that only the
// form can have (a non-numeric id) are recorded in errs; the rest is left
// to news.Article.Validate.
func readForm(f url.Values, a *news.Article, errs map[string]string) {
	a.Headline = f.Get("headline")
	a.Kicker = f.Get("kicker")
	a.Lead = f.Get("lead")
	a.Slug = f.Get("slug")
	a.Source = f.Get("source")
	a.SEOTitle = f.Get("seo_title")
	a.SEODescription = f.Get("seo_description")
	a.Breaking = f.Get("breaking") == "on"
	a.CommentsMode = news.CommentsMode(f.Get("comments_mode"))
	if v, ok := f["version"]; ok {
		ver, err := strconv.ParseInt(v[0], 10, 64)
		if err != nil {
			errs["version"] = "err_unknown"
		}
		a.Version = ver
	}
	a.SectionID = formID(f.Get("section"), "section", errs)
	a.FeaturedID = formID(f.Get("featured"), "featured", errs)
	a.Authors = nil
	for _, v := range f["authors"] {
		if id := formID(v, "authors", errs); id > 0 {
			a.Authors = append(a.Authors, news.Author{ID: id})
		}
	}
	a.Tags = nil
	for _, name := range strings.FieldsFunc(f.Get("tags"), func(r rune) bool { return r == ',' || r == '،' || r == '\n' }) {
		if name = strings.TrimSpace(name); name != "" {
			a.Tags = append(a.Tags, news.Tag{Name: name})
		}
	}
	a.Body = readBlocks(f, errs)
}

func formID(v, field string, errs map[string]string) int64 {
	if v == "" || v == "0" {
		return 0
	}
	id, ok := web.PositiveID(v)
	if !ok {
		errs[field] = "err_unknown"
	}
	return id
}

// readBlocks reads b0_type … bN_type and their fields, drops blocks marked
// for deletion and orders the rest by their position field.
func readBlocks(f url.Values, errs map[string]string) []news.Block {
	count, err := strconv.Atoi(f.Get("blocks"))
	if err != nil || count < 0 {
		count = 0
	}
	if count > news.MaxBlocks {
		errs["body"] = "err_too_many_blocks"
		count = news.MaxBlocks
	}
	type positioned struct {
		pos float64
		b   news.Block
	}
	var list []positioned
	for i := 0; i < count; i++ {
		p := "b" + strconv.Itoa(i) + "_"
		t := news.BlockType(f.Get(p + "type"))
		if t == "" || f.Get(p+"delete") == "on" {
			continue
		}
		b := news.Block{Type: t, Text: f.Get(p + "text"), Cite: f.Get(p + "cite"), Caption: f.Get(p + "caption"),
			Credit: f.Get(p + "credit"), Alt: f.Get(p + "alt"), URL: f.Get(p + "url"), Title: f.Get(p + "title"),
			Ordered: f.Get(p+"ordered") == "on"}
		b.Level, _ = strconv.Atoi(f.Get(p + "level"))
		b.MediaID = formID(f.Get(p+"media"), "body", errs)
		b.ArticleID = formID(f.Get(p+"article"), "body", errs)
		if items := f.Get(p + "items"); items != "" {
			for _, it := range strings.Split(items, "\n") {
				if it = strings.TrimSpace(it); it != "" {
					b.Items = append(b.Items, it)
				}
			}
		}
		// A new, untouched paragraph is not an error, just nothing.
		if t == news.BlockParagraph && strings.TrimSpace(b.Text) == "" {
			continue
		}
		pos, err := strconv.ParseFloat(f.Get(p+"pos"), 64)
		if err != nil {
			pos = float64(i + 1)
		}
		list = append(list, positioned{pos: pos, b: b})
	}
	sort.SliceStable(list, func(i, j int) bool { return list[i].pos < list[j].pos })
	out := make([]news.Block, len(list))
	for i, p := range list {
		out[i] = p.b
	}
	return out
}

func (n *Newsroom) previewArticle(w http.ResponseWriter, r *http.Request) {
	a, ok := n.loadArticle(w, r)
	if !ok {
		return
	}
	body, err := n.preview.RenderPreview(r.Context(), a)
	if err != nil {
		n.log.Error("preview", "err", err)
		n.Error(w, r, http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Write(body)
}

// setStatus publishes or unpublishes from the list or the form.
func (n *Newsroom) setStatus(w http.ResponseWriter, r *http.Request) {
	id, ok := parseID(r)
	if !ok {
		n.Error(w, r, http.StatusNotFound)
		return
	}
	if !n.parseForm(w, r) {
		return
	}
	version, err := strconv.ParseInt(r.PostForm.Get("version"), 10, 64)
	if err != nil {
		n.Error(w, r, http.StatusBadRequest)
		return
	}
	var st news.Status
	switch r.PostForm.Get("status") {
	case "published":
		st = news.StatusPublished
	case "unpublished":
		st = news.StatusUnpublished
	default:
		n.Error(w, r, http.StatusBadRequest)
		return
	}
	a, err := n.store.SetStatus(r.Context(), id, version, st)
	switch {
	case errors.Is(err, news.ErrNotFound):
		n.Error(w, r, http.StatusNotFound)
		return
	case errors.Is(err, news.ErrConflict):
		n.Error(w, r, http.StatusConflict)
		return
	case news.IsInvalid(err):
		// Publishing a draft that is not complete yet: show the form with why.
		a, ok := n.loadArticle(w, r)
		if !ok {
			return
		}
		errs := map[string]string{}
		fieldErrors(err, errs)
		n.renderEdit(w, r, http.StatusUnprocessableEntity, a, false, errs)
		return
	case err != nil:
		n.log.Error("set status", "err", err)
		n.Error(w, r, http.StatusInternalServerError)
		return
	}
	n.log.Info("article status", "user", userFrom(r.Context()).ID, "article", a.ID, "status", st)
	http.Redirect(w, r, "/admin/articles/"+strconv.FormatInt(a.ID, 10)+"?done="+string(st), http.StatusSeeOther)
}

package newsroom

import (
	"fmt"
	"net/http"
	"strconv"

	"khabar/internal/news"
	"khabar/internal/web"
)

// pagesPage lists the outlet's own pages in footer order.
type pagesPage struct {
	Pages []news.Page
	// Moved is the page just moved in direction Dir: that button keeps
	// the keyboard focus, as in the sections' list.
	Moved int64
	Dir   string
}

// pageForm is a static page's form: its fields and the block editor.
type pageForm struct {
	P          news.Page
	New        bool
	Purposes   []news.PagePurpose
	BlockTypes []news.BlockType
	Media      []news.Media
}

// Blocks is the block editor's part of the form.
func (p *pageForm) Blocks(errs map[string]string) blockEditor {
	return blockEditor{Body: p.P.Body, BlockTypes: p.BlockTypes, Media: p.Media, Errors: errs}
}

// staticPages is GET /admin/pages (editors and admins).
func (n *Newsroom) staticPages(w http.ResponseWriter, r *http.Request) {
	list, err := n.store.ListPages(r.Context())
	if err != nil {
		n.fail(w, r, fmt.Errorf("list pages: %w", err))
		return
	}
	p := &pagesPage{Pages: list}
	if id, ok := web.PositiveID(r.URL.Query().Get("moved")); ok {
		p.Moved, p.Dir = id, r.URL.Query().Get("dir")
	}
	n.render(w, http.StatusOK, "static_pages", &data{User: userFrom(r.Context()), Title: n.cat.T("admin_pages"), Page: p, Flash: flash(r)})
}

// newStaticPage is GET /admin/pages/new.
func (n *Newsroom) newStaticPage(w http.ResponseWriter, r *http.Request) {
	n.renderPageForm(w, r, http.StatusOK, &pageForm{New: true, P: news.Page{Footer: true, Body: []news.Block{{Type: news.BlockParagraph}}}}, nil)
}

// editStaticPage is GET /admin/pages/{id}.
func (n *Newsroom) editStaticPage(w http.ResponseWriter, r *http.Request) {
	if pg := n.targetPage(w, r); pg != nil {
		n.renderPageForm(w, r, http.StatusOK, &pageForm{P: *pg}, nil)
	}
}

func (n *Newsroom) renderPageForm(w http.ResponseWriter, r *http.Request, status int, p *pageForm, errs map[string]string) {
	media, err := n.store.ListMedia(r.Context(), 200, 0)
	if err != nil {
		n.fail(w, r, fmt.Errorf("list media: %w", err))
		return
	}
	p.Media, p.BlockTypes, p.Purposes = media, news.BlockTypes, news.PagePurposes
	title := n.cat.T("page_new")
	if !p.New {
		title = n.cat.T("page_edit_title", p.P.Title)
	}
	n.render(w, status, "static_page_edit", &data{User: userFrom(r.Context()), Title: title, Page: p, Errors: errs, Flash: flash(r)})
}

// targetPage is the static page of the path's id, or a 404 page.
func (n *Newsroom) targetPage(w http.ResponseWriter, r *http.Request) *news.Page {
	id, ok := parseID(r)
	if !ok {
		n.Error(w, r, http.StatusNotFound)
		return nil
	}
	pg, err := n.store.PageByID(r.Context(), id)
	if err != nil {
		n.fail(w, r, err)
		return nil
	}
	return pg
}

// saveStaticPage is POST /admin/pages/new and POST /admin/pages/{id}:
// save, or add a block and show the form again.
func (n *Newsroom) saveStaticPage(w http.ResponseWriter, r *http.Request) {
	if !n.parseForm(w, r) {
		return
	}
	form := &pageForm{New: r.PathValue("id") == ""}
	if !form.New {
		pg := n.targetPage(w, r)
		if pg == nil {
			return
		}
		form.P = *pg
	}
	f := r.PostForm
	errs := map[string]string{}
	pg := &form.P
	pg.Title, pg.Slug, pg.Description = f.Get("title"), f.Get("slug"), f.Get("description")
	pg.Purpose, pg.Footer = news.PagePurpose(f.Get("purpose")), f.Get("footer") == "on"
	pg.Body = readBlocks(f, errs)
	if f.Get("action") == "add_block" {
		if t := news.BlockType(f.Get("add_type")); validType(t) {
			pg.Body = append(pg.Body, news.Block{Type: t, Level: 2})
		} else {
			errs["add_type"] = "err_block_type"
		}
		n.renderPageForm(w, r, http.StatusOK, form, errs)
		return
	}
	if len(errs) > 0 {
		n.renderPageForm(w, r, http.StatusUnprocessableEntity, form, errs)
		return
	}
	actor := userFrom(r.Context()).Actor()
	var err error
	if form.New {
		err = n.store.AddPage(r.Context(), pg, actor)
	} else {
		err = n.store.UpdatePage(r.Context(), pg, actor)
	}
	if err != nil {
		if !fieldErrors(err, errs) {
			n.fail(w, r, err)
			return
		}
		n.renderPageForm(w, r, http.StatusUnprocessableEntity, form, errs)
		return
	}
	http.Redirect(w, r, "/admin/pages/"+strconv.FormatInt(pg.ID, 10)+"?done=page_saved", http.StatusSeeOther)
}

// moveStaticPage is POST /admin/pages/{id}/move, dir up or down.
func (n *Newsroom) moveStaticPage(w http.ResponseWriter, r *http.Request) {
	id, dir, ok := n.postedMove(w, r)
	if !ok {
		return
	}
	if err := n.store.MovePage(r.Context(), id, dir == "up", userFrom(r.Context()).Actor()); err != nil {
		n.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/admin/pages?done=page_moved&moved="+strconv.FormatInt(id, 10)+"&dir="+dir, http.StatusSeeOther)
}

// deleteStaticPage is POST /admin/pages/{id}/delete.
func (n *Newsroom) deleteStaticPage(w http.ResponseWriter, r *http.Request) {
	id, ok := n.postedID(w, r)
	if !ok {
		return
	}
	if r.PostForm.Get("confirm") != "on" {
		if pg := n.targetPage(w, r); pg != nil {
			n.renderPageForm(w, r, http.StatusUnprocessableEntity, &pageForm{P: *pg}, map[string]string{"confirm": "err_confirm_delete"})
		}
		return
	}
	if err := n.store.DeletePage(r.Context(), id, userFrom(r.Context()).Actor()); err != nil {
		n.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/admin/pages?done=page_deleted", http.StatusSeeOther)
}

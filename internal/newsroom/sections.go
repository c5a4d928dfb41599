package newsroom

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"

	"khabar/internal/news"
	"khabar/internal/web"
)

// sectionsPage lists the sections in navigation order with a form to add
// one, or (Edit set) edits one.
type sectionsPage struct {
	Sections []news.Section
	Parents  []news.Section // the top-level sections, for the parent select
	Form     news.Section
	Edit     bool
	// Moved is the section just moved in direction Dir: that button keeps
	// the keyboard focus, as in the ticker.
	Moved int64
	Dir   string
	// InUse is the number of articles that kept a section from deletion.
	InUse int
}

// sections is GET /admin/sections (editors and admins).
func (n *Newsroom) sections(w http.ResponseWriter, r *http.Request) {
	p := &sectionsPage{}
	q := r.URL.Query()
	if id, ok := web.PositiveID(q.Get("moved")); ok {
		p.Moved, p.Dir = id, q.Get("dir")
	}
	n.renderSections(w, r, http.StatusOK, p, nil)
}

func (n *Newsroom) renderSections(w http.ResponseWriter, r *http.Request, status int, p *sectionsPage, errs map[string]string) {
	secs, err := n.store.ListSections(r.Context())
	if err != nil {
		n.fail(w, r, fmt.Errorf("list sections: %w", err))
		return
	}
	p.Sections = secs
	for _, s := range secs {
		if s.ParentID == 0 && s.ID != p.Form.ID {
			p.Parents = append(p.Parents, s)
		}
	}
	title := n.cat.T("admin_sections")
	page := "sections"
	if p.Edit {
		title, page = n.cat.T("section_edit_title", p.Form.Name), "section_edit"
	}
	n.render(w, status, page, &data{User: userFrom(r.Context()), Title: title, Page: p, Errors: errs, Flash: flash(r)})
}

// sectionForm reads the section form into sec.
func sectionForm(r *http.Request, sec *news.Section) {
	f := r.PostForm
	sec.Name, sec.Slug, sec.Description = f.Get("name"), f.Get("slug"), f.Get("description")
	sec.ParentID = 0
	if f.Get("parent") != "" {
		// A forged parent (not a number, not a section) is refused by
		// the store's check with the same message as a bad choice.
		id, err := strconv.ParseInt(f.Get("parent"), 10, 64)
		if err != nil || id <= 0 {
			id = -1
		}
		sec.ParentID = id
	}
	sec.Hidden, sec.Archived = f.Get("hidden") == "on", f.Get("archived") == "on"
}

// createSection is POST /admin/sections.
func (n *Newsroom) createSection(w http.ResponseWriter, r *http.Request) {
	if !n.parseForm(w, r) {
		return
	}
	var sec news.Section
	sectionForm(r, &sec)
	if !n.sectionSaved(w, r, &sec, n.store.AddSection(r.Context(), &sec, userFrom(r.Context()).Actor()), false) {
		return
	}
	http.Redirect(w, r, "/admin/sections?done=section_saved", http.StatusSeeOther)
}

// sectionSaved answers a refused save with the form and its errors, and
// reports whether the save went through.
func (n *Newsroom) sectionSaved(w http.ResponseWriter, r *http.Request, sec *news.Section, err error, edit bool) bool {
	if err == nil {
		return true
	}
	if sec.ParentID < 0 {
		sec.ParentID = 0
	}
	errs := map[string]string{}
	if !fieldErrors(err, errs) {
		n.fail(w, r, err)
		return false
	}
	n.renderSections(w, r, http.StatusUnprocessableEntity, &sectionsPage{Form: *sec, Edit: edit}, errs)
	return false
}

// targetSection is the section of the path's id, or a 404 page.
func (n *Newsroom) targetSection(w http.ResponseWriter, r *http.Request) *news.Section {
	id, ok := parseID(r)
	if !ok {
		n.Error(w, r, http.StatusNotFound)
		return nil
	}
	sec, err := n.store.SectionByID(r.Context(), id)
	if err != nil {
		n.fail(w, r, err)
		return nil
	}
	return sec
}

// editSection is GET /admin/sections/{id}.
func (n *Newsroom) editSection(w http.ResponseWriter, r *http.Request) {
	if sec := n.targetSection(w, r); sec != nil {
		n.renderSections(w, r, http.StatusOK, &sectionsPage{Form: *sec, Edit: true}, nil)
	}
}

// updateSection is POST /admin/sections/{id}.
func (n *Newsroom) updateSection(w http.ResponseWriter, r *http.Request) {
	if !n.parseForm(w, r) {
		return
	}
	sec := n.targetSection(w, r)
	if sec == nil {
		return
	}
	sectionForm(r, sec)
	if !n.sectionSaved(w, r, sec, n.store.UpdateSection(r.Context(), sec, userFrom(r.Context()).Actor()), true) {
		return
	}
	http.Redirect(w, r, "/admin/sections?done=section_saved", http.StatusSeeOther)
}

// moveSection is POST /admin/sections/{id}/move, dir up or down.
func (n *Newsroom) moveSection(w http.ResponseWriter, r *http.Request) {
	id, dir, ok := n.postedMove(w, r)
	if !ok {
		return
	}
	if err := n.store.MoveSection(r.Context(), id, dir == "up", userFrom(r.Context()).Actor()); err != nil {
		n.fail(w, r, err)
		return
	}
	// No #fragment: browsers skip autofocus on a page that has a target.
	http.Redirect(w, r, "/admin/sections?done=section_moved&moved="+strconv.FormatInt(id, 10)+"&dir="+dir, http.StatusSeeOther)
}

// deleteSection is POST /admin/sections/{id}/delete: only an empty section
// goes; one with articles is refused with their number.
func (n *Newsroom) deleteSection(w http.ResponseWriter, r *http.Request) {
	id, ok := n.postedID(w, r)
	if !ok {
		return
	}
	err := n.store.DeleteSection(r.Context(), id, userFrom(r.Context()).Actor())
	var inUse *news.InUseError
	errs := map[string]string{}
	switch {
	case errors.As(err, &inUse):
		n.renderSections(w, r, http.StatusConflict, &sectionsPage{InUse: inUse.Articles}, nil)
	case fieldErrors(err, errs):
		n.renderSections(w, r, http.StatusConflict, &sectionsPage{}, errs)
	case err != nil:
		n.fail(w, r, err)
	default:
		http.Redirect(w, r, "/admin/sections?done=section_deleted", http.StatusSeeOther)
	}
}

package newsroom

import (
	"fmt"
	"net/http"
	"strconv"

	"khabar/internal/auth"
	"khabar/internal/news"
)

// authorsPage lists the bylines with a form to add one, or (Edit set)
// edits one profile.
type authorsPage struct {
	Authors []news.Author
	Form    news.Author
	Edit    bool
	Own     bool // one's own profile, from the account page: not relinked
	// The form's choices: photos from the library, accounts to link.
	Media []news.Media
	Users []auth.User
}

// authors is GET /admin/authors (editors and admins).
func (n *Newsroom) authors(w http.ResponseWriter, r *http.Request) {
	n.renderAuthors(w, r, http.StatusOK, &authorsPage{}, nil)
}

func (n *Newsroom) renderAuthors(w http.ResponseWriter, r *http.Request, status int, p *authorsPage, errs map[string]string) {
	ctx := r.Context()
	var err error
	if p.Authors, err = n.store.ListAuthors(ctx); err == nil {
		if p.Media, err = n.store.ListMedia(ctx, 200, 0); err == nil {
			p.Users, err = n.store.ListUsers(ctx)
		}
	}
	if err != nil {
		n.fail(w, r, fmt.Errorf("authors page: %w", err))
		return
	}
	title, page := n.cat.T("admin_authors"), "authors"
	if p.Edit {
		title, page = n.cat.T("author_edit_title", p.Form.Name), "author_edit"
	}
	n.render(w, status, page, &data{User: userFrom(ctx), Title: title, Page: p, Errors: errs, Flash: flash(r)})
}

// authorForm reads the profile form into a. A forged photo or account id
// (not a number) is taken as none chosen; one that does not exist is
// refused by the store.
func authorForm(r *http.Request, a *news.Author) {
	f := r.PostForm
	a.Name, a.NameLatin, a.JobTitle, a.Bio = f.Get("name"), f.Get("name_latin"), f.Get("job_title"), f.Get("bio")
	a.Email, a.X, a.Facebook, a.Telegram, a.Website = f.Get("email"), f.Get("x"), f.Get("facebook"), f.Get("telegram"), f.Get("website")
	if a.ID == 0 {
		a.Slug = f.Get("slug")
	}
	a.PhotoID, _ = strconv.ParseInt(f.Get("photo"), 10, 64)
	a.UserID, _ = strconv.ParseInt(f.Get("user"), 10, 64)
	a.PhotoID, a.UserID = max(a.PhotoID, 0), max(a.UserID, 0)
}

// createAuthor is POST /admin/authors.
func (n *Newsroom) createAuthor(w http.ResponseWriter, r *http.Request) {
	if !n.parseForm(w, r) {
		return
	}
	var a news.Author
	authorForm(r, &a)
	if n.authorSaved(w, r, &a, n.store.AddAuthor(r.Context(), &a, userFrom(r.Context()).Actor()), false) {
		http.Redirect(w, r, "/admin/authors?done=author_saved", http.StatusSeeOther)
	}
}

// authorSaved answers a refused save with the form and its errors, and
// reports whether the save went through.
func (n *Newsroom) authorSaved(w http.ResponseWriter, r *http.Request, a *news.Author, err error, edit bool) bool {
	if err == nil {
		return true
	}
	errs := map[string]string{}
	if !fieldErrors(err, errs) {
		n.fail(w, r, err)
		return false
	}
	if errs["reference"] != "" { // the photo or the account went away
		errs["photo"], errs["user"] = errs["reference"], errs["reference"]
	}
	n.renderAuthors(w, r, http.StatusUnprocessableEntity, &authorsPage{Form: *a, Edit: edit}, errs)
	return false
}

// targetAuthor is the author of the path's id, or a 404 page.
func (n *Newsroom) targetAuthor(w http.ResponseWriter, r *http.Request) *news.Author {
	id, ok := parseID(r)
	if !ok {
		n.Error(w, r, http.StatusNotFound)
		return nil
	}
	a, err := n.store.AuthorByID(r.Context(), id)
	if err != nil {
		n.fail(w, r, err)
		return nil
	}
	return a
}

// editAuthor is GET /admin/authors/{id}.
func (n *Newsroom) editAuthor(w http.ResponseWriter, r *http.Request) {
	if a := n.targetAuthor(w, r); a != nil {
		n.renderAuthors(w, r, http.StatusOK, &authorsPage{Form: *a, Edit: true}, nil)
	}
}

// updateAuthor is POST /admin/authors/{id}.
func (n *Newsroom) updateAuthor(w http.ResponseWriter, r *http.Request) {
	if !n.parseForm(w, r) {
		return
	}
	a := n.targetAuthor(w, r)
	if a == nil {
		return
	}
	authorForm(r, a)
	if n.authorSaved(w, r, a, n.store.UpdateAuthor(r.Context(), a, userFrom(r.Context()).Actor()), true) {
		http.Redirect(w, r, "/admin/authors?done=author_saved", http.StatusSeeOther)
	}
}

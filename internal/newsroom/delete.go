package newsroom

import (
	"net/http"
	"strconv"
)

// deletePage is the confirmation asked before an article is deleted.
type deletePage struct {
	ID       int64
	Version  int64
	Headline string
}

// deleteArticle is POST /admin/articles/{id}/delete: first a page that
// asks to confirm (deleting cannot be undone), then, with confirm=1, the
// deletion of an article readers never saw. Writers delete their own
// drafts; editors any draft or article awaiting review.
func (n *Newsroom) deleteArticle(w http.ResponseWriter, r *http.Request) {
	a, ok := n.loadArticle(w, r)
	if !ok || !n.parseForm(w, r) {
		return
	}
	u := userFrom(r.Context())
	if err := a.EditableBy(u.Staff()); err != nil {
		n.fail(w, r, err)
		return
	}
	version, err := strconv.ParseInt(r.PostForm.Get("version"), 10, 64)
	if err != nil {
		n.Error(w, r, http.StatusBadRequest)
		return
	}
	if r.PostForm.Get("confirm") != "1" {
		n.render(w, http.StatusOK, "delete", &data{User: u, Title: n.cat.T("delete_title"),
			Page: &deletePage{ID: a.ID, Version: version, Headline: a.Headline}})
		return
	}
	if !n.claimOrRefuse(w, r, a) {
		return
	}
	if err := n.store.DeleteArticle(r.Context(), a.ID, version); err != nil {
		n.refuse(w, r, a, false, "", err)
		return
	}
	n.log.InfoContext(r.Context(), "article deleted", "user", u.ID, "article", a.ID)
	http.Redirect(w, r, "/admin/?done=deleted", http.StatusSeeOther)
}

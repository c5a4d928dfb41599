package newsroom

import (
	"net/http"
	"strconv"
	"strings"

	"khabar/internal/news"
	"khabar/internal/web"
)

// addCorrection is POST /admin/articles/{id}/corrections (editors and
// admins): kind and text of a correction or editor's note on a published
// article. A refusal shows the article's page again with why.
func (n *Newsroom) addCorrection(w http.ResponseWriter, r *http.Request) {
	id, ok := n.postedID(w, r)
	if !ok {
		return
	}
	c := &news.Correction{ArticleID: id, Kind: news.CorrectionKind(r.PostForm.Get("kind")), Text: r.PostForm.Get("text"),
		Actor: userFrom(r.Context()).Actor()}
	err := n.store.AddCorrection(r.Context(), c)
	if err == nil {
		correctionDone(w, r, id, "correction_added")
		return
	}
	p := &editPage{Correction: *c, CorrectionErrors: map[string]string{}}
	if !fieldErrors(err, p.CorrectionErrors) {
		n.fail(w, r, err)
		return
	}
	if p.A, ok = n.loadArticle(w, r); !ok {
		return
	}
	p.Correction.Text = strings.ToValidUTF8(c.Text, "")
	n.renderForm(w, r, http.StatusUnprocessableEntity, p, nil)
}

// deleteCorrection is POST /admin/articles/{id}/corrections/{cid}/delete
// (editors and admins); a correction of another article is not found.
func (n *Newsroom) deleteCorrection(w http.ResponseWriter, r *http.Request) {
	id, ok := n.postedID(w, r)
	if !ok {
		return
	}
	cid, ok := web.PositiveID(r.PathValue("cid"))
	if !ok {
		n.Error(w, r, http.StatusNotFound)
		return
	}
	if err := n.store.DeleteCorrection(r.Context(), id, cid, userFrom(r.Context()).Actor()); err != nil {
		n.fail(w, r, err)
		return
	}
	correctionDone(w, r, id, "correction_deleted")
}

// correctionDone sends the editor back to the article's corrections.
func correctionDone(w http.ResponseWriter, r *http.Request, articleID int64, done string) {
	http.Redirect(w, r, "/admin/articles/"+strconv.FormatInt(articleID, 10)+"?done="+done+"#corrections", http.StatusSeeOther)
}

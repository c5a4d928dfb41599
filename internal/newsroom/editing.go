package newsroom

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"khabar/internal/auth"
	"khabar/internal/news"
	"khabar/internal/store"
	"khabar/internal/web"
)

// editBeat is how often an open editor page signals; well within
// news.EditTTL, which a lock outlives the last signal by.
const editBeat = 20 * time.Second

// editingView is the "who else is in it" notice of the article form.
type editingView struct {
	ArticleID int64
	// Beat is the signal interval in milliseconds, for the page's script.
	Beat int64
	// Holder holds the lock when it is not the viewer (Locked).
	Locked bool
	Holder news.Editor
	// Others have the article open besides the viewer and the holder.
	Others []news.Editor
	// CanTake: the viewer may take the lock over (editors).
	CanTake bool
	// Seen is when the server last heard from the viewer, in Unix
	// microseconds; the page's goodbye quotes it (see leave).
	Seen int64
}

// enterArticle records that u has a open and does what mode says with
// its edit lock. Someone who may not change the article is counted but
// never holds the lock.
func (n *Newsroom) enterArticle(r *http.Request, u *auth.User, a *news.Article, mode store.LockMode) (*editingView, error) {
	if a.EditableBy(u.Staff()) != nil {
		mode = store.Watch
	}
	e, err := n.store.EnterArticle(r.Context(), a.ID, u.Actor(), mode, news.EditTTL)
	if err != nil {
		return nil, err
	}
	v := &editingView{ArticleID: a.ID, Beat: editBeat.Milliseconds(), Locked: e.LockedFor(u.ID), Holder: e.Lock,
		CanTake: u.Can(auth.PermPublish) && e.LockedFor(u.ID), Seen: seenOf(e, u.ID)}
	for _, ed := range e.Others(u.ID) {
		if ed.UserID != e.Lock.UserID {
			v.Others = append(v.Others, ed)
		}
	}
	return v, nil
}

// seenOf is when the server last heard from user in the article, in Unix
// microseconds, for the page's goodbye (see leave); 0 when not in it.
func seenOf(e news.Editing, user int64) int64 {
	for _, ed := range e.Open {
		if ed.UserID == user {
			return ed.SeenAt.UnixMicro()
		}
	}
	return 0
}

// claim takes the article's edit lock for u, who is about to change it,
// unless someone else holds it: then u's change must wait (locked). seen
// is seenOf u after the claim.
func (n *Newsroom) claim(ctx context.Context, u *auth.User, article int64) (locked bool, seen int64, err error) {
	e, err := n.store.EnterArticle(ctx, article, u.Actor(), store.Claim, news.EditTTL)
	if err != nil {
		return false, 0, err
	}
	return e.LockedFor(u.ID), seenOf(e, u.ID), nil
}

// claimOrRefuse claims a's edit lock for the user of r before a change
// other than the form's own save (a restore, a delete); when someone else
// holds it, it answers with the form and why, and reports false.
func (n *Newsroom) claimOrRefuse(w http.ResponseWriter, r *http.Request, a *news.Article) bool {
	locked, _, err := n.claim(r.Context(), userFrom(r.Context()), a.ID)
	switch {
	case err != nil:
		n.fail(w, r, fmt.Errorf("read edit lock: %w", err))
		return false
	case locked:
		n.renderEdit(w, r, http.StatusConflict, a, false, map[string]string{"lock": "err_locked"})
		return false
	}
	return true
}

// handOver frees u's lock on an article they have just handed to others
// (a writer submitting it, an editor sending it back), so the next person
// need not wait for it to lapse.
func (n *Newsroom) handOver(r *http.Request, u *auth.User, article int64, step news.Action) {
	if step != news.ActionSubmit && step != news.ActionRequestChanges {
		return
	}
	if err := n.store.LeaveArticle(r.Context(), article, u.ID, time.Now()); err != nil {
		n.log.ErrorContext(r.Context(), "hand over article", "article", article, "err", err)
	}
}

// presence is POST /admin/articles/{id}/presence, the open page's
// heartbeat: it keeps the viewer counted (and their lock), claims the
// lock once the page has changes ("editing"), and answers with the notice
// to show, which tells a writer when an editor took over.
func (n *Newsroom) presence(w http.ResponseWriter, r *http.Request) {
	a, ok := n.loadArticle(w, r)
	if !ok || !n.parseForm(w, r) {
		return
	}
	mode := store.Watch
	if r.PostForm.Get("editing") == "1" {
		mode = store.Claim
	}
	u := userFrom(r.Context())
	v, err := n.enterArticle(r, u, a, mode)
	if err != nil {
		n.fail(w, r, err)
		return
	}
	n.eng.SetDateFormat(n.settings.Get().DateFormat())
	html, err := n.eng.RenderFragment("editing", v)
	if err != nil {
		n.fail(w, r, fmt.Errorf("render editing notice: %w", err))
		return
	}
	web.JSON(w, http.StatusOK, "no-store", map[string]any{"locked": v.Locked, "seen": v.Seen, "html": string(html)})
}

// takeOver is POST /admin/articles/{id}/lock: an editor takes the edit
// lock from whoever holds it. The holder's page learns it at its next
// signal and stops saving; the takeover is audited.
func (n *Newsroom) takeOver(w http.ResponseWriter, r *http.Request) {
	a, ok := n.loadArticle(w, r)
	if !ok {
		return
	}
	ctx := r.Context()
	u := userFrom(ctx)
	before, err := n.store.ArticleEditing(ctx, a.ID, news.EditTTL)
	if err == nil {
		_, err = n.enterArticle(r, u, a, store.TakeOver)
	}
	if err == nil && before.LockedFor(u.ID) {
		err = n.store.Audit(ctx, u.Actor(), "article.takeover", "article "+strconv.FormatInt(a.ID, 10), before.Lock.Name)
	}
	if err != nil {
		n.fail(w, r, fmt.Errorf("take over article: %w", err))
		return
	}
	http.Redirect(w, r, "/admin/articles/"+strconv.FormatInt(a.ID, 10)+"?done=taken", http.StatusSeeOther)
}

// leave is POST /admin/articles/{id}/leave, sent by the page as it
// closes, so the lock frees at once rather than after news.EditTTL. It quotes
// when the server last heard from that page ("seen"), so a goodbye that
// arrives after the next page's hello (a save reloads the article) does
// not undo it.
func (n *Newsroom) leave(w http.ResponseWriter, r *http.Request) {
	id, ok := n.postedID(w, r)
	if !ok {
		return
	}
	seen, err := strconv.ParseInt(r.PostForm.Get("seen"), 10, 64)
	if err != nil || seen <= 0 {
		n.Error(w, r, http.StatusBadRequest)
		return
	}
	if err := n.store.LeaveArticle(r.Context(), id, userFrom(r.Context()).ID, time.UnixMicro(seen)); err != nil {
		n.fail(w, r, fmt.Errorf("leave article: %w", err))
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// autosave is POST /admin/articles/{id}/autosave (and …/new/autosave):
// the editor page sends the form every few seconds while it changes. It
// saves like the save button but keeps no revision, and answers JSON: the
// new version for the page's next save, or why nothing was saved.
func (n *Newsroom) autosave(w http.ResponseWriter, r *http.Request) {
	p, ok := n.postedArticle(w, r)
	if !ok {
		return
	}
	a := p.A
	if len(p.Errs) > 0 {
		n.autosaveRefused(w, p)
		return
	}
	u := userFrom(r.Context())
	outcome, err := n.persist(store.WithoutRevision(r.Context()), u, p)
	if err != nil {
		switch {
		case errors.Is(err, news.ErrConflict):
			web.JSONError(w, http.StatusConflict, n.cat.T("err_conflict"))
		case fieldErrors(err, p.Errs):
			n.autosaveRefused(w, p)
		default:
			n.fail(w, r, fmt.Errorf("autosave article %d: %w", a.ID, err))
		}
		return
	}
	if p.New {
		// The draft now exists, and its writer is changing it.
		if v, err := n.enterArticle(r, u, a, store.Claim); err != nil {
			n.log.ErrorContext(r.Context(), "enter new article", "article", a.ID, "err", err)
		} else {
			p.Seen = v.Seen
		}
	}
	// The autosave is the page's latest sign of life: its goodbye quotes
	// seen from here on, or it would not free the lock.
	id := strconv.FormatInt(a.ID, 10)
	web.JSON(w, http.StatusOK, "no-store", map[string]any{"id": a.ID, "version": a.Version, "url": "/admin/articles/" + id, "seen": p.Seen,
		"presence": "/admin/articles/" + id + "/presence", "message": n.cat.T("autosave_"+outcome, n.settings.Get().DateFormat().Time(time.Now()))})
}

// autosaveRefused answers an autosave the form's fields or the edit lock
// refused: 409 for the lock, 422 with each field's message otherwise.
func (n *Newsroom) autosaveRefused(w http.ResponseWriter, p *postedForm) {
	fields := map[string]string{}
	var named []string
	for _, k := range slices.Sorted(maps.Keys(p.Errs)) {
		fields[k] = n.cat.T(p.Errs[k])
		if n.cat.Has("field_" + k) {
			named = append(named, n.cat.T("field_"+k)+": "+fields[k])
		}
	}
	if p.Errs["lock"] != "" {
		web.JSON(w, http.StatusConflict, "no-store", map[string]any{"error": n.cat.T("err_locked"), "fields": fields})
		return
	}
	// A new article is saved once what it needs is there; until then the
	// page says what is missing, field by field.
	key := "autosave_invalid"
	if p.New {
		key = "autosave_incomplete"
	}
	msg := strings.Join(append([]string{n.cat.T(key)}, named...), " ")
	web.JSON(w, http.StatusUnprocessableEntity, "no-store", map[string]any{"error": msg, "fields": fields})
}

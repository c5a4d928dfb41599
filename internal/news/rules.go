package news

import (
	"errors"
	"fmt"
)

// Staff is a member of the newsroom as the editorial rules see them. The
// rules live here, not in a surface, so the newsroom's forms and the API
// refuse exactly the same things.
type Staff struct {
	UserID int64
	// Desk: editors and admins, who take every step on every article.
	// Writers change only their own drafts.
	Desk bool
}

// MayTake is nil when s may take workflow step act on an article they
// may change (EditableBy): the desk takes every step; a writer only
// submits. Whether the article's state allows the step is Article.Next.
func (s Staff) MayTake(act Action) error {
	if s.Desk || act == ActionSubmit {
		return nil
	}
	return fmt.Errorf("%s is the desk's step: %w", act, ErrForbidden)
}

// ViewableBy is nil when s may read a outside the newsroom's pages (the
// content API): anyone reads what readers see; the desk reads every
// article; a writer reads their own (madeBy) in any state and nobody
// else's before it is public.
func (a *Article) ViewableBy(s Staff) error {
	if a.IsPublic() || s.Desk || s.UserID > 0 && a.madeBy(s.UserID) {
		return nil
	}
	return ErrForbidden
}

// ReadershipViewableBy is nil when s may see how a is read
// (/admin/stats): the desk every article, a writer their own.
func (a *Article) ReadershipViewableBy(s Staff) error {
	if s.Desk || s.UserID > 0 && a.madeBy(s.UserID) {
		return nil
	}
	return ErrForbidden
}

// ErrWithEditors refuses a writer's change to their own article once it
// is submitted: it is the editors' until they send it back.
var ErrWithEditors = errors.New("the article is with the editors")

// EditableBy is nil when s may change a, else why not: ErrForbidden for
// someone else's article, ErrWithEditors for a writer's own article past
// the draft. The desk changes any article (a published one through a
// staged update).
func (a *Article) EditableBy(s Staff) error {
	switch {
	case s.Desk:
		return nil
	case !a.madeBy(s.UserID):
		return ErrForbidden
	case a.Status != StatusDraft:
		return ErrWithEditors
	}
	return nil
}

// DeletableBy is nil when s may delete a: what readers never saw
// (Deletable), and only by those who may change it.
func (a *Article) DeletableBy(s Staff) error {
	if err := a.EditableBy(s); err != nil {
		return err
	}
	if !a.Deletable() {
		return &TransitionError{From: a.Status, Action: ActionDelete}
	}
	return nil
}

// CoverableBy is nil when s may open, resume or close a's live coverage.
// On an article readers see it changes the public page, which is the
// desk's to do; before that it is a change to the article like any other,
// so a writer may prepare the coverage of their own draft (EditableBy)
// and of nobody else's.
func (a *Article) CoverableBy(s Staff) error {
	switch {
	case s.Desk:
		return nil
	case a.IsPublic():
		return ErrForbidden
	}
	return a.EditableBy(s)
}

// LivePostableBy is nil when s may post entries to a's live blog: the
// desk on any blog; a writer on the blog of an article that is theirs
// (they made it or are on its byline), whatever its state. Reporters on
// the story post as it happens, without an editor between them and the
// page, which is what a live blog is for; others' blogs are not theirs to
// write on. Whether the coverage is open is the store's to check.
func (a *Article) LivePostableBy(s Staff) error {
	if s.Desk || a.madeBy(s.UserID) {
		return nil
	}
	return ErrForbidden
}

// ChangeableBy is nil when s may correct or delete e, an entry of a's
// live blog: the desk any entry; a writer only the entries they posted
// themselves, on a blog they may still post to. An entry nobody posted
// (the demo's, an import's, one from before entries kept their poster)
// is the desk's.
func (e *LiveEntry) ChangeableBy(s Staff, a *Article) error {
	if err := a.LivePostableBy(s); err != nil {
		return err
	}
	if s.Desk || s.UserID > 0 && e.CreatedBy == s.UserID {
		return nil
	}
	return ErrForbidden
}

// madeBy reports whether the user created a or is credited on it; a new
// article is its writer's.
func (a *Article) madeBy(userID int64) bool {
	if a.ID == 0 || a.CreatedBy == userID {
		return true
	}
	for _, au := range a.Authors {
		if au.UserID == userID && userID > 0 {
			return true
		}
	}
	return false
}

// Primary is the step the article form's main button takes for s on a,
// so its label says what pressing it does: a writer hands their draft to
// the editors; the desk publishes, keeps a scheduled article scheduled
// (at the time the form gives) or puts a live article's update online.
// "" when s may not change a (EditableBy) or has no step to take: the
// form then only saves.
func (a *Article) Primary(s Staff) Action {
	if a.EditableBy(s) != nil {
		return ""
	}
	var act Action
	switch {
	case !s.Desk:
		act = ActionSubmit
	case a.Status == StatusPublished:
		// The form stages the update before the step, so HasStaged holds
		// by then whatever it is now.
		return ActionPublishUpdate
	case a.Status == StatusScheduled:
		act = ActionSchedule
	default:
		act = ActionPublish
	}
	if _, err := a.Next(act); err != nil || s.MayTake(act) != nil {
		return ""
	}
	return act
}

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

// CoverableBy is nil when s may open, resume or close a's live coverage:
// on an article readers see it changes the public page, which is the
// desk's to do.
func (a *Article) CoverableBy(s Staff) error {
	if a.IsPublic() && !s.Desk {
		return ErrForbidden
	}
	return nil
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

package news

import (
	"errors"
	"fmt"
	"time"
)

// Action is a step of the editorial workflow. The states it may start
// from are fixed here; who may take it is the newsroom's business.
type Action string

const (
	// ActionSubmit hands a draft to the editors (draft → review).
	ActionSubmit Action = "submit"
	// ActionRequestChanges sends an article back to its writer with a
	// note (review → draft).
	ActionRequestChanges Action = "request_changes"
	// ActionPublish publishes now.
	ActionPublish Action = "publish"
	// ActionSchedule publishes at a later time (→ scheduled); on a
	// scheduled article it moves the time.
	ActionSchedule Action = "schedule"
	// ActionUnschedule cancels a scheduled publication (scheduled → draft).
	ActionUnschedule Action = "unschedule"
	// ActionUnpublish withdraws a published article now.
	ActionUnpublish Action = "unpublish"
	// ActionExpire withdraws a published or scheduled article at a later
	// time (an embargo's end, an offer's expiry).
	ActionExpire Action = "expire"
	// ActionKeep cancels a planned withdrawal.
	ActionKeep Action = "keep"
	// ActionPublishUpdate puts the staged update of a published article
	// online.
	ActionPublishUpdate Action = "publish_update"
	// ActionDiscardUpdate drops the staged update; the live version stays.
	ActionDiscardUpdate Action = "discard_update"
)

// ActionDelete removes an article readers never saw. It is not a step
// between states, so it is not in Actions; it names the refusal when the
// article cannot be deleted.
const ActionDelete Action = "delete"

// Deletable reports whether a may be deleted: only what readers never saw
// (a draft or an article awaiting review, never published), so no link
// anyone shared can break; a live article is withdrawn instead.
func (a *Article) Deletable() bool {
	return a.PublishedAt.IsZero() && (a.Status == StatusDraft || a.Status == StatusReview)
}

// Actions lists every workflow action, in the order the newsroom offers them.
var Actions = []Action{ActionSubmit, ActionRequestChanges, ActionPublish, ActionSchedule, ActionUnschedule,
	ActionUnpublish, ActionExpire, ActionKeep, ActionPublishUpdate, ActionDiscardUpdate}

// Valid reports whether a is a known action.
func (a Action) Valid() bool {
	for _, known := range Actions {
		if a == known {
			return true
		}
	}
	return false
}

// from lists the states each action may start from.
var from = map[Action][]Status{
	ActionSubmit:         {StatusDraft},
	ActionRequestChanges: {StatusReview},
	ActionPublish:        {StatusDraft, StatusReview, StatusScheduled, StatusUnpublished},
	ActionSchedule:       {StatusDraft, StatusReview, StatusScheduled, StatusUnpublished},
	ActionUnschedule:     {StatusScheduled},
	ActionUnpublish:      {StatusPublished},
	ActionExpire:         {StatusPublished, StatusScheduled},
	ActionKeep:           {StatusPublished, StatusScheduled},
	ActionPublishUpdate:  {StatusPublished},
	ActionDiscardUpdate:  {StatusPublished},
}

// to is the state an action leads to; an action missing here keeps the
// state it started from.
var to = map[Action]Status{
	ActionSubmit:         StatusReview,
	ActionRequestChanges: StatusDraft,
	ActionPublish:        StatusPublished,
	ActionSchedule:       StatusScheduled,
	ActionUnschedule:     StatusDraft,
	ActionUnpublish:      StatusUnpublished,
}

// ErrTransition is what every *TransitionError matches with errors.Is.
var ErrTransition = errors.New("workflow step not allowed")

// TransitionError refuses an action the article's state does not allow.
type TransitionError struct {
	From   Status
	Action Action
}

func (e *TransitionError) Error() string {
	return fmt.Sprintf("cannot %s an article that is %s", e.Action, e.From)
}

// Is makes errors.Is(err, ErrTransition) true.
func (e *TransitionError) Is(target error) bool { return target == ErrTransition }

// Next is the state a reaches by act, or a *TransitionError when its state
// (or the lack of a staged update or planned withdrawal) forbids it.
func (a *Article) Next(act Action) (Status, error) {
	allowed := false
	for _, st := range from[act] {
		allowed = allowed || st == a.Status
	}
	switch act {
	case ActionPublishUpdate, ActionDiscardUpdate:
		allowed = allowed && a.HasStaged
	case ActionKeep:
		allowed = allowed && !a.UnpublishAt.IsZero()
	}
	if !allowed {
		return "", &TransitionError{From: a.Status, Action: act}
	}
	if st, ok := to[act]; ok {
		return st, nil
	}
	return a.Status, nil
}

// MaxNote bounds an editor's note to the writer.
const MaxNote = 2000

// maxAhead bounds how far ahead a change may be planned: further than
// this is a typo in the year, not a plan.
const maxAhead = 5 * 366 * 24 * time.Hour

// Change is one workflow step asked for: the action, the time of a
// planned one, the editor's note that goes with a request for changes.
type Change struct {
	Action Action
	At     time.Time
	Note   string
}

// Validate checks c against a (in its current state) at time now, after
// cleaning the note. Field codes: "at" (required, past, too_far,
// before_publish), "note" (required, too_long).
func (c *Change) Validate(a *Article, now time.Time) error {
	c.Note = cleanText(c.Note)
	var v Invalid
	switch c.Action {
	case ActionRequestChanges:
		if c.Note == "" {
			v.Add("note", "required")
		}
		v.maxLen("note", c.Note, MaxNote)
	case ActionSchedule, ActionExpire:
		switch {
		case c.At.IsZero():
			v.Add("at", "required")
		case !c.At.After(now):
			v.Add("at", "past")
		case c.At.Sub(now) > maxAhead:
			v.Add("at", "too_far")
		case c.Action == ActionExpire && a.Status == StatusScheduled && !c.At.After(a.PublishAt):
			v.Add("at", "before_publish")
		case c.Action == ActionSchedule && !a.UnpublishAt.IsZero() && !c.At.Before(a.UnpublishAt):
			v.Add("at", "after_expiry")
		case c.Action == ActionSchedule && c.At.Before(a.Embargo):
			v.Add("at", "embargoed")
		}
	case ActionPublish:
		if a.Embargo.After(now) {
			v.Add("at", "embargoed")
		}
	}
	return v.Err()
}

// Apply sets the fields c changes on a, which must have passed Next and
// Validate; the store saves the result.
func (c *Change) Apply(a *Article, next Status) {
	a.Status = next
	switch c.Action {
	case ActionSchedule:
		a.PublishAt = c.At
	case ActionExpire:
		a.UnpublishAt = c.At
	case ActionKeep:
		a.UnpublishAt = time.Time{}
	case ActionRequestChanges:
		a.ReviewNote = c.Note
	case ActionSubmit:
		a.ReviewNote = ""
	}
	a.clearPlans()
}

// clearPlans drops planned times the state makes meaningless: only a
// scheduled article has a publication time, and only a live or scheduled
// one can be withdrawn later.
func (a *Article) clearPlans() {
	if a.Status != StatusScheduled {
		a.PublishAt = time.Time{}
	}
	if a.Status != StatusScheduled && a.Status != StatusPublished {
		a.UnpublishAt = time.Time{}
	}
}

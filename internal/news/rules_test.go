package news

import (
	"errors"
	"testing"
)

// TestEditableBy: the editorial rules every surface enforces, role ×
// ownership × state.
func TestEditableBy(t *testing.T) {
	const writer, other = 7, 8
	desk := Staff{UserID: 1, Desk: true}
	mine := Staff{UserID: writer}
	stranger := Staff{UserID: other}
	credited := &Article{ID: 3, CreatedBy: 99, Status: StatusDraft, Authors: []Author{{ID: 5, UserID: writer}}}
	cases := []struct {
		name   string
		a      *Article
		s      Staff
		edit   error
		delete error
		cover  error
	}{
		{"new article, any writer", &Article{Status: StatusDraft}, stranger, nil, nil, nil},
		{"own draft", &Article{ID: 1, CreatedBy: writer, Status: StatusDraft}, mine, nil, nil, nil},
		{"credited on a draft", credited, mine, nil, nil, nil},
		{"someone else's draft", &Article{ID: 1, CreatedBy: writer, Status: StatusDraft}, stranger, ErrForbidden, ErrForbidden, ErrForbidden},
		{"own article submitted", &Article{ID: 1, CreatedBy: writer, Status: StatusReview}, mine, ErrWithEditors, ErrWithEditors, ErrWithEditors},
		{"own article published", &Article{ID: 1, CreatedBy: writer, Status: StatusPublished}, mine, ErrWithEditors, ErrWithEditors, ErrForbidden},
		{"desk, someone's review", &Article{ID: 1, CreatedBy: writer, Status: StatusReview}, desk, nil, nil, nil},
		{"desk, published", &Article{ID: 1, CreatedBy: writer, Status: StatusPublished}, desk, nil, ErrTransition, nil},
		{"user 0 is nobody's author", &Article{ID: 1, CreatedBy: writer, Status: StatusDraft, Authors: []Author{{ID: 5}}}, Staff{}, ErrForbidden, ErrForbidden, ErrForbidden},
	}
	for _, c := range cases {
		for what, got := range map[string][2]error{
			"edit": {c.a.EditableBy(c.s), c.edit}, "delete": {c.a.DeletableBy(c.s), c.delete}, "cover": {c.a.CoverableBy(c.s), c.cover},
		} {
			if (got[0] == nil) != (got[1] == nil) || got[1] != nil && !errors.Is(got[0], got[1]) {
				t.Errorf("%s: %s: %v, want %v", c.name, what, got[0], got[1])
			}
		}
	}
	if KindOf(ErrWithEditors) != KindConflict || KindOf(ErrForbidden) != KindForbidden {
		t.Error("a refusal by the rules lost its kind")
	}
}

// TestLiveBlogRules: who posts to a live blog and who corrects or
// deletes its entries, role × ownership of the article × of the entry.
func TestLiveBlogRules(t *testing.T) {
	const writer, other = 7, 8
	desk := Staff{UserID: 1, Desk: true}
	mine := Staff{UserID: writer}
	stranger := Staff{UserID: other}
	own := &Article{ID: 1, CreatedBy: writer, Status: StatusPublished, Live: true}
	credited := &Article{ID: 2, CreatedBy: 99, Status: StatusPublished, Live: true, Authors: []Author{{ID: 5, UserID: writer}}}
	others := &Article{ID: 3, CreatedBy: other, Status: StatusPublished, Live: true}
	byMe, byOther, byNobody := &LiveEntry{CreatedBy: writer}, &LiveEntry{CreatedBy: other}, &LiveEntry{}
	cases := []struct {
		name   string
		a      *Article
		e      *LiveEntry
		s      Staff
		post   error
		change error
	}{
		{"own entry on own blog", own, byMe, mine, nil, nil},
		{"own entry on a blog credited to them", credited, byMe, mine, nil, nil},
		{"a colleague's entry on own blog", own, byOther, mine, nil, ErrForbidden},
		{"nobody's entry on own blog", own, byNobody, mine, nil, ErrForbidden},
		{"someone else's blog", others, byOther, mine, ErrForbidden, ErrForbidden},
		{"own entry on a blog no longer theirs", others, byMe, mine, ErrForbidden, ErrForbidden},
		{"user 0 posted nothing", own, byNobody, Staff{}, ErrForbidden, ErrForbidden},
		{"the writer of the blog, a stranger's entry", others, byMe, stranger, nil, ErrForbidden},
		{"desk, anyone's entry on anyone's blog", others, byMe, desk, nil, nil},
		{"desk, nobody's entry", own, byNobody, desk, nil, nil},
	}
	for _, c := range cases {
		for what, got := range map[string][2]error{
			"post": {c.a.LivePostableBy(c.s), c.post}, "change": {c.e.ChangeableBy(c.s, c.a), c.change},
		} {
			if (got[0] == nil) != (got[1] == nil) || got[1] != nil && !errors.Is(got[0], got[1]) {
				t.Errorf("%s: %s: %v, want %v", c.name, what, got[0], got[1])
			}
		}
	}
}

func TestMayTake(t *testing.T) {
	desk, writer := Staff{UserID: 1, Desk: true}, Staff{UserID: 2}
	for _, act := range Actions {
		if err := desk.MayTake(act); err != nil {
			t.Errorf("desk, %s: %v", act, err)
		}
		if err := writer.MayTake(act); (err == nil) != (act == ActionSubmit) || err != nil && KindOf(err) != KindForbidden {
			t.Errorf("writer, %s: %v", act, err)
		}
	}
}

// TestViewableBy: who reads an article through the API, role × ownership
// × state.
func TestViewableBy(t *testing.T) {
	const writer, other = 7, 8
	credited := &Article{ID: 3, CreatedBy: 99, Status: StatusReview, Authors: []Author{{ID: 5, UserID: writer}}}
	cases := []struct {
		name string
		a    *Article
		s    Staff
		ok   bool
	}{
		{"published, nobody", &Article{ID: 1, Status: StatusPublished}, Staff{}, true},
		{"draft, nobody", &Article{ID: 1, CreatedBy: writer, Status: StatusDraft}, Staff{}, false},
		{"own draft", &Article{ID: 1, CreatedBy: writer, Status: StatusDraft}, Staff{UserID: writer}, true},
		{"own, scheduled", &Article{ID: 1, CreatedBy: writer, Status: StatusScheduled}, Staff{UserID: writer}, true},
		{"credited, in review", credited, Staff{UserID: writer}, true},
		{"someone else's draft", &Article{ID: 1, CreatedBy: writer, Status: StatusDraft}, Staff{UserID: other}, false},
		{"someone else's, unpublished", &Article{ID: 1, CreatedBy: writer, Status: StatusUnpublished}, Staff{UserID: other}, false},
		{"desk, anyone's draft", &Article{ID: 1, CreatedBy: writer, Status: StatusDraft}, Staff{UserID: 1, Desk: true}, true},
	}
	for _, c := range cases {
		if err := c.a.ViewableBy(c.s); (err == nil) != c.ok || err != nil && !errors.Is(err, ErrForbidden) {
			t.Errorf("%s: %v, want ok=%v", c.name, err, c.ok)
		}
	}
}

// TestPrimary: the form's main button, role × state × ownership.
func TestPrimary(t *testing.T) {
	const writer = 7
	desk, own, other := Staff{UserID: 1, Desk: true}, Staff{UserID: writer}, Staff{UserID: 8}
	mine := func(st Status) *Article { return &Article{ID: 1, CreatedBy: writer, Status: st} }
	cases := []struct {
		name string
		a    *Article
		s    Staff
		want Action
	}{
		{"writer, own draft", mine(StatusDraft), own, ActionSubmit},
		{"writer, new article", &Article{Status: StatusDraft}, Staff{UserID: writer}, ActionSubmit},
		{"writer, own article in review", mine(StatusReview), own, ""},
		{"writer, own article published", mine(StatusPublished), own, ""},
		{"writer, someone else's draft", mine(StatusDraft), other, ""},
		{"desk, draft", mine(StatusDraft), desk, ActionPublish},
		{"desk, new article", &Article{Status: StatusDraft}, desk, ActionPublish},
		{"desk, in review", mine(StatusReview), desk, ActionPublish},
		{"desk, unpublished", mine(StatusUnpublished), desk, ActionPublish},
		{"desk, scheduled", mine(StatusScheduled), desk, ActionSchedule},
		{"desk, published", mine(StatusPublished), desk, ActionPublishUpdate},
	}
	for _, c := range cases {
		if got := c.a.Primary(c.s); got != c.want {
			t.Errorf("%s: %q, want %q", c.name, got, c.want)
		}
	}
}

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
		{"someone else's draft", &Article{ID: 1, CreatedBy: writer, Status: StatusDraft}, stranger, ErrForbidden, ErrForbidden, nil},
		{"own article submitted", &Article{ID: 1, CreatedBy: writer, Status: StatusReview}, mine, ErrWithEditors, ErrWithEditors, nil},
		{"own article published", &Article{ID: 1, CreatedBy: writer, Status: StatusPublished}, mine, ErrWithEditors, ErrWithEditors, ErrForbidden},
		{"desk, someone's review", &Article{ID: 1, CreatedBy: writer, Status: StatusReview}, desk, nil, nil, nil},
		{"desk, published", &Article{ID: 1, CreatedBy: writer, Status: StatusPublished}, desk, nil, ErrTransition, nil},
		{"user 0 is nobody's author", &Article{ID: 1, CreatedBy: writer, Status: StatusDraft, Authors: []Author{{ID: 5}}}, Staff{}, ErrForbidden, ErrForbidden, nil},
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

package api

import (
	"context"
	"fmt"
	"net/http"

	"khabar/internal/auth"
	"khabar/internal/news"
	"khabar/internal/web"
)

// Sections, tags and bylines are the desk's to make and change (the
// newsroom's permissions for them); everyone reads them. A write answers
// the item in the shape the list gives it.

type sectionWrite struct {
	Name        *string `json:"name"`
	Slug        *string `json:"slug"`
	Description *string `json:"description"`
	ParentID    *int64  `json:"parent_id"`
	Hidden      *bool   `json:"hidden"`
	Archived    *bool   `json:"archived"`
	// Read-only, taken back as read.
	ID  any `json:"id"`
	URL any `json:"url"`
}

func (in *sectionWrite) apply(sec *news.Section) {
	for _, f := range []struct{ from, to *string }{{in.Name, &sec.Name}, {in.Slug, &sec.Slug}, {in.Description, &sec.Description}} {
		if f.from != nil {
			*f.to = *f.from
		}
	}
	if in.ParentID != nil {
		// A parent that is no section is refused by the store's check,
		// as a forged form's is.
		sec.ParentID = *in.ParentID
		if sec.ParentID < 0 {
			sec.ParentID = -1
		}
	}
	if in.Hidden != nil {
		sec.Hidden = *in.Hidden
	}
	if in.Archived != nil {
		sec.Archived = *in.Archived
	}
}

func (a *API) sectionOut(s *news.Section) sectionJSON {
	j := sectionJSON{ID: s.ID, Slug: s.Slug, Name: s.Name, URL: a.base + news.ListPath(news.ListSection, s.Slug)}
	if s.ParentID > 0 {
		j.ParentID = &s.ParentID
	}
	return j
}

type tagWrite struct {
	Name *string `json:"name"`
	ID   any     `json:"id"`
	Slug any     `json:"slug"`
	URL  any     `json:"url"`
}

func (a *API) tagOut(t *news.Tag) namedJSON {
	return namedJSON{ID: t.ID, Slug: t.Slug, Name: t.Name, URL: a.base + news.ListPath(news.ListTag, t.Slug)}
}

// createTag is POST /api/v1/tags {"name"}: 201 with the new tag, or 200
// with the tag of that name's slug when there is one, as an article's tag
// list finds it.
func (a *API) createTag(w http.ResponseWriter, r *http.Request, u *auth.User, body []byte) {
	var in tagWrite
	if !decode(w, body, &in, false) {
		return
	}
	name := ""
	if in.Name != nil {
		name = *in.Name
	}
	t, created, err := a.store.AddTag(r.Context(), name, u.Actor())
	if err != nil {
		a.failWrite(w, r, err, nil)
		return
	}
	status := http.StatusOK
	if created {
		status = http.StatusCreated
	}
	web.JSON(w, status, "no-store", a.tagOut(&t))
}

// patchTag is PATCH /api/v1/tags/{id} {"name"}: a new name; the slug stays.
func (a *API) patchTag(w http.ResponseWriter, r *http.Request, u *auth.User, body []byte) {
	id, ok := web.PositiveID(r.PathValue("id"))
	if !ok {
		problemOf(w, http.StatusNotFound, problemNotFound, "no tag has this id")
		return
	}
	var in tagWrite
	if !decode(w, body, &in, false) {
		return
	}
	name := ""
	if in.Name != nil {
		name = *in.Name
	}
	t, err := a.store.RenameTag(r.Context(), id, name, u.Actor())
	if err != nil {
		a.failWrite(w, r, err, nil)
		return
	}
	web.JSON(w, http.StatusOK, "no-store", a.tagOut(t))
}

type authorWrite struct {
	Name      *string `json:"name"`
	Slug      *string `json:"slug"` // on creation only: links to the page keep it
	NameLatin *string `json:"name_latin"`
	JobTitle  *string `json:"job_title"`
	Bio       *string `json:"bio"`
	ID        any     `json:"id"`
	URL       any     `json:"url"`
}

func (in *authorWrite) apply(au *news.Author) {
	for _, f := range []struct{ from, to *string }{{in.Name, &au.Name}, {in.NameLatin, &au.NameLatin}, {in.JobTitle, &au.JobTitle}, {in.Bio, &au.Bio}} {
		if f.from != nil {
			*f.to = *f.from
		}
	}
	if in.Slug != nil && au.ID == 0 {
		au.Slug = *in.Slug
	}
}

func (a *API) authorOut(au *news.Author) namedJSON {
	return namedJSON{ID: au.ID, Slug: au.Slug, Name: au.Name, URL: a.base + news.ListPath(news.ListAuthor, au.Slug)}
}

// record is a kind of record the desk writes through the API as a whole
// (a section, a byline): W is its body, which sets the fields it names
// (through P, W's pointer).
type record[T, W any, P interface {
	*W
	apply(*T)
}] struct {
	what   string
	add    func(ctx context.Context, rec *T, by news.Actor) error
	byID   func(ctx context.Context, id int64) (*T, error)
	update func(ctx context.Context, rec *T, by news.Actor) error
	out    func(rec *T) any
}

// create is POST /api/v1/{what}s: 201 with the new record.
func (k record[T, W, P]) create(a *API) writeFunc {
	return func(w http.ResponseWriter, r *http.Request, u *auth.User, body []byte) {
		var in W
		if !decode(w, body, &in, false) {
			return
		}
		var rec T
		P(&in).apply(&rec)
		if err := k.add(r.Context(), &rec, u.Actor()); err != nil {
			a.failWrite(w, r, fmt.Errorf("API create %s: %w", k.what, err), nil)
			return
		}
		web.JSON(w, http.StatusCreated, "no-store", k.out(&rec))
	}
}

// patch is PATCH /api/v1/{what}s/{id}: the fields given replace the
// stored ones.
func (k record[T, W, P]) patch(a *API) writeFunc {
	return func(w http.ResponseWriter, r *http.Request, u *auth.User, body []byte) {
		id, ok := web.PositiveID(r.PathValue("id"))
		if !ok {
			problemOf(w, http.StatusNotFound, problemNotFound, "no "+k.what+" has this id")
			return
		}
		var in W
		if !decode(w, body, &in, false) {
			return
		}
		rec, err := k.byID(r.Context(), id)
		if err != nil {
			a.failProblem(w, r, err)
			return
		}
		P(&in).apply(rec)
		if err := k.update(r.Context(), rec, u.Actor()); err != nil {
			a.failWrite(w, r, fmt.Errorf("API update %s %d: %w", k.what, id, err), nil)
			return
		}
		web.JSON(w, http.StatusOK, "no-store", k.out(rec))
	}
}

// sections are written whole: a new slug keeps the old one answering;
// a new section goes last in the navigation.
func (a *API) sections() record[news.Section, sectionWrite, *sectionWrite] {
	return record[news.Section, sectionWrite, *sectionWrite]{what: "section", add: a.store.AddSection, byID: a.store.SectionByID, update: a.store.UpdateSection,
		out: func(s *news.Section) any { return a.sectionOut(s) }}
}

// authors are bylines; the slug stays once made.
func (a *API) authors() record[news.Author, authorWrite, *authorWrite] {
	return record[news.Author, authorWrite, *authorWrite]{what: "author", add: a.store.AddAuthor, byID: a.store.AuthorByID, update: a.store.UpdateAuthor,
		out: func(au *news.Author) any { return a.authorOut(au) }}
}

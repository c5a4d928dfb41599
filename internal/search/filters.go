package search

import (
	"context"
	"net/url"
	"time"

	"khabar/internal/news"
)

// Filters narrow a reader's search as a query string gives them: the site's
// /search and the API's /api/v1/search read them with ParseFilters, so the
// two answer the same question the same way.
type Filters struct {
	Section, Author, Tag string    // slugs; "" for any
	From, To             time.Time // publication days in the outlet's zone; To ends the last day
	ByDate               bool      // newest first instead of best first
}

// ParseFilters reads section, author, tag, from and to (YYYY-MM-DD in
// loc) and sort ("", "relevance" or "date") from q. Every bad field is
// named in a *news.InvalidError.
func ParseFilters(q url.Values, loc *time.Location) (Filters, error) {
	f := Filters{Section: q.Get("section"), Author: q.Get("author"), Tag: q.Get("tag")}
	var v news.Invalid
	var ok bool
	if f.From, ok = ParseDay(q.Get("from"), loc); !ok {
		v.Add("from", "bad_date")
	}
	if f.To, ok = ParseDay(q.Get("to"), loc); !ok {
		v.Add("to", "bad_date")
	} else if !f.To.IsZero() {
		f.To = f.To.AddDate(0, 0, 1) // the whole "to" day
	}
	switch q.Get("sort") {
	case "", "relevance":
	case "date":
		f.ByDate = true
	default:
		v.Add("sort", "unknown")
	}
	return f, v.Err()
}

// ParseDay reads a YYYY-MM-DD form date in loc; ok is false for anything
// else (a zero time with ok means "not given").
func ParseDay(s string, loc *time.Location) (time.Time, bool) {
	if s == "" {
		return time.Time{}, true
	}
	t, err := time.ParseInLocation("2006-01-02", s, loc)
	if err != nil || t.Year() < 1900 || t.Year() > 2200 {
		return time.Time{}, false
	}
	return t, true
}

// Apply narrows opts to the filters, looking their slugs up: a section
// that does not exist, or a tag or author no published article carries
// (as on their own pages), is news.ErrNotFound. It returns the tag's or
// author's name, for a heading.
func (s *Service) Apply(ctx context.Context, f Filters, opts *Options) (label string, err error) {
	opts.From, opts.To, opts.ByDate = f.From, f.To, f.ByDate
	if f.Section != "" {
		sec, err := s.store.SectionBySlug(ctx, f.Section)
		if err != nil {
			return "", err
		}
		opts.SectionID = sec.ID
	}
	if f.Author != "" {
		au, err := s.store.PublicAuthor(ctx, f.Author)
		if err != nil {
			return "", err
		}
		opts.AuthorID, label = au.ID, au.Name
	}
	if f.Tag != "" {
		t, err := s.store.PublicTag(ctx, f.Tag)
		if err != nil {
			return "", err
		}
		opts.TagID, label = t.ID, t.Name
	}
	return label, nil
}

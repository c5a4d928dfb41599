// Package importer brings articles from other systems into Khabar.
package importer

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"time"

	"khabar/internal/news"
	"khabar/internal/store"
)

// MaxLine bounds one JSON Lines record; longer lines are skipped.
const MaxLine = 8 << 20

// Stats says what an import did.
type Stats struct {
	Read      int
	Imported  int
	Updated   int            // imported before and changed since
	Unchanged int            // imported before and the same
	Skipped   map[string]int // reason -> count
	Warnings  map[string]int // what was imported with a loss -> count
	Made      map[string]int // what else was made (sections, comments, redirects…) -> count
}

func newStats() Stats {
	return Stats{Skipped: map[string]int{}, Warnings: map[string]int{}, Made: map[string]int{}}
}

func (s *Stats) skip(reason string) { s.Skipped[reason]++ }
func (s *Stats) warn(what string)   { s.Warnings[what]++ }

// Skips is the number of skipped records.
func (s Stats) Skips() int {
	n := 0
	for _, c := range s.Skipped {
		n += c
	}
	return n
}

// Summary is a human-readable account, one reason per line.
func (s Stats) Summary() string {
	var sb strings.Builder
	fmt.Fprintf(&sb, "read %d, imported %d", s.Read, s.Imported)
	if s.Updated > 0 || s.Unchanged > 0 {
		fmt.Fprintf(&sb, ", updated %d, unchanged %d", s.Updated, s.Unchanged)
	}
	fmt.Fprintf(&sb, ", skipped %d\n", s.Skips())
	for _, part := range []struct {
		label string
		m     map[string]int
	}{{"made", s.Made}, {"skipped", s.Skipped}, {"warning", s.Warnings}} {
		keys := make([]string, 0, len(part.m))
		for k := range part.m {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			fmt.Fprintf(&sb, "  %s %d: %s\n", part.label, part.m[k], k)
		}
	}
	return sb.String()
}

// record is one line: id, title, body are what matter; the rest is used
// when present.
type record struct {
	ID         json.RawMessage `json:"id"`
	Title      string          `json:"title"`
	Lead       string          `json:"lead"`
	Body       string          `json:"body"`
	Category   string          `json:"category"`
	CategoryAr string          `json:"category_ar"`
	Tags       []string        `json:"tags"`
	Author     string          `json:"author"`
	Source     string          `json:"source"`
	Date       string          `json:"date"`
}

// JSONL imports articles from JSON Lines: "id" (kept as the external id;
// a record whose id is already imported is skipped), "title", optional
// "lead", "body" (paragraphs split on newlines), optional "category"
// (section slug; "category_ar" names it; created if missing), "tags",
// "author", "source" and "date" (RFC 3339 or YYYY-MM-DD). Articles are
// published unless status says otherwise. progress is called every 100
// records.
func JSONL(ctx context.Context, s *store.Store, r io.Reader, status news.Status, progress func(Stats)) (Stats, error) {
	st := newStats()
	im := &importer{store: s, sections: map[string]int64{}, authors: map[string]int64{}}
	if err := im.loadSections(ctx); err != nil {
		return st, err
	}
	br := bufio.NewReaderSize(r, 64<<10)
	// A byte-order mark, as Windows programs write, would make the first
	// record unreadable.
	if bom, _ := br.Peek(3); string(bom) == "\ufeff" {
		br.Discard(3)
	}
	for {
		if err := ctx.Err(); err != nil {
			return st, err
		}
		line, err := readLine(br)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil && !errors.Is(err, errLineTooLong) {
			return st, fmt.Errorf("read line %d: %w", st.Read+1, err)
		}
		st.Read++
		if errors.Is(err, errLineTooLong) {
			st.Skipped["line longer than 8 MB"]++
			continue
		}
		if len(strings.TrimSpace(string(line))) == 0 {
			st.Read--
			continue
		}
		if reason, err := im.one(ctx, line, status); err != nil {
			return st, fmt.Errorf("line %d: %w", st.Read, err)
		} else if reason != "" {
			st.Skipped[reason]++
		} else {
			st.Imported++
		}
		if progress != nil && st.Read%100 == 0 {
			progress(st)
		}
	}
	if progress != nil {
		progress(st)
	}
	return st, nil
}

var errLineTooLong = errors.New("line too long")

// readLine reads one line, discarding the rest of a line over MaxLine.
func readLine(br *bufio.Reader) ([]byte, error) {
	var line []byte
	for {
		chunk, err := br.ReadSlice('\n')
		if len(line)+len(chunk) > MaxLine {
			for errors.Is(err, bufio.ErrBufferFull) {
				_, err = br.ReadSlice('\n')
			}
			return nil, errLineTooLong
		}
		line = append(line, chunk...)
		switch {
		case errors.Is(err, bufio.ErrBufferFull):
			continue
		case errors.Is(err, io.EOF) && len(line) > 0:
			return line, nil
		default:
			return line, err
		}
	}
}

type importer struct {
	store    *store.Store
	sections map[string]int64 // slug -> id
	authors  map[string]int64 // name -> id
}

func (im *importer) loadSections(ctx context.Context) error {
	secs, err := im.store.ListSections(ctx)
	if err != nil {
		return err
	}
	for _, s := range secs {
		im.sections[s.Slug] = s.ID
	}
	return nil
}

// one imports a record; a non-empty reason means it was skipped.
func (im *importer) one(ctx context.Context, line []byte, status news.Status) (string, error) {
	var rec record
	if err := json.Unmarshal(line, &rec); err != nil {
		return "not a JSON object", nil
	}
	ext := externalID(rec.ID)
	switch {
	case ext == "":
		return "no id", nil
	case strings.TrimSpace(rec.Title) == "":
		return "no title", nil
	case strings.TrimSpace(rec.Body) == "":
		return "no body", nil
	}
	a := &news.Article{Headline: rec.Title, Lead: rec.Lead, Source: rec.Source, Status: status, ExternalID: ext}
	for _, p := range strings.Split(rec.Body, "\n") {
		if p = strings.TrimSpace(p); p != "" {
			// Imported text is plain: escape it, the paragraph holds HTML.
			a.Body = append(a.Body, news.Block{Type: news.BlockParagraph, Text: escapeText(p)})
		}
	}
	if len(a.Body) > news.MaxBlocks {
		return "more than 500 paragraphs", nil
	}
	if rec.Date != "" {
		t, ok := parseDate(rec.Date)
		if !ok {
			return "unreadable date", nil
		}
		// A date in the future would sit on top of every list, feed and
		// news sitemap until it arrives.
		if t.After(time.Now().Add(24 * time.Hour)) {
			return "date in the future", nil
		}
		a.PublishedAt, a.UpdatedAt = t, t
	}
	var err error
	if a.SectionID, err = im.section(ctx, rec.Category, rec.CategoryAr); news.IsInvalid(err) {
		return "invalid category", nil
	} else if err != nil {
		return "", err
	}
	if name := news.CleanLine(rec.Author); name != "" {
		id, err := im.author(ctx, name)
		if news.IsInvalid(err) {
			return "invalid author", nil
		} else if err != nil {
			return "", err
		}
		a.Authors = []news.Author{{ID: id}}
	}
	for _, t := range rec.Tags {
		a.Tags = append(a.Tags, news.Tag{Name: t})
	}
	err = im.store.CreateArticle(ctx, a)
	switch {
	case err == nil:
		return "", nil
	case errors.Is(err, news.ErrDuplicate):
		return "id already imported", nil
	}
	var ie *news.InvalidError
	if errors.As(err, &ie) {
		return "invalid article (" + strings.TrimPrefix(ie.Error(), "invalid ") + ")", nil
	}
	return "", err
}

func externalID(raw json.RawMessage) string {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return news.CleanLine(s)
	}
	var n json.Number
	if json.Unmarshal(raw, &n) == nil {
		return n.String()
	}
	return ""
}

func parseDate(s string) (time.Time, bool) {
	for _, layout := range []string{time.RFC3339, "2006-01-02T15:04:05", "2006-01-02 15:04:05", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil && t.Year() >= 1900 && t.Year() <= 2200 {
			return t, true
		}
	}
	return time.Time{}, false
}

// section finds or creates the section for a category; records without one
// go to a section named «أرشيف».
func (im *importer) section(ctx context.Context, category, name string) (int64, error) {
	slug := news.Slugify(category)
	if slug == "" {
		slug, name = "archive", "أرشيف"
	}
	if id, ok := im.sections[slug]; ok {
		return id, nil
	}
	if news.CleanLine(name) == "" {
		name = category
	}
	sec := news.Section{Slug: slug, Name: name, Position: len(im.sections) + 100}
	if err := im.store.CreateSection(ctx, &sec); err != nil {
		return 0, err
	}
	im.sections[slug] = sec.ID
	return sec.ID, nil
}

func (im *importer) author(ctx context.Context, name string) (int64, error) {
	if id, ok := im.authors[name]; ok {
		return id, nil
	}
	slug := news.Slugify(name)
	if au, err := im.store.AuthorBySlug(ctx, slug); err == nil {
		im.authors[name] = au.ID
		return au.ID, nil
	} else if !errors.Is(err, news.ErrNotFound) {
		return 0, err
	}
	au := news.Author{Name: name, Slug: slug}
	if err := im.store.CreateAuthor(ctx, &au); err != nil {
		if errors.Is(err, news.ErrDuplicate) { // same slug, another spelling
			au.Slug = slug + "-" + strconv.Itoa(len(im.authors)+1)
			err = im.store.CreateAuthor(ctx, &au)
		}
		if err != nil {
			return 0, err
		}
	}
	im.authors[name] = au.ID
	return au.ID, nil
}

var textEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;")

func escapeText(s string) string { return textEscaper.Replace(s) }

// Package render turns data into pages: an html/template engine with
// Khabar's template functions, and the page cache.
package render

import (
	"bytes"
	"fmt"
	"html/template"
	"io/fs"
	"path"
	"strings"
	"sync/atomic"
	"time"

	"khabar/internal/locale"
)

// Engine holds one parsed template set per page. Templates in the
// "partials" directory (and layout.html) are shared by every page.
type Engine struct {
	pages  map[string]*template.Template
	base   *template.Template // layout and partials, for fragments
	cat    *locale.Catalog
	format atomic.Pointer[locale.DateFormat]
}

// NewEngine parses every *.html of fsys: layout.html and partials/*.html
// into a base set, then each other file as a page named by its base name.
func NewEngine(fsys fs.FS, cat *locale.Catalog, extra template.FuncMap) (*Engine, error) {
	e := &Engine{pages: map[string]*template.Template{}, cat: cat}
	e.format.Store(&locale.DateFormat{})
	funcs := e.funcs()
	for k, v := range extra {
		funcs[k] = v
	}
	base := template.New("layout.html").Funcs(funcs)
	shared, err := fs.Glob(fsys, "partials/*.html")
	if err != nil {
		return nil, err
	}
	shared = append([]string{"layout.html"}, shared...)
	if base, err = base.ParseFS(fsys, shared...); err != nil {
		return nil, fmt.Errorf("parse layout: %w", err)
	}
	files, err := fs.Glob(fsys, "*.html")
	if err != nil {
		return nil, err
	}
	// Executed only after every clone is made (a template set cannot be
	// cloned once run).
	e.base = base
	for _, f := range files {
		if f == "layout.html" {
			continue
		}
		t, err := template.Must(base.Clone()).ParseFS(fsys, f)
		if err != nil {
			return nil, fmt.Errorf("parse %s: %w", f, err)
		}
		e.pages[strings.TrimSuffix(path.Base(f), ".html")] = t
	}
	return e, nil
}

// SetDateFormat changes how dates are written from now on (settings).
func (e *Engine) SetDateFormat(f locale.DateFormat) { e.format.Store(&f) }

// DateFormat is the format dates are written in now.
func (e *Engine) DateFormat() locale.DateFormat { return *e.format.Load() }

// Catalog is the engine's string catalogue.
func (e *Engine) Catalog() *locale.Catalog { return e.cat }

// Render executes page into a fresh buffer.
func (e *Engine) Render(page string, data any) ([]byte, error) {
	t, ok := e.pages[page]
	if !ok {
		return nil, fmt.Errorf("render: no page %q", page)
	}
	var buf bytes.Buffer
	buf.Grow(64 << 10)
	if err := t.ExecuteTemplate(&buf, "layout.html", data); err != nil {
		return nil, fmt.Errorf("render %s: %w", page, err)
	}
	return buf.Bytes(), nil
}

// RenderFragment executes one partial template (a comment, say) on its
// own, for pieces of pages sent to open pages.
func (e *Engine) RenderFragment(name string, data any) ([]byte, error) {
	var buf bytes.Buffer
	if err := e.base.ExecuteTemplate(&buf, name, data); err != nil {
		return nil, fmt.Errorf("render fragment %s: %w", name, err)
	}
	return buf.Bytes(), nil
}

func (e *Engine) funcs() template.FuncMap {
	return template.FuncMap{
		"t":        e.cat.T,
		"lang":     e.cat.Lang,
		"dir":      e.cat.Dir,
		"zone":     e.cat.ZoneName,
		"date":     func(t time.Time) string { return e.format.Load().Date(t) },
		"datetime": func(t time.Time) string { return e.format.Load().DateTime(t) },
		"clock":    func(t time.Time) string { return e.format.Load().Time(t) },
		"iso":      func(t time.Time) string { return e.format.Load().ISO(t) },
		// num takes ids and versions (int64) as well as counts.
		"num": func(n any) (string, error) {
			switch v := n.(type) {
			case int:
				return e.format.Load().Digits.Int(v), nil
			case int64:
				return e.format.Load().Digits.Int(int(v)), nil
			}
			return "", fmt.Errorf("num: %T is not a whole number", n)
		},
		"add":   func(a, b int) int { return a + b },
		"sub":   func(a, b int) int { return a - b },
		"tn":    func(key string, n int) string { return e.cat.N(key, n, e.format.Load().Digits) },
		"bytes": func(n int64) string { return e.cat.Size(n, e.format.Load().Digits) },
		// hijri is the Umm al-Qura date when the outlet shows it, else "".
		"hijri": func(t time.Time) string {
			if f := e.format.Load(); f.Hijri {
				return f.HijriDate(t)
			}
			return ""
		},
		"nonzero": func(t time.Time) bool { return !t.IsZero() },
		// ago is "منذ ٣ دقائق", or the date and time past a week; a page
		// using it must expire within a minute (see site.home).
		"ago": func(t time.Time) string {
			f := e.format.Load()
			if s := e.cat.Ago(time.Since(t), f.Digits); s != "" {
				return s
			}
			return f.DateTime(t)
		},
		"year": func() string { return e.format.Load().Digits.Int(time.Now().Year()) },
	}
}

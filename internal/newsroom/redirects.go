package newsroom

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"khabar/internal/news"
	"khabar/internal/web"
)

// redirectsPerPage is how many redirects the list shows at once; an
// imported site has thousands.
const redirectsPerPage = 100

// maxCSVRows bounds one CSV import.
const maxCSVRows = 20000

// redirectsPage lists redirects, with the forms to add one and to import
// a CSV file.
type redirectsPage struct {
	Redirects  []news.Redirect
	Total      int
	Query      string
	Page       int
	Prev, Next string // links to the neighbouring pages, "" at the ends
	New        news.Redirect
	CSV        string
	Added      int
	Updated    int
	Imported   bool
	LineErrors []lineError
	CSVProblem string
}

// lineError is a CSV line that was not imported: its number, the field
// at fault ("" for the line) and why, as catalogue keys.
type lineError struct {
	Line  int
	Field string
	Msg   string
}

// redirects is GET /admin/redirects (editors and admins).
func (n *Newsroom) redirects(w http.ResponseWriter, r *http.Request) {
	n.renderRedirects(w, r, http.StatusOK, &redirectsPage{}, nil)
}

func (n *Newsroom) renderRedirects(w http.ResponseWriter, r *http.Request, status int, p *redirectsPage, errs map[string]string) {
	q := r.URL.Query()
	p.Query = strings.TrimSpace(q.Get("q"))
	p.Page = 1
	if v, ok := web.PositiveID(q.Get("page")); ok && v < 1e6 {
		p.Page = int(v)
	}
	prefix := ""
	if p.Query != "" {
		if u, err := url.Parse(p.Query); err == nil {
			prefix = news.RedirectKey(u.Path, u.RawQuery)
		}
	}
	list, total, err := n.store.ListRedirects(r.Context(), prefix, redirectsPerPage, (p.Page-1)*redirectsPerPage)
	if err != nil {
		n.fail(w, r, fmt.Errorf("list redirects: %w", err))
		return
	}
	p.Redirects, p.Total = list, total
	link := func(page int) string {
		v := url.Values{"page": {strconv.Itoa(page)}}
		if p.Query != "" {
			v.Set("q", p.Query)
		}
		return "/admin/redirects?" + v.Encode()
	}
	if p.Page > 1 {
		p.Prev = link(p.Page - 1)
	}
	if p.Page*redirectsPerPage < total {
		p.Next = link(p.Page + 1)
	}
	n.render(w, status, "redirects", &data{User: userFrom(r.Context()), Title: n.cat.T("admin_redirects"), Page: p, Errors: errs, Flash: flash(r)})
}

// addRedirect is POST /admin/redirects.
func (n *Newsroom) addRedirect(w http.ResponseWriter, r *http.Request) {
	if !n.parseForm(w, r) {
		return
	}
	rd := news.Redirect{Path: r.PostForm.Get("path"), Target: r.PostForm.Get("target")}
	if err := n.store.AddRedirect(r.Context(), &rd, userFrom(r.Context()).Actor()); err != nil {
		if errs, ok := redirectErrors(err); ok {
			n.renderRedirects(w, r, http.StatusUnprocessableEntity, &redirectsPage{New: rd}, errs)
		} else {
			n.fail(w, r, err)
		}
		return
	}
	http.Redirect(w, r, "/admin/redirects?done=redirect_saved", http.StatusSeeOther)
}

// redirectErrors reads a store error as the form's field errors; false
// when no field explains it.
func redirectErrors(err error) (map[string]string, bool) {
	errs := map[string]string{}
	if errors.Is(err, news.ErrDuplicate) {
		errs["path"] = "err_redirect_taken"
		return errs, true
	}
	return errs, fieldErrors(err, errs)
}

// editRedirect is GET /admin/redirects/{id}.
func (n *Newsroom) editRedirect(w http.ResponseWriter, r *http.Request) {
	id, ok := parseID(r)
	if !ok {
		n.Error(w, r, http.StatusNotFound)
		return
	}
	rd, err := n.store.GetRedirect(r.Context(), id)
	if err != nil {
		n.fail(w, r, err)
		return
	}
	n.render(w, http.StatusOK, "redirect_edit", &data{User: userFrom(r.Context()), Title: n.cat.T("redirect_edit_title"), Page: &redirectsPage{New: *rd}})
}

// saveRedirect is POST /admin/redirects/{id}.
func (n *Newsroom) saveRedirect(w http.ResponseWriter, r *http.Request) {
	id, ok := n.postedID(w, r)
	if !ok {
		return
	}
	if _, err := n.store.GetRedirect(r.Context(), id); err != nil {
		n.fail(w, r, err)
		return
	}
	rd := news.Redirect{ID: id, Path: r.PostForm.Get("path"), Target: r.PostForm.Get("target")}
	if err := n.store.UpdateRedirect(r.Context(), &rd, userFrom(r.Context()).Actor()); err != nil {
		if errs, ok := redirectErrors(err); ok {
			n.render(w, http.StatusUnprocessableEntity, "redirect_edit", &data{User: userFrom(r.Context()), Title: n.cat.T("redirect_edit_title"), Page: &redirectsPage{New: rd}, Errors: errs})
		} else {
			n.fail(w, r, err)
		}
		return
	}
	http.Redirect(w, r, "/admin/redirects?done=redirect_saved", http.StatusSeeOther)
}

// deleteRedirect is POST /admin/redirects/{id}/delete.
func (n *Newsroom) deleteRedirect(w http.ResponseWriter, r *http.Request) {
	id, ok := n.postedID(w, r)
	if !ok {
		return
	}
	if err := n.store.DeleteRedirect(r.Context(), id, userFrom(r.Context()).Actor()); err != nil {
		n.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/admin/redirects?done=redirect_deleted", http.StatusSeeOther)
}

// importRedirects is POST /admin/redirects/import: a CSV file (or pasted
// lines) of old and new addresses. Good lines are added, or replace the
// redirect of the same old address; each bad line is reported by number.
func (n *Newsroom) importRedirects(w http.ResponseWriter, r *http.Request) {
	src, err := n.csvSource(r)
	if err != nil {
		n.fail(w, r, err)
		return
	}
	rows, lineErrs, problem := parseRedirectCSV(src)
	p := &redirectsPage{Imported: true, LineErrors: lineErrs, CSVProblem: problem}
	if problem == "" && len(rows) > 0 {
		p.Added, p.Updated, err = n.store.PutRedirects(r.Context(), rows, userFrom(r.Context()).Actor())
		if err != nil {
			n.fail(w, r, err)
			return
		}
	}
	status := http.StatusOK
	if problem != "" || len(lineErrs) > 0 {
		status = http.StatusUnprocessableEntity
	}
	n.renderRedirects(w, r, status, p, nil)
}

// csvSource is the uploaded file, or the pasted text.
func (n *Newsroom) csvSource(r *http.Request) (io.Reader, error) {
	if strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/") {
		if err := r.ParseMultipartForm(web.MaxFormBytes); err != nil {
			return nil, fmt.Errorf("%w: %v", news.ErrMalformed, err)
		}
		if f, _, err := r.FormFile("file"); err == nil {
			return f, nil
		}
		return strings.NewReader(r.PostFormValue("csv")), nil
	}
	if err := web.ParseForm(r); err != nil {
		return nil, err
	}
	return strings.NewReader(r.PostForm.Get("csv")), nil
}

// parseRedirectCSV reads lines of "old,new"; a first line whose old
// address is not an address is a header. It returns the good lines, the
// bad ones with their numbers, and a problem with the whole file.
func parseRedirectCSV(src io.Reader) ([]news.Redirect, []lineError, string) {
	cr := csv.NewReader(src)
	cr.FieldsPerRecord = -1
	cr.TrimLeadingSpace = true
	var (
		rows []news.Redirect
		errs []lineError
	)
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			line := 0
			if errors.As(err, &pe) {
				line = pe.StartLine
			}
			errs = append(errs, lineError{Line: line, Msg: "err_csv_line"})
			if len(errs) > 100 {
				return nil, errs, "err_csv"
			}
			continue
		}
		line, _ := cr.FieldPos(0)
		if len(rows)+len(errs) >= maxCSVRows {
			return nil, errs, "err_csv_too_long"
		}
		if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" {
			continue
		}
		if line == 1 && len(rec) >= 1 && !strings.HasPrefix(strings.TrimSpace(rec[0]), "/") && !strings.HasPrefix(strings.TrimSpace(rec[0]), "http") {
			continue // a header
		}
		if len(rec) != 2 {
			errs = append(errs, lineError{Line: line, Msg: "err_csv_columns"})
			continue
		}
		rd := news.Redirect{Path: rec[0], Target: rec[1]}
		if err := rd.Normalize(); err != nil {
			le := lineError{Line: line, Msg: "err_invalid"}
			var ie *news.InvalidError
			if errors.As(err, &ie) {
				for _, f := range []string{"target", "path"} {
					if c := ie.Fields[f]; c != "" {
						le.Field, le.Msg = "redirect_"+f, "err_"+c
					}
				}
			}
			errs = append(errs, le)
			continue
		}
		rows = append(rows, rd)
	}
	if len(rows) == 0 && len(errs) == 0 {
		return nil, nil, "err_csv_empty"
	}
	return rows, errs, ""
}

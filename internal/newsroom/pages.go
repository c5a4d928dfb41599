package newsroom

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"khabar/internal/auth"
	"khabar/internal/locale"
	"khabar/internal/news"
	"khabar/internal/search"
	"khabar/internal/settings"
	"khabar/internal/store"
	"khabar/internal/web"
)

// data is what every newsroom template receives.
type data struct {
	User    *auth.User
	Title   string
	Flash   string
	Errors  map[string]string // field -> catalogue key
	Status  int
	Ref     string // the request id on an error page of the server's fault
	Page    any
	Next    string
	Message string
	// Pending is the moderation queue's length, in the header of those
	// who moderate.
	Pending int
	// Newsletters is whether newsletters are on (e-mail is configured).
	Newsletters bool
}

func (n *Newsroom) render(w http.ResponseWriter, status int, page string, d *data) {
	n.eng.SetDateFormat(n.settings.Get().DateFormat())
	d.Newsletters = n.newsletters != nil
	if d.User.Can(auth.PermModerate) {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		if p, err := n.store.PendingComments(ctx); err == nil {
			d.Pending = p
		}
		cancel()
	}
	body, err := n.eng.Render(page, d)
	if err != nil {
		// Not n.fail: the error page is a template too.
		n.log.Error("render newsroom page", "page", page, "err", err)
		http.Error(w, n.cat.T("error_title_500"), web.Status(err))
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	w.Write(body)
}

// fail answers err with the error page (or, to a script, the JSON reason)
// of its kind, and logs it when it is the server's fault.
func (n *Newsroom) fail(w http.ResponseWriter, r *http.Request, err error) {
	status := web.Status(err)
	if web.ServerFault(r, status) {
		n.log.ErrorContext(r.Context(), "newsroom", "method", r.Method, "path", r.URL.Path, "err", err)
	}
	n.Error(w, r, status)
}

// Error writes a newsroom error page or, to a page's script, the reason
// as JSON: the autosave shows it rather than a page it cannot read.
func (n *Newsroom) Error(w http.ResponseWriter, r *http.Request, status int) {
	if wantsJSON(r) {
		web.JSONError(w, status, n.cat.T("error_text_"+strconv.Itoa(status)))
		return
	}
	d := &data{User: n.currentUser(r), Title: n.cat.T("error_title_" + strconv.Itoa(status)), Status: status}
	if status == http.StatusInternalServerError {
		d.Ref = web.RequestIDFrom(r.Context())
	}
	n.render(w, status, "error", d)
}

// wantsJSON: the request comes from a page's script, which reads JSON.
func wantsJSON(r *http.Request) bool {
	return strings.Contains(r.Header.Get("Accept"), "application/json")
}

func (n *Newsroom) loginForm(w http.ResponseWriter, r *http.Request) {
	d := &data{Title: n.cat.T("admin_login"), Next: safeNext(r.URL.Query().Get("next"))}
	// Before set-up nobody can log in: say where to go instead.
	if _, open, err := n.store.SetupState(r.Context()); err == nil && open {
		d.Message = n.cat.T("login_setup_pending")
	}
	n.render(w, http.StatusOK, "login", d)
}

// safeNext keeps post-login redirects inside the newsroom.
func safeNext(next string) string {
	if strings.HasPrefix(next, "/admin/") && !strings.HasPrefix(next, "//") && !strings.ContainsAny(next, "\\\r\n") && len(next) < 200 {
		return next
	}
	return "/admin/"
}

func (n *Newsroom) login(w http.ResponseWriter, r *http.Request) {
	if !n.parseForm(w, r) {
		return
	}
	next := safeNext(r.PostForm.Get("next"))
	in, err := n.auth.Login(r.Context(), r.PostForm.Get("email"), r.PostForm.Get("password"), web.ClientIP(r))
	if err != nil {
		n.loginRefused(w, r, "login", next, err)
		return
	}
	if in.NeedsCode {
		// The half-open session's token goes to the code form only.
		http.SetCookie(w, &http.Cookie{Name: codeCookie, Value: in.Token, Path: codePath, HttpOnly: true, SameSite: http.SameSiteStrictMode,
			Secure: n.secure || r.TLS != nil, MaxAge: int(auth.SecondFactorTTL.Seconds())})
		n.render(w, http.StatusOK, "login_code", &data{Title: n.cat.T("login_code_title"), Next: next})
		return
	}
	n.setSessionCookie(w, r, in.Token)
	http.Redirect(w, r, next, http.StatusSeeOther)
}

// The code step of a sign-in with two-factor on: its form, and the cookie
// that carries the half-open session to it.
const (
	codePath   = "/admin/login/code"
	codeCookie = "khabar_signin"
)

// loginCodeForm is GET /admin/login/code: the code form again (a reload),
// or the login form when no sign-in is half way.
func (n *Newsroom) loginCodeForm(w http.ResponseWriter, r *http.Request) {
	next := safeNext(r.URL.Query().Get("next"))
	if _, err := r.Cookie(codeCookie); err != nil {
		http.Redirect(w, r, "/admin/login?next="+urlQueryEscape(next), http.StatusSeeOther)
		return
	}
	n.render(w, http.StatusOK, "login_code", &data{Title: n.cat.T("login_code_title"), Next: next})
}

// loginCode is POST /admin/login/code: the second step of a sign-in.
func (n *Newsroom) loginCode(w http.ResponseWriter, r *http.Request) {
	if !n.parseForm(w, r) {
		return
	}
	next := safeNext(r.PostForm.Get("next"))
	token := ""
	if c, err := r.Cookie(codeCookie); err == nil {
		token = c.Value
	}
	in, err := n.auth.SecondFactor(r.Context(), token, r.PostForm.Get("code"), web.ClientIP(r))
	switch {
	case errors.Is(err, auth.ErrSignInExpired):
		n.endCodeStep(w)
		n.loginRefused(w, r, "login", next, err)
	case err != nil:
		n.loginRefused(w, r, "login_code", next, err)
	default:
		n.endCodeStep(w)
		n.setSessionCookie(w, r, in.Token)
		http.Redirect(w, r, next, http.StatusSeeOther)
	}
}

func (n *Newsroom) endCodeStep(w http.ResponseWriter) {
	http.SetCookie(w, &http.Cookie{Name: codeCookie, Value: "", Path: codePath, HttpOnly: true, SameSite: http.SameSiteStrictMode, MaxAge: -1})
}

// loginRefused shows page (the login form or the code form) again with
// why err refused the attempt, or the error page for the server's fault.
func (n *Newsroom) loginRefused(w http.ResponseWriter, r *http.Request, page, next string, err error) {
	var msg string
	switch {
	case errors.Is(err, news.ErrTooMany):
		msg = "login_throttled"
	case errors.Is(err, auth.ErrBadCode):
		msg = "login_code_wrong"
	case errors.Is(err, auth.ErrSignInExpired):
		msg = "login_code_expired"
	case errors.Is(err, auth.ErrDisabled):
		msg = "login_disabled"
	case news.KindOf(err) == news.KindInternal:
		n.fail(w, r, err)
		return
	default:
		msg = "login_failed"
	}
	title := map[string]string{"login": "admin_login", "login_code": "login_code_title"}[page]
	n.render(w, web.Status(err), page, &data{Title: n.cat.T(title), Message: n.cat.T(msg), Next: next})
}

// setSessionCookie hands the browser its session token.
func (n *Newsroom) setSessionCookie(w http.ResponseWriter, r *http.Request, token string) {
	http.SetCookie(w, &http.Cookie{Name: cookieName, Value: token, Path: "/", HttpOnly: true, SameSite: http.SameSiteLaxMode,
		Secure: n.secure || r.TLS != nil, MaxAge: int(auth.SessionTTL.Seconds())})
}

func (n *Newsroom) logout(w http.ResponseWriter, r *http.Request) {
	if c, err := r.Cookie(cookieName); err == nil {
		if err := n.auth.Logout(r.Context(), c.Value); err != nil {
			n.log.ErrorContext(r.Context(), "logout", "err", err)
		}
	}
	http.SetCookie(w, &http.Cookie{Name: cookieName, Value: "", Path: "/", HttpOnly: true, SameSite: http.SameSiteLaxMode, MaxAge: -1})
	http.Redirect(w, r, "/admin/login", http.StatusSeeOther)
}

type dashboardPage struct {
	Articles []news.Article
	Status   news.Status
	Statuses []news.Status
	Offset   int
	PrevURL  string
	NextURL  string
	Query    string
	AuthorID int64
	Authors  []news.Author
	Total    int // search hits, when searching
}

const adminPageSize = 50

func (n *Newsroom) dashboard(w http.ResponseWriter, r *http.Request) {
	u := userFrom(r.Context())
	q := r.URL.Query()
	st := news.Status(q.Get("status"))
	if st != "" && !st.Valid() {
		n.Error(w, r, http.StatusBadRequest)
		return
	}
	offset := 0
	if v := q.Get("offset"); v != "" {
		o, err := strconv.Atoi(v)
		if err != nil || o < 0 || o > 1_000_000 {
			n.Error(w, r, http.StatusBadRequest)
			return
		}
		offset = o
	}
	p := &dashboardPage{Status: st, Offset: offset, Query: q.Get("q"),
		Statuses: []news.Status{news.StatusDraft, news.StatusReview, news.StatusScheduled, news.StatusPublished, news.StatusUnpublished}}
	if v := q.Get("author"); v != "" {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil || id < 0 {
			n.Error(w, r, http.StatusBadRequest)
			return
		}
		p.AuthorID = id
	}
	page := &deskPage{dashboardPage: p, View: q.Get("view")}
	if !slices.Contains(deskViews, page.View) {
		n.Error(w, r, http.StatusBadRequest)
		return
	}
	if u.Can(auth.PermWrite) {
		var err error
		if p.Authors, err = n.store.ListAuthors(r.Context()); err == nil {
			err = n.fillDashboard(r, p)
		}
		// The desk shows on the plain dashboard, not on a filtered list.
		if err == nil && (len(q) == 0 || len(q) == 1 && q.Has("view")) {
			page.Desk, err = n.fillDesk(r.Context(), u, page.View, time.Now())
		}
		if err == nil && page.Desk != nil && u.Can(auth.PermPublish) {
			page.Now, err = n.readNow(r.Context(), store.Readership{}, deskTop)
		}
		if err == nil {
			page.Locks, err = n.store.EditLocks(r.Context(), news.EditTTL)
		}
		if err != nil {
			n.fail(w, r, fmt.Errorf("list articles: %w", err))
			return
		}
	}
	n.render(w, http.StatusOK, "dashboard", &data{User: u, Title: n.cat.T("admin_articles"), Page: page, Flash: flash(r)})
}

// parseForm parses a posted form, answering 413 for an oversized body and
// 400 for a malformed one; false means the response is written.
func (n *Newsroom) parseForm(w http.ResponseWriter, r *http.Request) bool {
	if err := web.ParseForm(r); err != nil {
		n.fail(w, r, err)
		return false
	}
	return true
}

// fillDashboard lists articles, or searches them (every state, or the
// chosen one) when there is a query.
func (n *Newsroom) fillDashboard(r *http.Request, p *dashboardPage) error {
	u := url.Values{}
	for k, v := range map[string]string{"status": string(p.Status), "q": p.Query} {
		if v != "" {
			u.Set(k, v)
		}
	}
	if p.AuthorID > 0 {
		u.Set("author", strconv.FormatInt(p.AuthorID, 10))
	}
	var list []news.Article
	if parsed := search.Parse(p.Query); !parsed.Empty() {
		o := search.Options{AuthorID: p.AuthorID, Offset: p.Offset, Limit: adminPageSize + 1}
		if p.Status != "" {
			o.Statuses = []news.Status{p.Status}
		}
		res, err := n.search.Search(r.Context(), parsed, o)
		if err != nil {
			return err
		}
		p.Total = res.Total
		for _, h := range res.Hits {
			list = append(list, *h.Article)
		}
	} else {
		var err error
		list, err = n.store.ListArticles(r.Context(), store.AdminFilter{Status: p.Status, AuthorID: p.AuthorID, Limit: adminPageSize + 1, Offset: p.Offset})
		if err != nil {
			return err
		}
	}
	page := func(offset int) string {
		u.Set("offset", strconv.Itoa(offset))
		return "/admin/?" + u.Encode()
	}
	if len(list) > adminPageSize {
		list, p.NextURL = list[:adminPageSize], page(p.Offset+adminPageSize)
	}
	if p.Offset > 0 {
		p.PrevURL = page(max(p.Offset-adminPageSize, 0))
	}
	p.Articles = list
	return nil
}

func flash(r *http.Request) string {
	switch r.URL.Query().Get("done") {
	case "correction_added", "correction_deleted":
		return "flash_" + r.URL.Query().Get("done")
	case "saved":
		return "flash_saved"
	case "published":
		return "flash_published"
	case "unpublished":
		return "flash_unpublished"
	case "settings":
		return "flash_settings"
	case "ticker", "ticker_sent", "ticker_raised", "moderated", "comment_saved", "banned", "unbanned", "alert", "revoked", "user", "role", "disabled", "enabled", "session", "password", "taken", "deleted", "setup", "job_retried", "job_gone",
		"section_saved", "section_moved", "section_deleted", "author_saved", "none_selected",
		"page_saved", "page_moved", "page_deleted", "redirect_saved", "redirect_deleted", "two_factor_off", "two_factor_reset",
		"wire_draft_made", "wire_not_usable", "newsletter_saved", "newsletter_sending":
		return "flash_" + r.URL.Query().Get("done")
	}
	return ""
}

type settingsPage struct {
	S        settings.Settings
	Months   []string
	Digits   []string
	Comments []string
	Sections []news.Section
	// Languages to choose from, and the one the outlet speaks now.
	Languages []string
	Lang      string
	// Logo is the library image S names for the icons, if it exists.
	Logo *libraryItem
}

func (n *Newsroom) settingsForm(w http.ResponseWriter, r *http.Request) {
	m, err := n.store.Settings(r.Context())
	if err != nil {
		n.fail(w, r, fmt.Errorf("read settings: %w", err))
		return
	}
	n.renderSettings(w, r, http.StatusOK, settings.FromMap(m), nil, nil)
}

// renderSettings shows the settings form; sections, when given, are the
// sections with the modes as submitted.
func (n *Newsroom) renderSettings(w http.ResponseWriter, r *http.Request, status int, s settings.Settings, sections []news.Section, errs map[string]string) {
	var err error
	p := &settingsPage{S: s, Digits: []string{"latin", "arabic"}, Comments: []string{"pre", "post", "closed"},
		Languages: locale.Languages(), Lang: s.Language}
	if p.Lang == "" {
		p.Lang = n.cat.Lang()
	}
	if sections != nil {
		p.Sections = sections
	} else if p.Sections, err = n.store.ListSections(r.Context()); err != nil {
		n.fail(w, r, fmt.Errorf("list sections: %w", err))
		return
	}
	p.Months = monthNames()
	if s.LogoMedia != 0 {
		m, err := n.store.GetMedia(r.Context(), s.LogoMedia)
		if err != nil && !errors.Is(err, news.ErrNotFound) {
			n.fail(w, r, fmt.Errorf("settings logo: %w", err))
			return
		}
		if m != nil {
			p.Logo = &libraryItem{Media: *m, Thumb: thumb(*m)}
		}
	}
	n.render(w, status, "settings", &data{User: userFrom(r.Context()), Title: n.cat.T("admin_settings"), Page: p, Errors: errs, Flash: flash(r)})
}

func (n *Newsroom) saveSettings(w http.ResponseWriter, r *http.Request) {
	if !n.parseForm(w, r) {
		return
	}
	form := map[string]string{}
	for _, k := range settings.Keys() {
		form[k] = r.PostForm.Get(k)
	}
	errs := map[string]string{}
	s, err := settings.Parse(form)
	if err != nil {
		fieldErrors(err, errs)
	}
	if err := s.CheckLogo(r.Context(), n.store.GetMedia); err != nil && !fieldErrors(err, errs) {
		n.fail(w, r, err)
		return
	}
	sections, err := n.store.ListSections(r.Context())
	if err != nil {
		n.fail(w, r, fmt.Errorf("list sections: %w", err))
		return
	}
	modes := map[int64]news.CommentsMode{}
	for i, sec := range sections {
		key := "section_comments_" + strconv.FormatInt(sec.ID, 10)
		m := news.CommentsMode(r.PostForm.Get(key))
		if !m.Valid() {
			errs[key] = "err_unknown"
		}
		modes[sec.ID], sections[i].CommentsMode = m, m
	}
	if len(errs) > 0 {
		n.renderSettings(w, r, http.StatusUnprocessableEntity, s, sections, errs)
		return
	}
	if err := n.store.SaveSettings(r.Context(), s.ToMap()); err != nil {
		n.fail(w, r, fmt.Errorf("save settings: %w", err))
		return
	}
	if err := n.store.SetSectionCommentsModes(r.Context(), modes); err != nil {
		n.fail(w, r, fmt.Errorf("save section comment modes: %w", err))
		return
	}
	http.Redirect(w, r, "/admin/settings?done=settings", http.StatusSeeOther)
}

// fieldErrors copies a validation error's fields into errs as catalogue
// keys ("err_required", …); false when err is not a validation error.
func fieldErrors(err error, errs map[string]string) bool {
	var ie *news.InvalidError
	if !errors.As(err, &ie) {
		return false
	}
	for f, code := range ie.Fields {
		errs[f] = "err_" + code
	}
	return true
}

func urlQueryEscape(s string) string { return url.QueryEscape(s) }

package newsroom

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"khabar/internal/auth"
	"khabar/internal/news"
	"khabar/internal/store"
)

type usersPage struct {
	Users    []auth.User
	Roles    []auth.Role
	Form     auth.User
	Password string // a password just set by a reset, shown once
	For      string // whose
}

var roles = []auth.Role{auth.RoleAdmin, auth.RoleEditor, auth.RoleWriter, auth.RoleModerator}

// users is GET /admin/users (admins): accounts, roles, password resets.
func (n *Newsroom) users(w http.ResponseWriter, r *http.Request) {
	n.renderUsers(w, r, http.StatusOK, &usersPage{Form: auth.User{Role: auth.RoleWriter}}, nil)
}

func (n *Newsroom) renderUsers(w http.ResponseWriter, r *http.Request, status int, p *usersPage, errs map[string]string) {
	var err error
	if p.Users, err = n.store.ListUsers(r.Context()); err != nil {
		n.fail(w, r, fmt.Errorf("list users: %w", err))
		return
	}
	p.Roles = roles
	n.render(w, status, "users", &data{User: userFrom(r.Context()), Title: n.cat.T("admin_users"), Page: p, Errors: errs, Flash: flash(r)})
}

// accountForm reads and checks the fields of a new account (e-mail, name,
// password), adding what is wrong to errs; the password comes back apart,
// to be hashed.
func accountForm(f url.Values, errs map[string]string) (auth.User, string) {
	u := auth.User{Email: strings.TrimSpace(f.Get("email")), Name: news.CleanName(f.Get("name"))}
	if email, err := store.NormalizeEmail(u.Email); err != nil {
		errs["email"] = "err_bad_email"
	} else {
		u.Email = email
	}
	if u.Name == "" || len([]rune(u.Name)) > maxAccountName {
		errs["name"] = map[bool]string{true: "err_required", false: "err_too_long"}[u.Name == ""]
	}
	pw := f.Get("password")
	if err := auth.CheckPasswordRules(pw); err != nil {
		errs["password"] = "err_password_rules"
	}
	return u, pw
}

// maxAccountName bounds a newsroom account's display name, in characters.
const maxAccountName = 120

// createUser is POST /admin/users.
func (n *Newsroom) createUser(w http.ResponseWriter, r *http.Request) {
	if !n.parseForm(w, r) {
		return
	}
	errs := map[string]string{}
	u, pw := accountForm(r.PostForm, errs)
	u.Role = auth.Role(r.PostForm.Get("role"))
	if _, err := auth.ParseRole(string(u.Role)); err != nil {
		errs["role"] = "err_unknown"
	}
	if len(errs) == 0 {
		var err error
		if u.PasswordHash, err = n.auth.HashPassword(r.Context(), pw); err == nil {
			err = n.store.CreateUser(r.Context(), &u)
		}
		switch {
		case errors.Is(err, news.ErrDuplicate):
			errs["email"] = "err_email_taken"
		case err != nil:
			n.fail(w, r, fmt.Errorf("create user: %w", err))
			return
		default:
			if err := n.store.Audit(r.Context(), userFrom(r.Context()).Actor(), "user.create", "user "+strconv.FormatInt(u.ID, 10), u.Email+" ("+string(u.Role)+")"); err != nil {
				n.log.ErrorContext(r.Context(), "audit", "err", err)
			}
			http.Redirect(w, r, "/admin/users?done=user", http.StatusSeeOther)
			return
		}
	}
	u.PasswordHash = ""
	n.renderUsers(w, r, http.StatusUnprocessableEntity, &usersPage{Form: u}, errs)
}

func (n *Newsroom) targetUser(w http.ResponseWriter, r *http.Request) *auth.User {
	id, ok := parseID(r)
	if !ok {
		n.Error(w, r, http.StatusNotFound)
		return nil
	}
	u, err := n.store.UserByID(r.Context(), id)
	if err != nil {
		n.Error(w, r, http.StatusNotFound)
		return nil
	}
	return u
}

// setRole is POST /admin/users/{id}/role.
func (n *Newsroom) setRole(w http.ResponseWriter, r *http.Request) {
	if !n.parseForm(w, r) {
		return
	}
	u := n.targetUser(w, r)
	if u == nil {
		return
	}
	err := n.store.SetUserRole(r.Context(), u.ID, auth.Role(r.PostForm.Get("role")), userFrom(r.Context()).Actor())
	switch {
	case news.IsInvalid(err):
		n.Error(w, r, http.StatusBadRequest)
	case errors.Is(err, store.ErrLastAdmin):
		n.renderUsers(w, r, http.StatusConflict, &usersPage{Form: auth.User{Role: auth.RoleWriter}}, map[string]string{"role": "err_last_admin"})
	case err != nil:
		n.fail(w, r, fmt.Errorf("set role: %w", err))
	default:
		http.Redirect(w, r, "/admin/users?done=role", http.StatusSeeOther)
	}
}

// setDisabled is POST /admin/users/{id}/disable (disable) or …/enable:
// a disabled account's sessions end and its API tokens are revoked.
func (n *Newsroom) setDisabled(disable bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		u := n.targetUser(w, r)
		if u == nil {
			return
		}
		err := n.store.SetUserDisabled(r.Context(), u.ID, disable, userFrom(r.Context()).Actor())
		switch {
		case errors.Is(err, store.ErrLastAdmin):
			n.renderUsers(w, r, http.StatusConflict, &usersPage{Form: auth.User{Role: auth.RoleWriter}}, map[string]string{"role": "err_last_admin_disable"})
		case err != nil:
			n.fail(w, r, fmt.Errorf("set user disabled: %w", err))
		case disable:
			http.Redirect(w, r, "/admin/users?done=disabled", http.StatusSeeOther)
		default:
			http.Redirect(w, r, "/admin/users?done=enabled", http.StatusSeeOther)
		}
	}
}

// resetPassword is POST /admin/users/{id}/reset: a new random password,
// shown once to the admin to pass on; every session of the user ends and
// their API tokens are revoked (Store.SetUserPassword).
func (n *Newsroom) resetPassword(w http.ResponseWriter, r *http.Request) {
	u := n.targetUser(w, r)
	if u == nil {
		return
	}
	token, _, err := auth.NewToken()
	pw := token[:min(len(token), 20)]
	var hash string
	if err == nil {
		hash, err = n.auth.HashPassword(r.Context(), pw)
	}
	if err == nil {
		err = n.store.SetUserPassword(r.Context(), u.ID, hash, "", userFrom(r.Context()).Actor())
	}
	if err != nil {
		n.fail(w, r, fmt.Errorf("reset password: %w", err))
		return
	}
	n.renderUsers(w, r, http.StatusOK, &usersPage{Form: auth.User{Role: auth.RoleWriter}, Password: pw, For: u.Email}, nil)
}

type sessionsPage struct {
	Of       *auth.User
	Sessions []auth.Session
	Self     bool // the account page: one's own sessions and password
	Base     string
	// Profile is the account page's form of the byline linked to the
	// account, as the author_fields partial reads it; nil without one.
	Profile *data
	// TwoFactor is the account page's two-factor part.
	TwoFactor *twoFactorView
}

// userSessions is GET /admin/users/{id}/sessions (admins).
func (n *Newsroom) userSessions(w http.ResponseWriter, r *http.Request) {
	u := n.targetUser(w, r)
	if u == nil {
		return
	}
	n.renderSessions(w, r, http.StatusOK, &sessionsPage{Of: u, Base: "/admin/users/" + strconv.FormatInt(u.ID, 10)}, nil)
}

// account is GET /admin/account: one's own password and sessions.
func (n *Newsroom) account(w http.ResponseWriter, r *http.Request) {
	n.renderAccount(w, r, http.StatusOK, nil, nil)
}

// renderAccount shows one's own account: sessions, password, two-factor
// and, when a byline is linked to it, its profile (a as typed, or as
// stored when nil).
func (n *Newsroom) renderAccount(w http.ResponseWriter, r *http.Request, status int, a *news.Author, errs map[string]string) {
	n.renderAccountWith(w, r, status, a, errs, nil)
}

// renderAccountWith is renderAccount showing recovery codes just made.
func (n *Newsroom) renderAccountWith(w http.ResponseWriter, r *http.Request, status int, a *news.Author, errs map[string]string, codes []string) {
	u := userFrom(r.Context())
	p := &sessionsPage{Of: u, Self: true, Base: "/admin/account"}
	var err error
	if p.TwoFactor, err = n.twoFactorView(r, u); err != nil {
		n.fail(w, r, err)
		return
	}
	p.TwoFactor.Codes = codes
	if a == nil {
		if a, err = n.store.AuthorOfUser(r.Context(), u.ID); err != nil && !errors.Is(err, news.ErrNotFound) {
			n.fail(w, r, err)
			return
		}
	}
	if a != nil {
		media, err := n.store.ListMedia(r.Context(), 200, 0)
		if err != nil {
			n.fail(w, r, err)
			return
		}
		p.Profile = &data{Page: &authorsPage{Form: *a, Edit: true, Own: true, Media: media}, Errors: errs}
	}
	n.renderSessions(w, r, status, p, errs)
}

// saveOwnProfile is POST /admin/account/profile: a writer's own byline,
// whatever the form says of the account it is linked to.
func (n *Newsroom) saveOwnProfile(w http.ResponseWriter, r *http.Request) {
	if !n.parseForm(w, r) {
		return
	}
	u := userFrom(r.Context())
	a, err := n.store.AuthorOfUser(r.Context(), u.ID)
	if err != nil {
		n.fail(w, r, err)
		return
	}
	authorForm(r, a)
	a.UserID = u.ID
	err = n.store.UpdateAuthor(r.Context(), a, u.Actor())
	errs := map[string]string{}
	switch {
	case fieldErrors(err, errs):
		n.renderAccount(w, r, http.StatusUnprocessableEntity, a, errs)
	case err != nil:
		n.fail(w, r, err)
	default:
		http.Redirect(w, r, "/admin/account?done=author_saved", http.StatusSeeOther)
	}
}

func (n *Newsroom) renderSessions(w http.ResponseWriter, r *http.Request, status int, p *sessionsPage, errs map[string]string) {
	var err error
	if p.Sessions, err = n.store.UserSessions(r.Context(), p.Of.ID, n.sessionHash(r)); err != nil {
		n.fail(w, r, fmt.Errorf("list sessions: %w", err))
		return
	}
	title := n.cat.T("admin_account")
	if !p.Self {
		title = n.cat.T("admin_sessions")
	}
	n.render(w, status, "sessions", &data{User: userFrom(r.Context()), Title: title, Page: p, Errors: errs, Flash: flash(r)})
}

func (n *Newsroom) sessionHash(r *http.Request) string {
	c, err := r.Cookie(cookieName)
	if err != nil {
		return ""
	}
	return auth.HashToken(c.Value)
}

// endSession is POST …/sessions/{sid}/end, for one's own sessions or, for
// admins, anyone's.
func (n *Newsroom) endSession(w http.ResponseWriter, r *http.Request) {
	back, of := "/admin/account", userFrom(r.Context())
	if r.PathValue("id") != "" {
		if of = n.targetUser(w, r); of == nil {
			return
		}
		back = "/admin/users/" + strconv.FormatInt(of.ID, 10) + "/sessions"
	}
	err := n.store.EndUserSession(r.Context(), of.ID, r.PathValue("sid"), userFrom(r.Context()).Actor())
	switch {
	case err != nil:
		n.fail(w, r, fmt.Errorf("end session: %w", err))
	default:
		http.Redirect(w, r, back+"?done=session", http.StatusSeeOther)
	}
}

// changePassword is POST /admin/account/password: the current password,
// then the new one twice; other sessions end.
func (n *Newsroom) changePassword(w http.ResponseWriter, r *http.Request) {
	if !n.parseForm(w, r) {
		return
	}
	me := userFrom(r.Context())
	f := r.PostForm
	errs := map[string]string{}
	if err := n.auth.Reauthenticate(r.Context(), me, f.Get("current")); errors.Is(err, news.ErrTooMany) {
		errs["current"] = "login_throttled"
	} else if err != nil {
		errs["current"] = "err_wrong_password"
	}
	if err := auth.CheckPasswordRules(f.Get("new")); err != nil {
		errs["new"] = "err_password_rules"
	} else if f.Get("new") != f.Get("repeat") {
		errs["repeat"] = "err_passwords_differ"
	}
	if len(errs) == 0 {
		hash, err := n.auth.HashPassword(r.Context(), f.Get("new"))
		if err == nil {
			err = n.store.SetUserPassword(r.Context(), me.ID, hash, n.sessionHash(r), me.Actor())
		}
		if err != nil {
			n.fail(w, r, fmt.Errorf("change password: %w", err))
			return
		}
		http.Redirect(w, r, "/admin/account?done=password", http.StatusSeeOther)
		return
	}
	n.renderAccount(w, r, http.StatusUnprocessableEntity, nil, errs)
}

package newsroom

import (
	"crypto/subtle"
	"errors"
	"fmt"
	"net/http"

	"khabar/internal/locale"
	"khabar/internal/news"
	"khabar/internal/settings"
)

// setupPage is the first run's form: the outlet, then its first admin.
type setupPage struct {
	Token     string
	S         settings.Settings
	Months    []string
	Languages []string
	Email     string
	Name      string
	Done      bool // set-up is complete: the page only points to the login
}

// setupForm is GET /admin/setup?token=…, the first run's page, open only
// with the token the server printed and only until an admin exists.
func (n *Newsroom) setupForm(w http.ResponseWriter, r *http.Request) {
	token := r.URL.Query().Get("token")
	if !n.setupOpen(w, r, token) {
		return
	}
	s := n.settings.Get()
	if s.Language == "" {
		s.Language = n.cat.Lang()
	}
	n.renderSetup(w, http.StatusOK, &setupPage{Token: token, S: s}, nil)
}

// setupOpen answers for a set-up page that is gone or a wrong token, and
// reports whether the request may go on.
func (n *Newsroom) setupOpen(w http.ResponseWriter, r *http.Request, token string) bool {
	want, open, err := n.store.SetupState(r.Context())
	switch {
	case err != nil:
		n.fail(w, r, fmt.Errorf("set-up token: %w", err))
	case !open:
		n.renderSetup(w, http.StatusGone, &setupPage{Done: true}, nil)
	case want == "" || subtle.ConstantTimeCompare([]byte(token), []byte(want)) != 1:
		n.Error(w, r, http.StatusForbidden)
	default:
		return true
	}
	return false
}

func (n *Newsroom) renderSetup(w http.ResponseWriter, status int, p *setupPage, errs map[string]string) {
	p.Months = monthNames()
	p.Languages = locale.Languages()
	n.render(w, status, "setup", &data{Title: n.cat.T("setup_title"), Page: p, Errors: errs})
}

// completeSetup is POST /admin/setup: it names the outlet, makes the first
// admin and signs them in.
func (n *Newsroom) completeSetup(w http.ResponseWriter, r *http.Request) {
	if !n.parseForm(w, r) {
		return
	}
	f := r.PostForm
	token := f.Get("token")
	if !n.setupOpen(w, r, token) {
		return
	}
	errs := map[string]string{}
	// The outlet's fields go through the settings' own rules, over what
	// is stored (the defaults, on a fresh install).
	form := n.settings.Get().ToMap()
	for _, k := range []string{"site_name", "lang", "time_zone", "month_style"} {
		form[k] = f.Get(k)
	}
	s, err := settings.Parse(form)
	fieldErrors(err, errs)
	if s.Language == "" {
		errs["lang"] = "err_required"
	}
	u, pw := accountForm(f, errs)
	if len(errs) == 0 {
		if u.PasswordHash, err = n.auth.HashPassword(r.Context(), pw); err == nil {
			err = n.store.CompleteSetup(r.Context(), token, s.ToMap(), &u)
		}
		switch {
		case errors.Is(err, news.ErrDuplicate):
			errs["email"] = "err_email_taken"
		case errors.Is(err, news.ErrGone):
			n.renderSetup(w, http.StatusGone, &setupPage{Done: true}, nil)
			return
		case err != nil:
			n.fail(w, r, err)
			return
		default:
			token, err := n.auth.OpenSession(r.Context(), &u)
			if err != nil {
				// The outlet exists; the admin can still log in by hand.
				n.log.ErrorContext(r.Context(), "sign in the first admin", "err", err)
				http.Redirect(w, r, "/admin/login", http.StatusSeeOther)
				return
			}
			n.setSessionCookie(w, r, token)
			http.Redirect(w, r, "/admin/?done=setup", http.StatusSeeOther)
			return
		}
	}
	n.renderSetup(w, http.StatusUnprocessableEntity, &setupPage{Token: token, S: s, Email: u.Email, Name: u.Name}, errs)
}

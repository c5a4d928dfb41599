package newsroom

import (
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"strconv"
	"strings"

	"github.com/yeqown/go-qrcode/v2"

	"khabar/internal/auth"
	"khabar/internal/news"
)

// accountTwoFactor is the account page's two-factor part, where an editor
// the outlet requires it of is sent until they have it.
const accountTwoFactor = "/admin/account#two-factor"

// mustEnrol: the outlet requires two-factor of editors and admins, u is
// one, and has not turned it on.
func (n *Newsroom) mustEnrol(u *auth.User) bool {
	return n.settings.Get().TwoFactorRequired && (u.Role == auth.RoleAdmin || u.Role == auth.RoleEditor) && !u.TwoFactor
}

// twoFactorView is the account page's two-factor part.
type twoFactorView struct {
	On bool
	// Left counts the unused recovery codes while it is on.
	Left int
	// While enrolling: the secret as typed, as an otpauth:// address and
	// as a QR code of it.
	Secret, URI string
	QR          template.HTML
	// Codes are the recovery codes, shown once, just after enrolment.
	Codes []string
	// Required: the outlet requires it and nothing else opens until it is on.
	Required bool
}

// twoFactorView reads u's two-factor state for the account page.
func (n *Newsroom) twoFactorView(r *http.Request, u *auth.User) (*twoFactorView, error) {
	v := &twoFactorView{On: u.TwoFactor, Required: n.mustEnrol(u)}
	if u.TwoFactor {
		var err error
		v.Left, err = n.store.RecoveryCodesLeft(r.Context(), u.ID)
		return v, err
	}
	secret, err := n.auth.PendingTOTP(r.Context(), u)
	if err != nil || secret == nil {
		return v, err
	}
	v.Secret = auth.FormatTOTPSecret(secret)
	v.URI = auth.TOTPURI(n.settings.Get().SiteName, u.Email, secret)
	v.QR, err = qrSVG(v.URI)
	return v, err
}

// beginTwoFactor is POST /admin/account/two-factor: a new secret to
// enrol (again, if the page was left half way).
func (n *Newsroom) beginTwoFactor(w http.ResponseWriter, r *http.Request) {
	u := userFrom(r.Context())
	if u.TwoFactor {
		n.Error(w, r, http.StatusConflict)
		return
	}
	if _, err := n.auth.BeginTOTP(r.Context(), u); err != nil {
		n.fail(w, r, fmt.Errorf("begin two-factor: %w", err))
		return
	}
	http.Redirect(w, r, accountTwoFactor, http.StatusSeeOther)
}

// confirmTwoFactor is POST /admin/account/two-factor/confirm: the first
// code from the app turns two-factor on; the page then shows the
// recovery codes, once.
func (n *Newsroom) confirmTwoFactor(w http.ResponseWriter, r *http.Request) {
	if !n.parseForm(w, r) {
		return
	}
	u := userFrom(r.Context())
	if u.TwoFactor {
		n.Error(w, r, http.StatusConflict)
		return
	}
	codes, err := n.auth.ConfirmTOTP(r.Context(), u, r.PostForm.Get("code"))
	switch {
	case errors.Is(err, news.ErrTooMany):
		n.renderAccount(w, r, http.StatusTooManyRequests, nil, map[string]string{"code": "login_throttled"})
	case errors.Is(err, auth.ErrBadCode):
		n.renderAccount(w, r, http.StatusUnprocessableEntity, nil, map[string]string{"code": "err_two_factor_code"})
	case err != nil:
		n.fail(w, r, fmt.Errorf("confirm two-factor: %w", err))
	default:
		u.TwoFactor = true
		n.renderAccountWith(w, r, http.StatusOK, nil, nil, codes)
	}
}

// disableTwoFactor is POST /admin/account/two-factor/off, with the
// password. While the outlet requires two-factor of the account's role,
// it cannot be turned off.
func (n *Newsroom) disableTwoFactor(w http.ResponseWriter, r *http.Request) {
	if !n.parseForm(w, r) {
		return
	}
	u := userFrom(r.Context())
	errs := map[string]string{}
	switch {
	case !u.TwoFactor:
		n.Error(w, r, http.StatusConflict)
		return
	case n.settings.Get().TwoFactorRequired && (u.Role == auth.RoleAdmin || u.Role == auth.RoleEditor):
		errs["off_password"] = "err_two_factor_required"
	default:
		err := n.auth.DisableTOTP(r.Context(), u, r.PostForm.Get("password"))
		switch {
		case errors.Is(err, news.ErrTooMany):
			errs["off_password"] = "login_throttled"
		case errors.Is(err, auth.ErrBadPassword):
			errs["off_password"] = "err_wrong_password"
		case err != nil:
			n.fail(w, r, fmt.Errorf("turn off two-factor: %w", err))
			return
		default:
			http.Redirect(w, r, "/admin/account?done=two_factor_off", http.StatusSeeOther)
			return
		}
	}
	n.renderAccount(w, r, http.StatusUnprocessableEntity, nil, errs)
}

// resetTwoFactor is POST /admin/users/{id}/two-factor/off (admins): for
// someone who lost both their phone and their recovery codes. Not for
// one's own account, which turns it off with the password.
func (n *Newsroom) resetTwoFactor(w http.ResponseWriter, r *http.Request) {
	u := n.targetUser(w, r)
	if u == nil {
		return
	}
	if u.ID == userFrom(r.Context()).ID {
		n.Error(w, r, http.StatusForbidden)
		return
	}
	if err := n.store.DisableTOTP(r.Context(), u.ID, userFrom(r.Context()).Actor()); err != nil {
		n.fail(w, r, fmt.Errorf("reset two-factor: %w", err))
		return
	}
	http.Redirect(w, r, "/admin/users?done=two_factor_reset", http.StatusSeeOther)
}

// dismissLoginNotice is POST /admin/account/login-notice: the holder has
// read the notice of a burst of failed logins.
func (n *Newsroom) dismissLoginNotice(w http.ResponseWriter, r *http.Request) {
	if err := n.store.DismissLoginNotice(r.Context(), userFrom(r.Context()).ID); err != nil {
		n.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/admin/account", http.StatusSeeOther)
}

// qrSVG draws text as a QR code in inline SVG (no script, no image
// request) for an authenticator app's camera. Its alternative is the
// secret as text beside it.
func qrSVG(text string) (template.HTML, error) {
	q, err := qrcode.NewWith(text, qrcode.WithErrorCorrectionLevel(qrcode.ErrorCorrectionMedium))
	if err != nil {
		return "", fmt.Errorf("QR code: %w", err)
	}
	var w svgWriter
	if err := q.Save(&w); err != nil {
		return "", fmt.Errorf("QR code: %w", err)
	}
	// Only numbers and fixed markup: nothing of text reaches the SVG.
	return template.HTML(w.b.String()), nil
}

// svgWriter is a qrcode.Writer that draws the modules as one SVG path.
type svgWriter struct{ b strings.Builder }

// qrQuiet is the blank margin a reader needs around the code, in modules.
const qrQuiet = 4

func (s *svgWriter) Write(m qrcode.Matrix) error {
	size := strconv.Itoa(m.Width() + 2*qrQuiet)
	s.b.WriteString(`<svg xmlns="http://www.w3.org/2000/svg" class="qr" aria-hidden="true" shape-rendering="crispEdges" viewBox="0 0 ` + size + " " + size + `">`)
	s.b.WriteString(`<rect width="` + size + `" height="` + size + `" fill="#fff"/><path fill="#000" d="`)
	m.Iterate(qrcode.IterDirection_ROW, func(x, y int, v qrcode.QRValue) {
		if v.IsSet() {
			s.b.WriteString("M" + strconv.Itoa(x+qrQuiet) + " " + strconv.Itoa(y+qrQuiet) + "h1v1h-1z")
		}
	})
	s.b.WriteString(`"/></svg>`)
	return nil
}

func (s *svgWriter) Close() error { return nil }

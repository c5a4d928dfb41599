package site

import (
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"khabar/internal/alert"
	"khabar/internal/news"
	"khabar/internal/newsletter"
	"khabar/internal/web"
)

// NewsletterOptions are the reader side of newsletters, offered when
// Service is set (e-mail is configured).
type NewsletterOptions struct {
	Service *newsletter.Service
	// WebhookToken is the bearer token a mail provider's bounce and
	// complaint webhook must send; "" turns the webhook off.
	WebhookToken string
}

// newsletterRoutes registers the newsletter pages; the form is ours and
// behind cop, while the one-click unsubscribe POST (RFC 8058, from mail
// providers, its signed link its authority) and the provider's webhook
// (its bearer token) are not.
func (s *Site) newsletterRoutes(mux *http.ServeMux, cop *http.CrossOriginProtection) {
	if s.newsletters.Service == nil {
		return
	}
	mux.HandleFunc("GET /newsletter", s.newsletterPage)
	mux.Handle("POST /newsletter/subscribe", cop.Handler(http.HandlerFunc(s.subscribeNewsletter)))
	mux.HandleFunc("GET /newsletter/confirm", s.confirmNewsletter)
	mux.HandleFunc("GET /newsletter/unsubscribe", s.unsubscribeNewsletter)
	mux.HandleFunc("POST /newsletter/unsubscribe", s.unsubscribeNewsletter)
	mux.HandleFunc("GET /newsletter/click", s.newsletterClick)
	if s.newsletters.WebhookToken != "" {
		mux.HandleFunc("POST /newsletter/webhook/bounce", s.newsletterBounce)
	}
}

// newsletterPage is GET /newsletter: the lists, each with its
// description, and the form.
func (s *Site) newsletterPage(w http.ResponseWriter, r *http.Request) {
	d, err := s.newData(r.Context(), s.cat.T("newsletter_title"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	d.Robots = "noindex"
	s.renderNoStore(w, r, http.StatusOK, "newsletter", d)
}

// maxListsPerForm bounds the lists one form may name.
const maxListsPerForm = 50

// subscribeNewsletter is POST /newsletter/subscribe: double opt-in, as
// for e-mail alerts, and under the same limits.
func (s *Site) subscribeNewsletter(w http.ResponseWriter, r *http.Request) {
	if err := web.ParseForm(r); err != nil {
		s.fail(w, r, err)
		return
	}
	email, err := newsletter.CheckAddress(r.PostForm.Get("email"))
	if err != nil {
		s.notice(w, r, http.StatusUnprocessableEntity, "email_alerts_bad", "/newsletter", "")
		return
	}
	raw := r.PostForm["list"]
	lists := make([]int64, 0, len(raw))
	for _, v := range raw {
		id, ok := web.PositiveID(v)
		if !ok || len(raw) > maxListsPerForm {
			lists = nil
			break
		}
		lists = append(lists, id)
	}
	if len(lists) == 0 {
		s.notice(w, r, http.StatusUnprocessableEntity, "newsletter_no_list", "/newsletter", "")
		return
	}
	if !s.emailLimit.Take(web.ClientIP(r)) || !s.emailLimit.Take("to:"+email) {
		w.Header().Set("Retry-After", "600")
		s.notice(w, r, http.StatusTooManyRequests, "email_alerts_slow", "/newsletter", "")
		return
	}
	err = s.newsletters.Service.Subscribe(r.Context(), email, lists)
	var sendErr *alert.Error
	switch {
	case errors.Is(err, newsletter.ErrNoList):
		s.notice(w, r, http.StatusUnprocessableEntity, "newsletter_no_list", "/newsletter", "")
	case errors.As(err, &sendErr):
		s.log.WarnContext(r.Context(), "send newsletter confirmation", "err", err)
		s.notice(w, r, http.StatusBadGateway, "email_alerts_failed", "/newsletter", "")
	case err != nil:
		s.fail(w, r, err)
	default:
		s.notice(w, r, http.StatusOK, "email_alerts_check", "/", "")
	}
}

// confirmNewsletter is GET /newsletter/confirm?token=…
func (s *Site) confirmNewsletter(w http.ResponseWriter, r *http.Request) {
	err := s.newsletters.Service.Confirm(r.Context(), r.URL.Query().Get("token"))
	switch {
	case errors.Is(err, alert.ErrBadToken) || errors.Is(err, alert.ErrTokenExpired):
		s.notice(w, r, http.StatusBadRequest, "email_alerts_bad_link", "/newsletter", "")
	case errors.Is(err, news.ErrNotFound):
		s.notice(w, r, http.StatusNotFound, "email_alerts_bad_link", "/newsletter", "")
	case err != nil:
		s.fail(w, r, err)
	default:
		s.notice(w, r, http.StatusOK, "newsletter_confirmed", "/", "")
	}
}

// unsubscribeNewsletter is /newsletter/unsubscribe?token=…, one list's
// link: a GET asks, a POST (the button, or a mail program's one-click)
// does it, again and again without harm.
func (s *Site) unsubscribeNewsletter(w http.ResponseWriter, r *http.Request) {
	svc := s.newsletters.Service
	s.stopLink(w, r, stopLink{verify: svc.VerifyUnsubscribe, param: "token", ask: "newsletter_unsubscribe_ask", button: "email_unsubscribe",
		done: "newsletter_removed", act: svc.Unsubscribe})
}

// newsletterClick is GET /newsletter/click?token=…: a story link of an
// issue of a list that counts clicks. The token names the issue and the
// story, so it leads to that story's page and nowhere else.
func (s *Site) newsletterClick(w http.ResponseWriter, r *http.Request) {
	to, err := s.newsletters.Service.Click(r.Context(), r.URL.Query().Get("token"))
	switch {
	case errors.Is(err, alert.ErrBadToken) || errors.Is(err, alert.ErrTokenExpired) || errors.Is(err, news.ErrMalformed):
		s.notice(w, r, http.StatusBadRequest, "email_alerts_bad_link", "/", "")
	case err != nil:
		s.fail(w, r, err)
	default:
		w.Header().Set("Cache-Control", "no-store")
		http.Redirect(w, r, to, http.StatusFound)
	}
}

// BounceEvent is one report of a mail provider's webhook.
type BounceEvent struct {
	Type  string `json:"type"` // "bounce" (permanent) or "complaint"
	Email string `json:"email"`
}

// maxBounceEvents bounds one webhook call.
const maxBounceEvents = 1000

// newsletterBounce is POST /newsletter/webhook/bounce: a provider reports
// hard bounces and complaints as {"events": [{"type": "bounce", "email":
// "…"}]}, with "Authorization: Bearer <token>". The whole call is checked
// before anything is suppressed: one bad event refuses it all.
func (s *Site) newsletterBounce(w http.ResponseWriter, r *http.Request) {
	token, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok || subtle.ConstantTimeCompare([]byte(token), []byte(s.newsletters.WebhookToken)) != 1 {
		w.Header().Set("WWW-Authenticate", `Bearer realm="newsletter"`)
		web.JSONError(w, http.StatusUnauthorized, "a valid bearer token is required")
		return
	}
	if mt, _, _ := strings.Cut(r.Header.Get("Content-Type"), ";"); strings.TrimSpace(mt) != "application/json" {
		web.JSONError(w, http.StatusUnsupportedMediaType, "the body must be application/json")
		return
	}
	var body struct {
		Events []BounceEvent `json:"events"`
	}
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&body); err != nil {
		status := http.StatusBadRequest
		if web.Status(err) == http.StatusRequestEntityTooLarge {
			status = http.StatusRequestEntityTooLarge
		}
		web.JSONError(w, status, "the body is not the expected JSON: "+err.Error())
		return
	}
	if dec.More() {
		web.JSONError(w, http.StatusBadRequest, "the body holds more than one JSON value")
		return
	}
	if len(body.Events) == 0 || len(body.Events) > maxBounceEvents {
		web.JSONError(w, http.StatusBadRequest, fmt.Sprintf("events must hold 1 to %d reports", maxBounceEvents))
		return
	}
	for i, ev := range body.Events {
		if ev.Type != "bounce" && ev.Type != "complaint" {
			web.JSONError(w, http.StatusBadRequest, fmt.Sprintf("events[%d].type must be \"bounce\" or \"complaint\"", i))
			return
		}
		email, err := newsletter.CheckAddress(ev.Email)
		if err != nil || email != strings.ToLower(ev.Email) {
			web.JSONError(w, http.StatusBadRequest, fmt.Sprintf("events[%d].email is not an e-mail address", i))
			return
		}
		body.Events[i].Email = email
	}
	for _, ev := range body.Events {
		if err := s.store.Suppress(r.Context(), ev.Email, ev.Type); err != nil {
			s.log.ErrorContext(r.Context(), "suppress address", "err", err)
			web.JSONStatus(w, r, http.StatusInternalServerError)
			return
		}
	}
	web.JSON(w, http.StatusOK, "no-store", map[string]int{"suppressed": len(body.Events)})
}

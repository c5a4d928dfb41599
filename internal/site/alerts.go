package site

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/mail"
	"net/url"
	"strings"
	"time"

	"khabar/internal/alert"
	"khabar/internal/news"
	"khabar/internal/render"
	"khabar/internal/web"
)

// AlertOptions are the reader side of alerts: e-mail subscriptions exist
// when Email is set.
type AlertOptions struct {
	Email  *alert.Email
	Tokens *alert.Tokens
}

// emailLinkLife is how long a confirmation link works.
const confirmLinkLife = 7 * 24 * time.Hour

// serviceWorker is GET /sw.js: at the root, so that it may show
// notifications for the whole site.
func (s *Site) serviceWorker() http.Handler {
	b, err := staticFS.ReadFile("static/sw.js")
	if err != nil {
		panic("site: static/sw.js is not embedded: " + err.Error())
	}
	// Browsers check for a new worker at most daily anyway; no-cache
	// makes them ask every time, so a fix reaches readers at once.
	p := render.NewPage(http.StatusOK, "text/javascript; charset=utf-8", b, "no-cache")
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { p.Serve(w, r) })
}

// subscribeEmail is POST /alerts/email: double opt-in, so the address only
// gets alerts once its owner opens the link we send.
func (s *Site) subscribeEmail(w http.ResponseWriter, r *http.Request) {
	if err := web.ParseForm(r); err != nil {
		s.fail(w, r, err)
		return
	}
	raw := strings.TrimSpace(r.PostForm.Get("email"))
	addr, err := mail.ParseAddress(raw)
	if err != nil || addr.Address != raw || len(raw) > news.CommentEmailMax {
		s.notice(w, r, http.StatusUnprocessableEntity, "email_alerts_bad", "/", "")
		return
	}
	email := strings.ToLower(raw)
	// One confirmation per address per ten minutes, and a few per sender:
	// the form must not become a way to mail strangers.
	if !s.emailLimit.Take(web.ClientIP(r)) || !s.emailLimit.Take("to:"+email) {
		w.Header().Set("Retry-After", "600")
		s.notice(w, r, http.StatusTooManyRequests, "email_alerts_slow", "/", "")
		return
	}
	if err := s.store.AddEmailSubscriber(r.Context(), email, alert.TopicBreaking); err != nil {
		s.fail(w, r, err)
		return
	}
	link := s.base + "/alerts/confirm?t=" + s.alerts.Tokens.Make(email, "confirm", time.Now().Add(confirmLinkLife))
	msg, err := s.alerts.Email.ConfirmationMessage(alert.Confirmation{To: email, Subject: s.cat.T("email_confirm_subject"),
		Intro: s.cat.T("email_confirm_intro"), Action: s.cat.T("email_confirm_action"), Ignore: s.cat.T("email_confirm_ignore"),
		URL: link, Lang: s.cat.Lang(), Dir: s.cat.Dir()})
	if err == nil {
		err = s.alerts.Email.Deliver(r.Context(), email, msg)
	}
	if err != nil {
		s.log.WarnContext(r.Context(), "send confirmation e-mail", "err", err)
		s.notice(w, r, http.StatusBadGateway, "email_alerts_failed", "/", "")
		return
	}
	s.notice(w, r, http.StatusOK, "email_alerts_check", "/", "")
}

// confirmEmail is GET /alerts/confirm?t=…
func (s *Site) confirmEmail(w http.ResponseWriter, r *http.Request) {
	email, err := s.alerts.Tokens.Verify(r.URL.Query().Get("t"), "confirm", time.Now())
	if err != nil {
		s.notice(w, r, http.StatusBadRequest, "email_alerts_bad_link", "/", "")
		return
	}
	if err := s.store.ConfirmEmailSubscriber(r.Context(), email); errors.Is(err, news.ErrNotFound) {
		s.notice(w, r, http.StatusNotFound, "email_alerts_bad_link", "/", "")
		return
	} else if err != nil {
		s.fail(w, r, err)
		return
	}
	s.notice(w, r, http.StatusOK, "email_alerts_confirmed", "/", "")
}

// unsubscribeEmail is /alerts/unsubscribe?t=…
func (s *Site) unsubscribeEmail(w http.ResponseWriter, r *http.Request) {
	s.stopLink(w, r, stopLink{purpose: "unsubscribe", ask: "email_unsubscribe_ask", button: "email_unsubscribe", done: "email_alerts_removed",
		act: s.store.RemoveEmailSubscriber})
}

// stopLink is what an e-mail's signed "stop" link does.
type stopLink struct {
	purpose string // what the token is signed for
	// verify, when set, checks the token instead: a newsletter's names its
	// list as well.
	verify            func(token string) (string, error)
	param             string // the query parameter with the token; "t" when ""
	ask, button, done string // catalogue keys
	act               func(ctx context.Context, email string) error
}

// stopLink answers a signed link from an e-mail: GET shows a button (mail
// scanners open links, and must not stop anything); POST, from the button
// or from a mail program's one-click (RFC 8058), does it.
func (s *Site) stopLink(w http.ResponseWriter, r *http.Request, l stopLink) {
	param := cmp.Or(l.param, "t")
	tok := r.URL.Query().Get(param)
	if l.verify == nil {
		l.verify = func(tok string) (string, error) { return s.alerts.Tokens.Verify(tok, l.purpose, time.Now()) }
	}
	email, err := l.verify(tok)
	if err != nil {
		s.notice(w, r, http.StatusBadRequest, "email_alerts_bad_link", "/", "")
		return
	}
	if r.Method == http.MethodGet {
		s.showNotice(w, r, http.StatusOK, &noticeView{Message: l.ask, Back: "/", Form: r.URL.Path + "?" + param + "=" + url.QueryEscape(tok), Button: l.button})
		return
	}
	if err := l.act(r.Context(), email); err != nil {
		s.fail(w, r, fmt.Errorf("e-mail %s link: %w", l.purpose, err))
		return
	}
	s.notice(w, r, http.StatusOK, l.done, "/", "")
}

// notice answers a short uncached message page.
func (s *Site) notice(w http.ResponseWriter, r *http.Request, status int, msg, back, backLabel string) {
	s.showNotice(w, r, status, &noticeView{Message: msg, Back: back, BackLabel: backLabel})
}

// showNotice answers the message page v, which may carry a button.
func (s *Site) showNotice(w http.ResponseWriter, r *http.Request, status int, v *noticeView) {
	d, err := s.newData(r.Context(), s.cat.T(v.Message))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	d.Robots = "noindex"
	d.Notice = v
	s.renderNoStore(w, r, status, "notice", d)
}

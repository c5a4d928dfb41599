package newsroom

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"khabar/internal/alert"
	"khabar/internal/auth"
	"khabar/internal/news"
	"khabar/internal/web"
)

type alertsPage struct {
	Form      news.Alert
	Channels  []string // configured
	Sections  []news.Section
	Urgencies []string
	History   []news.Alert
	MaxBytes  int
	WarnBytes int
	// Digits are the outlet's, for the room left the composer counts.
	Digits string
}

type alertPage struct {
	A        *news.Alert
	WhatsApp string
}

var urgencies = []string{string(alert.UrgencyHigh), string(alert.UrgencyNormal), string(alert.UrgencyLow)}

// alerts is GET /admin/alerts: the composer and the history. With
// ?article=ID the form starts from that article.
func (n *Newsroom) alerts(w http.ResponseWriter, r *http.Request) {
	p := &alertsPage{Form: news.Alert{Urgency: string(alert.UrgencyHigh), Topic: alert.TopicBreaking, Channels: n.fanout.Channels()}}
	if raw := r.URL.Query().Get("article"); raw != "" {
		id, ok := web.PositiveID(raw)
		a, err := n.store.GetArticle(r.Context(), id)
		if !ok || err != nil {
			n.Error(w, r, http.StatusNotFound)
			return
		}
		p.Form.Title, p.Form.Text, p.Form.URL, p.Form.ArticleID = a.Headline, a.Lead, n.articleURL(a), a.ID
	}
	n.renderAlerts(w, r, http.StatusOK, p, nil)
}

func (n *Newsroom) renderAlerts(w http.ResponseWriter, r *http.Request, status int, p *alertsPage, errs map[string]string) {
	var err error
	p.Channels, p.Urgencies, p.MaxBytes, p.WarnBytes = n.fanout.Channels(), urgencies, alert.MaxPushPayload, alert.PushPayloadWarn
	p.Digits = string(n.settings.Get().DateFormat().Digits)
	if p.Sections, err = n.store.ListSections(r.Context()); err == nil {
		p.History, err = n.store.ListAlerts(r.Context(), 30, 0)
	}
	if err != nil {
		n.fail(w, r, fmt.Errorf("alerts page: %w", err))
		return
	}
	n.render(w, status, "alerts", &data{User: userFrom(r.Context()), Title: n.cat.T("admin_alerts"), Page: p, Errors: errs, Flash: flash(r)})
}

// sendAlert is POST /admin/alerts.
func (n *Newsroom) sendAlert(w http.ResponseWriter, r *http.Request) {
	if !n.parseForm(w, r) {
		return
	}
	f := r.PostForm
	a := news.Alert{Title: strings.TrimSpace(f.Get("title")), Text: strings.TrimSpace(f.Get("text")), URL: strings.TrimSpace(f.Get("url")),
		Urgency: f.Get("urgency"), Topic: f.Get("topic"), Channels: f["channel"]}
	if id, ok := web.PositiveID(f.Get("article_id")); ok {
		a.ArticleID = id
	}
	if strings.HasPrefix(a.URL, "/") {
		a.URL = n.base + a.URL // an article path is enough
	}
	sections, err := n.store.ListSections(r.Context())
	if err != nil {
		n.fail(w, r, fmt.Errorf("list sections: %w", err))
		return
	}
	slugs := make([]string, len(sections))
	for i, s := range sections {
		slugs[i] = s.Slug
	}
	errs := map[string]string{}
	err = n.fanout.Check(&a, slugs)
	if err == nil {
		err = n.store.CreateAlert(r.Context(), &a)
		if err == nil {
			http.Redirect(w, r, "/admin/alerts/"+strconv.FormatInt(a.ID, 10)+"?done=alert", http.StatusSeeOther)
			return
		}
	}
	if !fieldErrors(err, errs) {
		n.fail(w, r, fmt.Errorf("send alert: %w", err))
		return
	}
	n.renderAlerts(w, r, http.StatusUnprocessableEntity, &alertsPage{Form: a}, errs)
}

// alertDetail is GET /admin/alerts/{id}: progress per channel, and the
// text to paste into the WhatsApp channel.
func (n *Newsroom) alertDetail(w http.ResponseWriter, r *http.Request) {
	a := n.loadAlert(w, r)
	if a == nil {
		return
	}
	p := &alertPage{A: a, WhatsApp: alert.WhatsAppText(&alert.Alert{Title: a.Title, Text: a.Text, URL: a.URL})}
	n.render(w, http.StatusOK, "alert", &data{User: userFrom(r.Context()), Title: a.Title, Page: p, Flash: flash(r)})
}

// alertProgress is GET /admin/alerts/{id}/progress: the same, as JSON,
// for the page to follow without reloading.
func (n *Newsroom) alertProgress(w http.ResponseWriter, r *http.Request) {
	a := n.loadAlert(w, r)
	if a == nil {
		return
	}
	type channel struct {
		Channel string `json:"channel"`
		Total   int    `json:"total"`
		Sent    int    `json:"sent"`
		Failed  int    `json:"failed"`
		Gone    int    `json:"gone"`
		Pending int    `json:"pending"`
		Done    bool   `json:"done"`
	}
	out := []channel{}
	for _, p := range a.Progress {
		out = append(out, channel{p.Channel, p.Total, p.Sent, p.Failed, p.Gone, p.Pending(), p.Done})
	}
	web.JSON(w, http.StatusOK, "no-store", out)
}

func (n *Newsroom) loadAlert(w http.ResponseWriter, r *http.Request) *news.Alert {
	id, ok := parseID(r)
	if !ok {
		n.Error(w, r, http.StatusNotFound)
		return nil
	}
	a, err := n.store.GetAlert(r.Context(), id)
	switch {
	case err != nil:
		n.fail(w, r, fmt.Errorf("read alert: %w", err))
	default:
		return a
	}
	return nil
}

type tokensPage struct {
	Tokens []news.APIToken
	New    string // a token just made, shown once
	Name   string
}

// tokens is GET /admin/tokens: API tokens for scripts and agency feeds.
func (n *Newsroom) tokens(w http.ResponseWriter, r *http.Request) {
	n.renderTokens(w, r, http.StatusOK, &tokensPage{}, nil)
}

func (n *Newsroom) renderTokens(w http.ResponseWriter, r *http.Request, status int, p *tokensPage, errs map[string]string) {
	var err error
	if p.Tokens, err = n.store.ListAPITokens(r.Context()); err != nil {
		n.fail(w, r, fmt.Errorf("list API tokens: %w", err))
		return
	}
	n.render(w, status, "tokens", &data{User: userFrom(r.Context()), Title: n.cat.T("admin_tokens"), Page: p, Errors: errs, Flash: flash(r)})
}

// createToken is POST /admin/tokens: the token acts as the user who made
// it, with that user's role.
func (n *Newsroom) createToken(w http.ResponseWriter, r *http.Request) {
	if !n.parseForm(w, r) {
		return
	}
	name := news.CleanLine(r.PostForm.Get("name"))
	p := &tokensPage{Name: name}
	if name == "" || len([]rune(name)) > 100 {
		code := "err_required"
		if name != "" {
			code = "err_too_long"
		}
		n.renderTokens(w, r, http.StatusUnprocessableEntity, p, map[string]string{"name": code})
		return
	}
	u := userFrom(r.Context())
	token, hash, err := auth.NewToken()
	if err == nil {
		_, err = n.store.CreateAPIToken(r.Context(), u.ID, name, hash)
	}
	if err == nil {
		err = n.store.Audit(r.Context(), u.Actor(), "token.create", "", name)
	}
	if err != nil {
		n.fail(w, r, fmt.Errorf("create API token: %w", err))
		return
	}
	p.New, p.Name = token, ""
	n.renderTokens(w, r, http.StatusCreated, p, nil)
}

func (n *Newsroom) revokeToken(w http.ResponseWriter, r *http.Request) {
	id, ok := parseID(r)
	if !ok {
		n.Error(w, r, http.StatusNotFound)
		return
	}
	err := n.store.RevokeAPIToken(r.Context(), id, userFrom(r.Context()).Actor())
	switch {
	case err != nil:
		n.fail(w, r, fmt.Errorf("revoke API token: %w", err))
	default:
		http.Redirect(w, r, "/admin/tokens?done=revoked", http.StatusSeeOther)
	}
}

package api

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"khabar/internal/alert"
	"khabar/internal/auth"
	"khabar/internal/news"
	"khabar/internal/outbound"
	"khabar/internal/store"
	"khabar/internal/web"
)

// maxAutomationRequest bounds ticker and alert requests.
const maxAutomationRequest = 16 << 10

// pushKey is GET /api/v1/push/key: the VAPID public key browsers subscribe
// with.
func (a *API) pushKey(w http.ResponseWriter, r *http.Request) {
	web.JSON(w, http.StatusOK, "public, max-age=3600", map[string]string{"key": a.pushPublicKey})
}

type subscribeRequest struct {
	Subscription json.RawMessage `json:"subscription"`
	Topics       []string        `json:"topics"`
}

// subscribePush is POST /api/v1/push/subscriptions: a browser's
// PushSubscription and the topics its reader chose.
func (a *API) subscribePush(w http.ResponseWriter, r *http.Request) {
	if !a.subscribeLimit.Take(web.ClientIP(r)) {
		web.JSONError(w, http.StatusTooManyRequests, "too many requests; slow down")
		return
	}
	var req subscribeRequest
	if !readJSON(w, r, &req, 8<<10) {
		return
	}
	sub, err := alert.ParseSubscription(r.Context(), req.Subscription, a.guard)
	if err != nil {
		// The reader learns that the host does not resolve; why is the
		// resolver's business, and names it.
		if le, ok := errors.AsType[*outbound.LookupError](err); ok {
			a.log.WarnContext(r.Context(), "push subscription refused: endpoint host does not resolve", "host", le.Host, "err", le.Err)
		}
		web.JSONError(w, http.StatusBadRequest, err.Error())
		return
	}
	topics, ok := a.checkTopics(w, r, req.Topics)
	if !ok {
		return
	}
	p := &news.PushSubscription{Endpoint: sub.Endpoint, P256dh: sub.P256dh, Auth: sub.Auth, Topics: strings.Join(topics, " ")}
	if err := a.store.SavePushSubscription(r.Context(), p); err != nil {
		a.fail(w, r, fmt.Errorf("save push subscription: %w", err))
		return
	}
	web.JSON(w, http.StatusCreated, "no-store", map[string]any{"topics": topics})
}

// checkTopics keeps known topics ("breaking" and section slugs), at least
// "breaking" when none is given.
func (a *API) checkTopics(w http.ResponseWriter, r *http.Request, topics []string) ([]string, bool) {
	if len(topics) == 0 {
		return []string{alert.TopicBreaking}, true
	}
	sections, err := a.sectionSlugs(r)
	if err != nil {
		a.fail(w, r, err)
		return nil, false
	}
	var out []string
	for _, t := range topics {
		if t != alert.TopicBreaking && !slices.Contains(sections, t) {
			web.JSONError(w, http.StatusBadRequest, "topics: unknown topic "+strconv.Quote(t)+" (want breaking or a section slug)")
			return nil, false
		}
		if !slices.Contains(out, t) {
			out = append(out, t)
		}
	}
	return out, true
}

func (a *API) sectionSlugs(r *http.Request) ([]string, error) {
	secs, err := a.store.ListSections(r.Context())
	if err != nil {
		return nil, err
	}
	out := make([]string, len(secs))
	for i, s := range secs {
		out[i] = s.Slug
	}
	return out, nil
}

// unsubscribePush is DELETE /api/v1/push/subscriptions {"endpoint": …}.
func (a *API) unsubscribePush(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Endpoint string `json:"endpoint"`
	}
	if !readJSON(w, r, &req, 4<<10) {
		return
	}
	if req.Endpoint == "" {
		web.JSONError(w, http.StatusBadRequest, "endpoint: required")
		return
	}
	if err := a.store.DeletePushSubscription(r.Context(), req.Endpoint); err != nil {
		a.fail(w, r, fmt.Errorf("delete push subscription: %w", err))
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// readJSON decodes a JSON body of at most limit bytes into v, or answers
// the error.
func readJSON(w http.ResponseWriter, r *http.Request, v any, limit int64) bool {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &tooBig):
		web.JSONError(w, http.StatusRequestEntityTooLarge, "body: larger than "+strconv.FormatInt(limit, 10)+" bytes")
		return false
	case err != nil:
		web.JSONError(w, http.StatusBadRequest, "body: unreadable")
		return false
	}
	if err := json.Unmarshal(body, v); err != nil {
		web.JSONError(w, http.StatusBadRequest, "body: invalid JSON: "+err.Error())
		return false
	}
	return true
}

// bearer lets a request through with a valid API token whose user holds
// perm: 401 without one, 403 when the user may not.
func (a *API) bearer(perm auth.Permission, h func(http.ResponseWriter, *http.Request, *auth.User)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		token, _ := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		u, err := a.auth.Bearer(r.Context(), token)
		if errors.Is(err, news.ErrUnauthenticated) {
			w.Header().Set("WWW-Authenticate", `Bearer realm="khabar"`)
			web.JSONError(w, http.StatusUnauthorized, "a valid API token is required: Authorization: Bearer <token>")
			return
		}
		if err != nil {
			a.fail(w, r, err)
			return
		}
		if !u.Can(perm) {
			web.JSONError(w, http.StatusForbidden, "the token's user ("+string(u.Role)+") may not do this")
			return
		}
		ctx := store.WithActor(r.Context(), u.Actor())
		h(w, r.WithContext(ctx), u)
	}
}

// fail answers err as the JSON problem of its kind: 422 with the bad
// fields, or the status as a code ("not_found"). The server's faults are logged, never
// explained.
func (a *API) fail(w http.ResponseWriter, r *http.Request, err error) {
	status := web.Status(err)
	var ie *news.InvalidError
	if errors.As(err, &ie) {
		web.JSON(w, status, "no-store", map[string]any{"error": "invalid", "fields": ie.Fields})
		return
	}
	if web.ServerFault(r, status) {
		a.log.ErrorContext(r.Context(), "api", "method", r.Method, "path", r.URL.Path, "err", err)
	}
	web.JSONStatus(w, r, status)
}

// postTicker is POST /api/v1/ticker {"text", "url"?, "expires_at"?}.
func (a *API) postTicker(w http.ResponseWriter, r *http.Request, _ *auth.User) {
	var req struct {
		Text      string     `json:"text"`
		URL       string     `json:"url"`
		ExpiresAt *time.Time `json:"expires_at"`
	}
	if !readJSON(w, r, &req, maxAutomationRequest) {
		return
	}
	item := &news.TickerItem{Text: req.Text, URL: req.URL}
	if req.ExpiresAt != nil {
		if !req.ExpiresAt.After(time.Now()) {
			web.JSONError(w, http.StatusUnprocessableEntity, "expires_at: must be in the future")
			return
		}
		item.ExpiresAt = *req.ExpiresAt
	}
	if err := a.store.CreateTicker(r.Context(), item); err != nil {
		a.fail(w, r, fmt.Errorf("API ticker: %w", err))
		return
	}
	web.JSON(w, http.StatusCreated, "no-store", map[string]any{"id": item.ID})
}

type alertRequest struct {
	Title     string   `json:"title"`
	Text      string   `json:"text"`
	URL       string   `json:"url"`
	Urgency   string   `json:"urgency"`
	Topic     string   `json:"topic"`
	Channels  []string `json:"channels"`
	ArticleID int64    `json:"article_id"`
}

// postAlert is POST /api/v1/alerts: what the newsroom's composer does.
func (a *API) postAlert(w http.ResponseWriter, r *http.Request, _ *auth.User) {
	var req alertRequest
	if !readJSON(w, r, &req, maxAutomationRequest) {
		return
	}
	al := &news.Alert{Title: req.Title, Text: req.Text, URL: req.URL, Urgency: req.Urgency, Topic: req.Topic, Channels: req.Channels, ArticleID: req.ArticleID}
	if al.Urgency == "" {
		al.Urgency = string(alert.UrgencyHigh)
	}
	if al.Topic == "" {
		al.Topic = alert.TopicBreaking
	}
	if len(al.Channels) == 0 {
		al.Channels = a.fanout.Channels()
	}
	sections, err := a.sectionSlugs(r)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	if err := a.fanout.Check(al, sections); err != nil {
		a.fail(w, r, err)
		return
	}
	if err := a.store.CreateAlert(r.Context(), al); err != nil {
		a.fail(w, r, fmt.Errorf("API alert: %w", err))
		return
	}
	web.JSON(w, http.StatusCreated, "no-store", map[string]any{"id": al.ID, "channels": al.Channels,
		"whatsapp": alert.WhatsAppText(&alert.Alert{Title: al.Title, Text: al.Text, URL: al.URL})})
}

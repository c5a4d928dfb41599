package api

import (
	"encoding/json"
	"errors"
	"maps"
	"net/http"
	"slices"

	"khabar/internal/locale"
	"khabar/internal/news"
	"khabar/internal/web"
)

// ProblemBase prefixes the type of every problem the content API answers
// (RFC 9457): a stable identifier per kind of error, the same on every
// outlet, that clients compare rather than fetch (.example never
// resolves, so it never names anyone's page).
const ProblemBase = "https://khabar.example/problems/"

// Kinds of problem, the last segment of their type.
const (
	problemInvalid      = "invalid-parameter"
	problemUnauthorized = "unauthorized"
	problemForbidden    = "forbidden"
	problemNotFound     = "not-found"
	problemServer       = "server-error"
	// The writes'.
	problemBody        = "invalid-body"
	problemValidation  = "validation"
	problemMediaType   = "unsupported-media-type"
	problemTooLarge    = "too-large"
	problemTooMany     = "too-many-requests"
	problemWireRefused = "wire-refused" // an agency's document the desk cannot take
	problemStale       = "stale-version"
	problemNoIfMatch   = "if-match-required"
	problemTransition  = "workflow-step-not-allowed"
	problemWithEditors = "with-editors"
	problemLocked      = "locked"
	problemDuplicate   = "duplicate"
	problemConflict    = "conflict"
	problemKeyReused   = "idempotency-key-reused"
	problemKeyInUse    = "idempotency-key-in-use"
	problemMedia       = "media-refused"
)

// problemTitles are the kinds' titles, the same for every occurrence of
// a kind, as RFC 9457 asks.
var problemTitles = map[string]string{
	problemInvalid:      "Invalid parameter",
	problemUnauthorized: "Unauthorized",
	problemForbidden:    "Forbidden",
	problemNotFound:     "Not found",
	problemServer:       "Server error",
	problemBody:         "Invalid request body",
	problemValidation:   "Invalid fields",
	problemMediaType:    "Unsupported media type",
	problemTooLarge:     "Request too large",
	problemTooMany:      "Too many requests",
	problemWireRefused:  "Wire item refused",
	problemStale:        "Stale version",
	problemNoIfMatch:    "If-Match required",
	problemTransition:   "Workflow step not allowed",
	problemWithEditors:  "Article with the editors",
	problemLocked:       "Article locked",
	problemDuplicate:    "Duplicate value",
	problemConflict:     "Conflict",
	problemKeyReused:    "Idempotency key reused",
	problemKeyInUse:     "Idempotency key in use",
	problemMedia:        "Media refused",
}

// problem is an RFC 9457 problem details object.
type problem struct {
	Type   string `json:"type"`
	Title  string `json:"title"`
	Status int    `json:"status"`
	Detail string `json:"detail,omitempty"`
	// Errors name each bad parameter (or, for the writes, field).
	Errors []paramError `json:"errors,omitempty"`
	// RequestID finds the log line of a server's fault.
	RequestID string `json:"request_id,omitempty"`
}

// paramError is one bad parameter: its name, a stable reason code and
// the reason in the catalogue's languages.
type paramError struct {
	Name    string            `json:"name"`
	Reason  string            `json:"reason"`
	Message map[string]string `json:"message"`
}

// catalogues give a parameter error's message in every language at once:
// a partner's app picks the one it shows.
var catalogues = map[string]*locale.Catalog{"ar": locale.For("ar"), "en": locale.For("en")}

// badParams collects the parameter errors of a request.
type badParams []paramError

// add records that parameter name is wrong for reason, whose message is
// the catalogue's "api_reason_"+reason.
func (b *badParams) add(name, reason string) {
	msg := make(map[string]string, len(catalogues))
	for lang, c := range catalogues {
		msg[lang] = c.T("api_reason_"+reason, name)
	}
	*b = append(*b, paramError{Name: name, Reason: reason, Message: msg})
}

// field records that field name of a write is wrong with code, the
// code news validation gives it ("required", "too_long"…): the message
// is the newsroom's own for that code ("err_"+code), named after the
// field.
func (b *badParams) field(name, code string) {
	msg := make(map[string]string, len(catalogues))
	for lang, c := range catalogues {
		text := c.T("api_field_invalid")
		if c.Has("err_" + code) {
			text = c.T("err_" + code)
		}
		msg[lang] = c.T("api_field", name, text)
	}
	*b = append(*b, paramError{Name: name, Reason: code, Message: msg})
}

// sortedKeys are m's keys in order, so answers list fields the same way
// every time.
func sortedKeys(m map[string]string) []string {
	return slices.Sorted(maps.Keys(m))
}

// answer writes the 400 problem naming every bad parameter; false, having
// answered nothing, when there are none.
func (b badParams) answer(w http.ResponseWriter) bool {
	if len(b) == 0 {
		return false
	}
	writeProblem(w, problem{Type: ProblemBase + problemInvalid, Title: problemTitles[problemInvalid], Status: http.StatusBadRequest,
		Detail: "the request's parameters are not valid; see errors", Errors: b})
	return true
}

// answerAs writes the problem of kind (400 for the body, 422 for the
// fields) naming every bad field; false, having answered nothing, when
// there are none.
func (b badParams) answerAs(w http.ResponseWriter, kind string) bool {
	if len(b) == 0 {
		return false
	}
	status := http.StatusBadRequest
	if kind == problemValidation {
		status = http.StatusUnprocessableEntity
	}
	writeProblem(w, problem{Type: ProblemBase + kind, Title: problemTitles[kind], Status: status,
		Detail: "the request is not valid; see errors", Errors: b})
	return true
}

// writeProblem answers p, uncached.
func writeProblem(w http.ResponseWriter, p problem) {
	h := w.Header()
	h.Set("Content-Type", "application/problem+json")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(p.Status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.Encode(p)
}

// problemOf answers a simple problem of kind with detail.
func problemOf(w http.ResponseWriter, status int, kind, detail string) {
	writeProblem(w, problem{Type: ProblemBase + kind, Title: problemTitles[kind], Status: status, Detail: detail})
}

// failProblem answers err as a problem: not found, refused, or the
// server's fault, which is logged and never explained.
func (a *API) failProblem(w http.ResponseWriter, r *http.Request, err error) {
	switch status := web.Status(err); {
	case errors.Is(err, news.ErrNotFound):
		problemOf(w, http.StatusNotFound, problemNotFound, "no such resource")
	case status == http.StatusUnauthorized:
		unauthorized(w, "the API token is not valid")
	case status == http.StatusForbidden:
		problemOf(w, status, problemForbidden, "the token's user may not do this")
	default:
		if web.ServerFault(r, status) {
			a.log.ErrorContext(r.Context(), "api", "method", r.Method, "path", r.URL.Path, "err", err)
		}
		writeProblem(w, problem{Type: ProblemBase + problemServer, Title: problemTitles[problemServer], Status: http.StatusInternalServerError,
			RequestID: web.RequestIDFrom(r.Context())})
	}
}

// unauthorized answers 401 with the challenge a client needs.
func unauthorized(w http.ResponseWriter, detail string) {
	w.Header().Set("WWW-Authenticate", `Bearer realm="khabar"`)
	problemOf(w, http.StatusUnauthorized, problemUnauthorized, detail)
}

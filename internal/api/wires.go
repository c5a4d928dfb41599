package api

import (
	"errors"
	"io"
	"net/http"
	"strings"
	"time"

	"khabar/internal/auth"
	"khabar/internal/intake"
	"khabar/internal/news"
	"khabar/internal/throttle"
	"khabar/internal/web"
	"khabar/internal/wire"
)

// wirePushLimit is each agency's pace: a burst of a hundred items (a
// news message's worth), then ten a second, far above any wire's.
func wirePushLimit() *throttle.Limiter { return throttle.NewLimiter(100, 100*time.Millisecond) }

// wireTaken is one item of a push, as the answer lists it.
type wireTaken struct {
	ID    int64  `json:"id"`
	GUID  string `json:"guid"`
	Added bool   `json:"added"`
}

// pushWire is POST /api/v1/wires: an agency pushes one NewsML-G2 or
// ninjs document with its own token (see docs/API.md, "Wires"). New items
// answer 201, items kept before 200, a refused document 422 with its
// reason; nothing of a refused document is kept.
func (a *API) pushWire(w http.ResponseWriter, r *http.Request) {
	token, bearer := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !bearer || strings.TrimSpace(token) == "" {
		unauthorized(w, "an agency's token is needed: Authorization: Bearer <token>")
		return
	}
	agency, err := a.store.WireAgencyByToken(r.Context(), auth.HashToken(strings.TrimSpace(token)))
	if errors.Is(err, news.ErrNotFound) {
		unauthorized(w, "the token is not a working agency token")
		return
	}
	if err != nil {
		a.failProblem(w, r, err)
		return
	}
	if !a.wirePace.Take(agency.Name) {
		w.Header().Set("Retry-After", "1")
		problemOf(w, http.StatusTooManyRequests, problemTooMany, "too many pushes from this agency: slow down")
		return
	}
	data, err := io.ReadAll(http.MaxBytesReader(w, r.Body, wire.MaxSize))
	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) {
		problemOf(w, http.StatusRequestEntityTooLarge, problemTooLarge, "a wire document is at most 10 MB")
		return
	}
	if err != nil {
		problemOf(w, http.StatusBadRequest, problemInvalid, "the request body could not be read")
		return
	}
	in := intake.Service{Store: a.store, Log: a.log}
	res, err := in.Take(r.Context(), data, "push:"+agency.Name)
	var refusal *wire.Refusal
	if errors.As(err, &refusal) {
		var bad badParams
		bad.add("body", "wire_"+refusal.Reason)
		writeProblem(w, problem{Type: ProblemBase + problemWireRefused, Title: problemTitles[problemWireRefused], Status: http.StatusUnprocessableEntity,
			Detail: refusal.Detail, Errors: bad})
		return
	}
	if err != nil {
		a.failProblem(w, r, err)
		return
	}
	out := struct {
		Items []wireTaken `json:"items"`
	}{Items: make([]wireTaken, 0, len(res.Items))}
	for _, it := range res.Items {
		out.Items = append(out.Items, wireTaken{ID: it.ID, GUID: it.GUID, Added: it.Added})
	}
	status := http.StatusOK
	if res.Added() > 0 {
		status = http.StatusCreated
	}
	web.JSON(w, status, "no-store", out)
}

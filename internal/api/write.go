package api

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"khabar/internal/auth"
	"khabar/internal/news"
	"khabar/internal/store"
	"khabar/internal/web"
)

// Limits of the content API's writes.
const (
	// MaxWriteBody bounds a JSON write: an article of news.MaxBlocks long
	// blocks is well below it.
	MaxWriteBody = 1 << 20
	// DefaultWriteBurst writes at once per token, then one every
	// DefaultWriteRefill: an agency script filing a story a second is
	// served; a loop gone wrong is stopped.
	DefaultWriteBurst  = 120
	DefaultWriteRefill = 500 * time.Millisecond
	// idempotencyTTL is how long an Idempotency-Key's answer is kept;
	// idempotencyLease how long a claimed key whose request never
	// finished (its node died) holds; idempotencyWait how long a retry
	// waits for the first request with its key to finish.
	idempotencyTTL   = 24 * time.Hour
	idempotencyLease = time.Minute
	idempotencyWait  = 10 * time.Second
	maxKey           = 255
)

// writeFunc handles a write by u whose body is read (at most its limit).
type writeFunc func(w http.ResponseWriter, r *http.Request, u *auth.User, body []byte)

// bodyKind is what a write's body must be.
type bodyKind int

const (
	jsonBody  bodyKind = iota // application/json (or none, for actions)
	imageBody                 // the bytes of an image, checked by media
)

// write lets a request through with a valid API token whose user holds
// perm, within the token's rate, with its body read (at most limit
// bytes) and, on a POST with an Idempotency-Key, at most once per key.
// Every refusal is a problem.
func (a *API) write(perm auth.Permission, kind bodyKind, limit int64, h writeFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		header := r.Header.Get("Authorization")
		token, bearer := strings.CutPrefix(header, "Bearer ")
		if !bearer || strings.TrimSpace(token) == "" {
			unauthorized(w, "a valid API token is required: Authorization: Bearer <token>")
			return
		}
		u, err := a.auth.Bearer(r.Context(), token)
		if err != nil {
			a.failProblem(w, r, err)
			return
		}
		if !a.writeLimit.Take(auth.HashToken(strings.TrimSpace(token))) {
			retry := int(math.Ceil(a.writeRefill.Seconds()))
			w.Header().Set("Retry-After", strconv.Itoa(max(retry, 1)))
			problemOf(w, http.StatusTooManyRequests, problemTooMany, "this token made too many writes; wait as Retry-After says")
			return
		}
		if !u.Can(perm) {
			problemOf(w, http.StatusForbidden, problemForbidden, "the token's user ("+string(u.Role)+") may not do this")
			return
		}
		key := r.Header.Get("Idempotency-Key")
		if r.Method != http.MethodPost {
			key = ""
		}
		var body []byte
		if kind == imageBody {
			// A photo on a poor connection takes minutes (see
			// web.AllowSlowBody). Without a key it is checked as it
			// arrives, as the newsroom's are, and never held whole;
			// with one it is read first, to be compared with the
			// first request's.
			web.AllowSlowBody(w, r)
			if ok := checkType(w, r, kind); !ok {
				return
			}
			if r.ContentLength > limit {
				tooLarge(w, limit)
				return
			}
			r.Body = http.MaxBytesReader(w, r.Body, limit)
		}
		if kind != imageBody || key != "" {
			var ok bool
			if body, ok = readBody(w, r, kind, limit); !ok {
				return
			}
		}
		r = r.WithContext(store.WithActor(r.Context(), u.Actor()))
		if key == "" {
			h(w, r, u, body)
			return
		}
		a.once(w, r, u, key, body, h)
	}
}

// checkType answers 415 unless r's body is of kind; false when it has.
func checkType(w http.ResponseWriter, r *http.Request, kind bodyKind) bool {
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	switch {
	case kind == jsonBody && ct != "application/json" && (ct != "" || r.ContentLength > 0):
		problemOf(w, http.StatusUnsupportedMediaType, problemMediaType, "the body must be JSON: Content-Type: application/json")
		return false
	case kind == imageBody && !strings.HasPrefix(ct, "image/") && ct != "application/octet-stream":
		problemOf(w, http.StatusUnsupportedMediaType, problemMediaType, "the body must be the image itself, with its Content-Type (image/jpeg, image/png, image/webp, image/gif)")
		return false
	}
	return true
}

// tooLarge answers 413 for a body past limit.
func tooLarge(w http.ResponseWriter, limit int64) {
	problemOf(w, http.StatusRequestEntityTooLarge, problemTooLarge, "the body is larger than "+strconv.FormatInt(limit, 10)+" bytes")
}

// readBody reads r's body, at most limit bytes, of kind; false when it
// has answered (413 for a body past the limit, 415 for the wrong type).
func readBody(w http.ResponseWriter, r *http.Request, kind bodyKind, limit int64) ([]byte, bool) {
	if !checkType(w, r, kind) {
		return nil, false
	}
	if r.ContentLength > limit {
		tooLarge(w, limit)
		return nil, false
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &tooBig):
		tooLarge(w, limit)
		return nil, false
	case err != nil:
		problemOf(w, http.StatusBadRequest, problemBody, "the body could not be read to its end")
		return nil, false
	}
	return body, true
}

// once carries out a POST with an Idempotency-Key at most once per key
// and user (see store.ClaimKey): a retry with the same body gets the
// first answer again, marked Idempotent-Replayed; the key on another body
// is refused (422); a retry while the first still runs waits for its
// answer. An answer of the server's fault (5xx) is not kept, so a retry
// carries the request out again.
func (a *API) once(w http.ResponseWriter, r *http.Request, u *auth.User, key string, body []byte, h writeFunc) {
	if len(key) > maxKey || strings.ContainsFunc(key, func(c rune) bool { return c < 0x21 || c > 0x7e }) {
		var bad badParams
		bad.add("Idempotency-Key", "bad_key")
		bad.answer(w)
		return
	}
	sum := sha256.New()
	fmt.Fprintf(sum, "%s %s\n", r.Method, r.URL.Path)
	sum.Write(body)
	hash := hex.EncodeToString(sum.Sum(nil))
	ctx := r.Context()
	deadline := time.Now().Add(idempotencyWait)
	for {
		ans, err := a.store.ClaimKey(ctx, u.ID, key, hash, idempotencyTTL, idempotencyLease)
		switch {
		case errors.Is(err, store.ErrKeyReused):
			problemOf(w, http.StatusUnprocessableEntity, problemKeyReused, "this Idempotency-Key was used for a different request; use a new key for a new request")
			return
		case errors.Is(err, store.ErrKeyPending) && time.Now().Before(deadline):
			select {
			case <-ctx.Done():
				return
			case <-time.After(50 * time.Millisecond):
			}
			continue
		case errors.Is(err, store.ErrKeyPending):
			w.Header().Set("Retry-After", "1")
			problemOf(w, http.StatusConflict, problemKeyInUse, "the first request with this Idempotency-Key is still being carried out; retry in a moment")
			return
		case err != nil:
			a.failProblem(w, r, err)
			return
		case ans != nil:
			for k, v := range ans.Headers {
				w.Header().Set(k, v)
			}
			w.Header().Set("Idempotent-Replayed", "true")
			w.WriteHeader(ans.Status)
			w.Write(ans.Body)
			return
		}
		break
	}
	rec := &recorder{ResponseWriter: w}
	// The key must be settled whatever happens to the request: a client
	// gone or a panic leaves no key held until its lease runs out.
	settle := context.WithoutCancel(ctx)
	finished := false
	defer func() {
		if finished {
			return
		}
		if err := a.store.ReleaseKey(settle, u.ID, key); err != nil {
			a.log.ErrorContext(settle, "release idempotency key", "err", err)
		}
	}()
	h(rec, r, u, body)
	if rec.status >= 500 || rec.status == 0 {
		return
	}
	kept := map[string]string{}
	for _, k := range []string{"Content-Type", "Location", "ETag", "Cache-Control"} {
		if v := rec.Header().Get(k); v != "" {
			kept[k] = v
		}
	}
	if err := a.store.FinishKey(settle, u.ID, key, store.Answer{Status: rec.status, Headers: kept, Body: rec.buf.Bytes()}); err != nil {
		a.log.ErrorContext(settle, "keep idempotent answer", "err", err)
		return
	}
	finished = true
}

// recorder passes an answer on and keeps a copy for the Idempotency-Key.
type recorder struct {
	http.ResponseWriter
	status int
	buf    bytes.Buffer
}

func (rec *recorder) WriteHeader(code int) {
	if rec.status == 0 {
		rec.status = code
	}
	rec.ResponseWriter.WriteHeader(code)
}

func (rec *recorder) Write(b []byte) (int, error) {
	if rec.status == 0 {
		rec.status = http.StatusOK
	}
	rec.buf.Write(b)
	return rec.ResponseWriter.Write(b)
}

// decode reads a JSON body into v strictly: valid UTF-8, one JSON value,
// no field v does not have, every value of its field's type. False when
// it has answered with a 400 problem naming what is wrong. An empty body
// is {} when empty is true (an action without options).
func decode(w http.ResponseWriter, body []byte, v any, empty bool) bool {
	var bad badParams
	switch {
	case len(bytes.TrimSpace(body)) == 0 && empty:
		return true
	case len(bytes.TrimSpace(body)) == 0:
		bad.add("body", "empty_body")
	case !utf8.Valid(body):
		bad.add("body", "invalid_utf8")
	}
	if len(bad) == 0 {
		dec := json.NewDecoder(bytes.NewReader(body))
		dec.DisallowUnknownFields()
		err := dec.Decode(v)
		if err == nil && dec.More() {
			err = errTrailing
		}
		var (
			syntax *json.SyntaxError
			typ    *json.UnmarshalTypeError
		)
		switch {
		case err == nil:
			return true
		case errors.As(err, &typ):
			name := typ.Field
			if name == "" {
				name = "body"
			}
			bad.add(name, "wrong_type")
		case errors.As(err, &syntax), errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, errTrailing):
			bad.add("body", "bad_json")
		case strings.HasPrefix(err.Error(), "json: unknown field "):
			name, _ := strconv.Unquote(strings.TrimPrefix(err.Error(), "json: unknown field "))
			bad.add(name, "unknown_field")
		default:
			bad.add("body", "bad_json")
		}
	}
	writeProblem(w, problem{Type: ProblemBase + problemBody, Title: problemTitles[problemBody], Status: http.StatusBadRequest,
		Detail: "the request's body is not what this endpoint takes; see errors", Errors: bad})
	return false
}

var errTrailing = errors.New("data after the JSON value")

// apiFields are the API's names of the fields news validation names
// after the article form.
var apiFields = map[string]string{"section": "section_id", "authors": "author_ids", "featured": "featured_media_id", "body": "blocks"}

// failWrite answers err of a write: the fields to correct (422, each in
// Arabic and English), a stale version (412 with the current article, as
// cur gives it), a step the state forbids or a taken value (409), and the
// rest as failProblem does.
func (a *API) failWrite(w http.ResponseWriter, r *http.Request, err error, cur func() (any, error)) {
	var (
		ie *news.InvalidError
		te *news.TransitionError
	)
	switch {
	case errors.As(err, &ie):
		var bad badParams
		for _, name := range sortedKeys(ie.Fields) {
			api := name
			if n, ok := apiFields[name]; ok {
				api = n
			}
			bad.field(api, ie.Fields[name])
		}
		writeProblem(w, problem{Type: ProblemBase + problemValidation, Title: problemTitles[problemValidation], Status: http.StatusUnprocessableEntity,
			Detail: "some fields are not valid; see errors", Errors: bad})
	case errors.Is(err, news.ErrConflict) && cur != nil:
		a.stale(w, r, cur)
	case errors.As(err, &te):
		problemOf(w, http.StatusConflict, problemTransition, "cannot "+string(te.Action)+" an article that is "+string(te.From))
	case errors.Is(err, news.ErrWithEditors):
		problemOf(w, http.StatusConflict, problemWithEditors, "the article is with the editors until they send it back")
	case errors.Is(err, news.ErrDuplicate):
		problemOf(w, http.StatusConflict, problemDuplicate, "a value that must be unique (a slug) is taken")
	case web.Status(err) == http.StatusConflict:
		problemOf(w, http.StatusConflict, problemConflict, "the change conflicts with the record's state")
	default:
		a.failProblem(w, r, err)
	}
}

// stale answers 412: the write was based on an old version; the body
// carries the current one and ETag its version, so the client can merge
// and retry.
func (a *API) stale(w http.ResponseWriter, r *http.Request, cur func() (any, error)) {
	now, err := cur()
	if err != nil {
		a.failProblem(w, r, err)
		return
	}
	if art, ok := now.(articleJSON); ok {
		w.Header().Set("ETag", etagOf(art.Version))
	}
	w.Header().Set("Content-Type", "application/problem+json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusPreconditionFailed)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.Encode(struct {
		problem
		Current any `json:"current"`
	}{problem{Type: ProblemBase + problemStale, Title: problemTitles[problemStale], Status: http.StatusPreconditionFailed,
		Detail: "the article changed since the version If-Match names; current holds it as it is now"}, now})
}

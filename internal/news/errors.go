package news

import (
	"errors"
	"sort"
	"strings"
)

// Domain errors. Callers test them with errors.Is; every surface answers
// them through KindOf, so a new error needs no new case in a handler.
var (
	ErrNotFound = errors.New("not found")
	// ErrConflict means a save was based on an old version of the record.
	ErrConflict = errors.New("conflict: the record was changed by someone else")
	// ErrDuplicate means a unique value (slug, email) is already taken.
	ErrDuplicate = errors.New("duplicate")
	// ErrUnauthenticated means the request says nobody, or nobody we know:
	// no session, a wrong password, an unknown token.
	ErrUnauthenticated = errors.New("not signed in")
	// ErrForbidden means the person asking may not do this.
	ErrForbidden = errors.New("forbidden")
	// ErrTooMany means the same person (or address) asked too often.
	ErrTooMany = errors.New("too many requests")
	// ErrMalformed means a request no form or client of ours makes: a
	// forged form, a broken token.
	ErrMalformed = errors.New("malformed request")
	// ErrUnavailable means the server carries all it can just now; ask
	// again later.
	ErrUnavailable = errors.New("unavailable")
	// ErrGone means the record was there and was taken down (a withdrawn
	// article): links to it should be dropped.
	ErrGone = errors.New("gone")
)

// Kind is what sort of failure an error is, for the person who caused it:
// each surface answers a kind one way (an HTTP status, an exit code), so
// handlers pass errors on instead of matching them.
type Kind uint8

const (
	// KindInternal is the server's fault (a database down, a bug): logged,
	// never explained.
	KindInternal Kind = iota
	KindInvalid       // fields to correct (*InvalidError)
	KindNotFound
	// KindConflict: someone else's change, a value already taken, or a
	// state that does not allow the step.
	KindConflict
	KindUnauthenticated
	KindForbidden
	KindGone
	KindTooMany
	KindMalformed
	KindUnavailable
)

// Kinded is an error that says its own kind: packages whose errors carry
// codes (comments, uploads) implement it rather than wrap a sentinel.
type Kinded interface {
	error
	Kind() Kind
}

// KindOf is the kind of err: the kind an error in its chain states, else
// that of the first sentinel it matches, else KindInternal.
func KindOf(err error) Kind {
	var k Kinded
	switch {
	case err == nil:
		return KindInternal
	case errors.As(err, &k):
		return k.Kind()
	case IsInvalid(err):
		return KindInvalid
	case errors.Is(err, ErrNotFound):
		return KindNotFound
	case errors.Is(err, ErrConflict), errors.Is(err, ErrDuplicate), errors.Is(err, ErrTransition),
		errors.Is(err, ErrNotLive), errors.Is(err, ErrCoverageEnded), errors.Is(err, ErrWithEditors):
		return KindConflict
	case errors.Is(err, ErrGone):
		return KindGone
	case errors.Is(err, ErrUnauthenticated):
		return KindUnauthenticated
	case errors.Is(err, ErrForbidden):
		return KindForbidden
	case errors.Is(err, ErrTooMany):
		return KindTooMany
	case errors.Is(err, ErrMalformed):
		return KindMalformed
	case errors.Is(err, ErrUnavailable):
		return KindUnavailable
	}
	return KindInternal
}

// Invalid collects field-level validation problems. Codes are short words
// ("required", "too_long") that the UI translates.
type Invalid struct {
	Fields map[string]string
}

// Add records the first problem found for a field.
func (v *Invalid) Add(field, code string) {
	if v.Fields == nil {
		v.Fields = map[string]string{}
	}
	if _, ok := v.Fields[field]; !ok {
		v.Fields[field] = code
	}
}

func (v *Invalid) maxLen(field, s string, n int) {
	if runeLen(s) > n {
		v.Add(field, "too_long")
	}
}

// Err returns v as an error, or nil when nothing was recorded.
func (v *Invalid) Err() error {
	if len(v.Fields) == 0 {
		return nil
	}
	return &InvalidError{Fields: v.Fields}
}

// InvalidError is returned by Validate; it lists every bad field.
type InvalidError struct {
	Fields map[string]string
}

func (e *InvalidError) Error() string {
	keys := make([]string, 0, len(e.Fields))
	for k := range e.Fields {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k + ": " + e.Fields[k]
	}
	return "invalid " + strings.Join(parts, ", ")
}

// IsInvalid reports whether err is (or wraps) a validation error.
func IsInvalid(err error) bool {
	var ie *InvalidError
	return errors.As(err, &ie)
}

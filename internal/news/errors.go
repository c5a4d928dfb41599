package news

import (
	"errors"
	"sort"
	"strings"
)

// Domain errors. Callers test them with errors.Is; the web layer maps them
// to 404, 409 and 400 pages with a message from the locale catalogue.
var (
	ErrNotFound = errors.New("not found")
	// ErrConflict means a save was based on an old version of the record.
	ErrConflict = errors.New("conflict: the record was changed by someone else")
	// ErrDuplicate means a unique value (slug, email) is already taken.
	ErrDuplicate = errors.New("duplicate")
)

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

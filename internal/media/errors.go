package media

import (
	"errors"

	"khabar/internal/news"
)

// Error is the refusal of an upload. Code is stable: the newsroom maps it to
// a message in the locale catalogue ("media_error_" + Code), so a code is
// never renamed. Detail is for logs only and never shown to editors.
type Error struct {
	Code   string
	Detail string
}

// Kind: a refused file is the uploader's to replace; an interrupted
// upload is to be sent again.
func (e *Error) Kind() news.Kind {
	if e.Code == ErrInterrupted.Code {
		return news.KindMalformed
	}
	return news.KindInvalid
}

func (e *Error) Error() string {
	if e.Detail == "" {
		return "media: " + e.Code
	}
	return "media: " + e.Code + ": " + e.Detail
}

// Is makes errors.Is(err, ErrTooLarge) true for every refusal with that code,
// whatever its detail.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Code == e.Code
}

// The refusals. Compare with errors.Is; read the code with Code.
var (
	ErrEmpty           = &Error{Code: "empty"}
	ErrTooLarge        = &Error{Code: "too_large"}
	ErrUnsupportedType = &Error{Code: "unsupported_type"}
	ErrTooManyPixels   = &Error{Code: "too_many_pixels"}
	ErrCorrupt         = &Error{Code: "corrupt"}
)

// ErrBadKey refuses a storage key that could name a file outside the store.
var ErrBadKey = errors.New("media: bad storage key")

func refuse(kind *Error, detail string) error {
	return &Error{Code: kind.Code, Detail: detail}
}

// Code returns the code of a refusal in err's chain, or "" when err is not a
// refusal (an I/O or storage failure, which is the server's fault).
func Code(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return ""
}

// MessageArgs are the arguments of a refusal's catalogue message
// ("media_error_" + code) under lim: the limits it names, in megabytes,
// megapixels and pixels. The newsroom's upload and the API's say the same.
func MessageArgs(code string, lim Limits) []any {
	switch code {
	case ErrTooLarge.Code:
		return []any{lim.MaxBytes >> 20}
	case ErrTooManyPixels.Code:
		return []any{lim.MaxPixels / 1_000_000, lim.MaxSide}
	}
	return nil
}

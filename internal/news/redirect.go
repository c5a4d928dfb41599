package news

import (
	"net/url"
	"regexp"
	"strings"
	"time"
)

// Redirect sends readers of an old address to its new one with a 301:
// an imported site's links, and those editors add.
type Redirect struct {
	ID int64
	// Path is the old address as RedirectKey makes it.
	Path string
	// Target is a site-relative path or an absolute http(s) URL.
	Target    string
	Origin    string // RedirectManual or RedirectImport
	CreatedAt time.Time
	UpdatedAt time.Time
}

// Where a redirect comes from: an import replaces only its own.
const (
	RedirectManual = "manual"
	RedirectImport = "import"
)

// MaxRedirectPath bounds both addresses of a redirect.
const MaxRedirectPath = 2000

// Normalize reads the old address as a key and checks the target: a path
// of this site or an http(s) URL, never the address itself.
func (r *Redirect) Normalize() error {
	var v Invalid
	r.Path = strings.TrimSpace(r.Path)
	r.Target = strings.TrimSpace(r.Target)
	if r.Origin == "" {
		r.Origin = RedirectManual
	}
	if r.Path == "" {
		v.Add("path", "required")
	} else if u, err := url.Parse(r.Path); err != nil || len(r.Path) > MaxRedirectPath {
		v.Add("path", "invalid")
	} else {
		r.Path = RedirectKey(u.Path, u.RawQuery)
		if r.Path == "" {
			v.Add("path", "invalid")
		}
	}
	switch {
	case r.Target == "":
		v.Add("target", "required")
	case len(r.Target) > MaxRedirectPath || !SafeLink(r.Target) || strings.HasPrefix(r.Target, "//") || strings.HasPrefix(r.Target, "mailto:"):
		v.Add("target", "invalid")
	case strings.HasPrefix(r.Target, "/"):
		if u, err := url.Parse(r.Target); err == nil && RedirectKey(u.Path, u.RawQuery) == r.Path {
			v.Add("target", "loop")
		}
	}
	if r.Origin != RedirectManual && r.Origin != RedirectImport {
		v.Add("origin", "unknown")
	}
	return v.Err()
}

// wpQueries are WordPress's query links that name one thing by its id.
var wpQueries = []string{"p", "page_id", "attachment_id", "cat", "tag", "author", "feed"}

// RedirectKey is how an old address is stored and looked up: the decoded
// path in lower case without its trailing slash (WordPress answers both
// ways), or for the front page's query links the one parameter that
// names the item ("?p=12"); "" when the address cannot be a key.
func RedirectKey(path, rawQuery string) string {
	if path == "" {
		path = "/"
	}
	if !strings.HasPrefix(path, "/") {
		return ""
	}
	if path == "/" || path == "/index.php" {
		q, err := url.ParseQuery(rawQuery)
		if err != nil {
			return ""
		}
		for _, k := range wpQueries {
			if v := q.Get(k); v != "" {
				return "?" + k + "=" + strings.ToLower(v)
			}
		}
		return ""
	}
	for strings.Contains(path, "//") {
		path = strings.ReplaceAll(path, "//", "/")
	}
	return strings.ToLower(strings.TrimRight(path, "/"))
}

// uploadSize is the size WordPress adds to a picture's file name
// (-300x200, -scaled, -rotated, -e1589…: an edited copy).
var uploadSize = regexp.MustCompile(`(?i)(-\d+x\d+|-scaled|-rotated|-e\d{10,})+(\.[a-z0-9]+)$`)

// RedirectKeys are the keys to look for, best first: the address's own
// and, for an uploaded file, the original of a size WordPress made.
func RedirectKeys(path, rawQuery string) []string {
	k := RedirectKey(path, rawQuery)
	if k == "" {
		return nil
	}
	keys := []string{k}
	if strings.Contains(k, "/wp-content/uploads/") {
		if orig := uploadSize.ReplaceAllString(k, "$2"); orig != k {
			keys = append(keys, orig)
		}
	}
	return keys
}

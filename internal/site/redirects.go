package site

import (
	"errors"
	"net/http"
	"net/url"
	"strings"

	"khabar/internal/news"
)

// redirectOld answers 301 when the request is an old address in the
// redirects table (an imported site's links, or an editor's), and
// reports whether it did. It is asked before the 404 page and by the
// front page for WordPress's query links (/?p=12), so a known address
// never costs a lookup.
func (s *Site) redirectOld(w http.ResponseWriter, r *http.Request) bool {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		return false
	}
	keys := news.RedirectKeys(r.URL.Path, r.URL.RawQuery)
	if len(keys) == 0 {
		return false
	}
	target, err := s.store.RedirectTarget(r.Context(), keys)
	if errors.Is(err, news.ErrNotFound) {
		// WordPress's addresses end in a slash; ours of the same lists
		// (/tag/x, /author/x) do not.
		if trimmed := strings.TrimRight(r.URL.Path, "/"); trimmed != r.URL.Path && ownList(trimmed) {
			target, err = (&url.URL{Path: trimmed}).EscapedPath(), nil
		}
	}
	if err != nil {
		if !errors.Is(err, news.ErrNotFound) {
			s.log.ErrorContext(r.Context(), "redirect lookup", "path", r.URL.Path, "err", err)
		}
		return false
	}
	if strings.HasPrefix(target, "/") {
		target = s.base + target
	}
	w.Header().Set("Cache-Control", "public, max-age=3600")
	http.Redirect(w, r, target, http.StatusMovedPermanently)
	return true
}

// ownList reports whether path is one of the site's list pages.
func ownList(path string) bool {
	for _, kind := range []string{news.ListSection, news.ListTag, news.ListAuthor} {
		if rest, ok := strings.CutPrefix(path, "/"+kind+"/"); ok && rest != "" && !strings.Contains(rest, "/") {
			return true
		}
	}
	return false
}

// wpQuery reports whether the front page was asked with one of
// WordPress's query links.
func wpQuery(r *http.Request) bool {
	return r.URL.RawQuery != "" && news.RedirectKey(r.URL.Path, r.URL.RawQuery) != ""
}

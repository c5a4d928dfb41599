package newsroom

import (
	"net/http"
	"unicode/utf8"

	"khabar/internal/web"
)

// maxTagQuery bounds what the tag field may ask about: a tag name is at
// most 100 letters.
const maxTagQuery = 100

// suggestTags is GET /admin/tags?q=: tags starting with what is being
// typed in the article form's tag field, as JSON, for its suggestions.
func (n *Newsroom) suggestTags(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query().Get("q")
	if utf8.RuneCountInString(q) > maxTagQuery {
		web.JSONError(w, http.StatusBadRequest, n.cat.T("err_too_long"))
		return
	}
	tags, err := n.store.SuggestTags(r.Context(), q, 8)
	if err != nil {
		n.fail(w, r, err)
		return
	}
	names := []string{}
	for _, t := range tags {
		names = append(names, t.Name)
	}
	web.JSON(w, http.StatusOK, "private, max-age=60", map[string]any{"tags": names})
}

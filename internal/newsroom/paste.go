package newsroom

import (
	"errors"
	"io"
	"net/http"
	"unicode/utf8"

	"khabar/internal/news"
	"khabar/internal/paste"
	"khabar/internal/web"
)

// maxPasteBytes bounds one paste: a long Word document's clipboard HTML,
// heavy with styles, is a few hundred kilobytes.
const maxPasteBytes = 1 << 20

// pasteBlocks turns clipboard HTML (the request body) into blocks for the
// article form's script: {"blocks": […]}, or {"error": "…"} with a
// message for the writer.
func (n *Newsroom) pasteBlocks(w http.ResponseWriter, r *http.Request) {
	if r.ContentLength > maxPasteBytes {
		web.JSONError(w, http.StatusRequestEntityTooLarge, n.cat.T("paste_too_large"))
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxPasteBytes))
	var tooLarge *http.MaxBytesError
	switch {
	case errors.As(err, &tooLarge):
		web.JSONError(w, http.StatusRequestEntityTooLarge, n.cat.T("paste_too_large"))
		return
	case err != nil:
		web.JSONError(w, http.StatusBadRequest, n.cat.T("paste_bad"))
		return
	case !utf8.Valid(body):
		// A browser always sends the clipboard as UTF-8; anything else
		// is not a paste.
		web.JSONError(w, http.StatusBadRequest, n.cat.T("paste_bad"))
		return
	}
	blocks := paste.Blocks(string(body))
	if blocks == nil {
		blocks = []news.Block{} // the script expects a list, even an empty one
	}
	web.JSON(w, http.StatusOK, "no-store", map[string]any{"blocks": blocks})
}

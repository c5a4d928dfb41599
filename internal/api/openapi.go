package api

import (
	"crypto/sha256"
	_ "embed"
	"encoding/hex"
	"net/http"
	"strconv"
)

// OpenAPIPath serves the API's OpenAPI 3.1 document.
const OpenAPIPath = "/api/v1/openapi.json"

// openAPIDoc describes every route of routes(), written by hand next to
// the handlers; the tests hold the two together and validate the real
// handlers' answers against it.
//
//go:embed openapi.json
var openAPIDoc []byte

// openAPIETag names the document's content: it changes only with a new
// build, so a client revalidates for nothing.
var openAPIETag = func() string {
	sum := sha256.Sum256(openAPIDoc)
	return `"` + hex.EncodeToString(sum[:12]) + `"`
}()

// serveOpenAPI is GET /api/v1/openapi.json: the embedded document,
// cacheable for an hour by anyone, with a strong ETag for If-None-Match.
func serveOpenAPI(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Cache-Control", "public, max-age=3600")
	h.Set("ETag", openAPIETag)
	if matches(r.Header.Get("If-None-Match"), openAPIETag) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("Content-Length", strconv.Itoa(len(openAPIDoc)))
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		w.Write(openAPIDoc)
	}
}

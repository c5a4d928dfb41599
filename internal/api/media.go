package api

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"

	"khabar/internal/auth"
	"khabar/internal/media"
	"khabar/internal/news"
	"khabar/internal/web"
)

// MediaPath receives uploads through the API. Like the newsroom's, its
// requests are larger than any other, so the app lets them past the
// general body limit and the handler sets its own (the library's).
const MediaPath = "/api/v1/media"

// mediaJSON is an image of the library as the API gives it. An image
// block refers to it by id ({"type": "image", "media_id": …}), as does
// an article's featured_media_id.
type mediaJSON struct {
	ID      int64  `json:"id"`
	URL     string `json:"url"`
	MIME    string `json:"mime"`
	Width   int    `json:"width"`
	Height  int    `json:"height"`
	Alt     string `json:"alt"`
	Caption string `json:"caption"`
	Credit  string `json:"credit"`
	// Duplicate: the library held the same file already; this is it.
	Duplicate bool `json:"duplicate,omitempty"`
}

// mediaWrite is what PATCH /api/v1/media/{id} changes; the fields a read
// gives are taken back and ignored.
type mediaWrite struct {
	Alt     *string `json:"alt"`
	Caption *string `json:"caption"`
	Credit  *string `json:"credit"`

	ID     any `json:"id"`
	URL    any `json:"url"`
	MIME   any `json:"mime"`
	Width  any `json:"width"`
	Height any `json:"height"`
}

func (a *API) mediaOut(m *news.Media) mediaJSON {
	return mediaJSON{ID: m.ID, URL: a.base + "/media/" + m.Path, MIME: m.MIME, Width: m.Width, Height: m.Height,
		Alt: m.Alt, Caption: m.Caption, Credit: m.Credit}
}

func mediaPath(id int64) string { return MediaPath + "/" + strconv.FormatInt(id, 10) }

// uploadLimit bounds an upload's body: the library's own limit on a file.
func (a *API) uploadLimit() int64 { return a.media.Limits().MaxBytes }

// uploadMedia is POST /api/v1/media: the body is one image (its bytes,
// with its Content-Type), checked as it arrives and taken into the
// picture library by
// the same code as the newsroom's upload (media.Library.Ingest): 201 with
// the new image, 200 with the one the library held already, 422 with the
// newsroom's reason when the file is refused.
func (a *API) uploadMedia(w http.ResponseWriter, r *http.Request, u *auth.User, body []byte) {
	// The body was read whole for its Idempotency-Key, or is read here
	// as it arrives (see write).
	var src io.Reader = r.Body
	if body != nil {
		src = bytes.NewReader(body)
	}
	in, err := a.media.Ingest(r.Context(), src)
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		tooLarge(w, tooBig.Limit)
		return
	}
	if code := media.Code(err); code != "" {
		msg := make(map[string]string, len(catalogues))
		for lang, c := range catalogues {
			msg[lang] = c.T("media_error_"+code, media.MessageArgs(code, a.media.Limits())...)
		}
		writeProblem(w, problem{Type: ProblemBase + problemMedia, Title: problemTitles[problemMedia], Status: web.Status(err),
			Detail: "the file was not taken; see errors", Errors: []paramError{{Name: "body", Reason: code, Message: msg}}})
		return
	}
	if err != nil {
		a.failProblem(w, r, fmt.Errorf("API upload: %w", err))
		return
	}
	out := a.mediaOut(in.Media)
	w.Header().Set("Location", a.base+mediaPath(in.Media.ID))
	if in.Duplicate {
		out.Duplicate = true
		web.JSON(w, http.StatusOK, "no-store", out)
		return
	}
	a.log.InfoContext(r.Context(), "media uploaded", "user", u.ID, "media", in.Media.ID, "via", "api")
	web.JSON(w, http.StatusCreated, "no-store", out)
}

// getMedia is GET /api/v1/media/{id}, for those who write.
func (a *API) getMedia(w http.ResponseWriter, r *http.Request, _ *auth.User, _ []byte) {
	id, ok := web.PositiveID(r.PathValue("id"))
	if !ok {
		problemOf(w, http.StatusNotFound, problemNotFound, "no image has this id")
		return
	}
	m, err := a.store.GetMedia(r.Context(), id)
	if err != nil {
		a.failProblem(w, r, err)
		return
	}
	web.JSON(w, http.StatusOK, "private, no-store", a.mediaOut(m))
}

// patchMedia is PATCH /api/v1/media/{id}: an image's alt text, caption and
// credit, which publishing an article showing it requires; who may change
// them is the library's rule (media.Library.TextsEditableBy), as in the
// newsroom.
func (a *API) patchMedia(w http.ResponseWriter, r *http.Request, u *auth.User, body []byte) {
	id, ok := web.PositiveID(r.PathValue("id"))
	if !ok {
		problemOf(w, http.StatusNotFound, problemNotFound, "no image has this id")
		return
	}
	var in mediaWrite
	if !decode(w, body, &in, false) {
		return
	}
	m, err := a.store.GetMedia(r.Context(), id)
	if err != nil {
		a.failProblem(w, r, err)
		return
	}
	for _, f := range []struct{ from, to *string }{{in.Alt, &m.Alt}, {in.Caption, &m.Caption}, {in.Credit, &m.Credit}} {
		if f.from != nil {
			*f.to = *f.from
		}
	}
	if err := a.media.SaveTexts(r.Context(), u.Staff(), m); err != nil {
		a.failWrite(w, r, fmt.Errorf("API media texts: %w", err), nil)
		return
	}
	web.JSON(w, http.StatusOK, "no-store", a.mediaOut(m))
}

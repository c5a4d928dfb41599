package newsroom

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"path"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"khabar/internal/media"
	"khabar/internal/news"
	"khabar/internal/store"
	"khabar/internal/web"
)

// UploadPath receives uploads. Its requests are larger than any other
// form, so the app lets them past the general body limit and the handler
// sets its own.
const UploadPath = "/admin/media"

const (
	// maxUploadBody bounds one upload request: a batch of phone photos
	// from the form without JavaScript (the script sends one file a
	// request). A larger Content-Length is refused before reading.
	maxUploadBody  = 64 << 20
	maxUploadFiles = 20
	mediaPageSize  = 48
)

// libraryPage is the media library's data.
type libraryPage struct {
	Items            []libraryItem
	Query            string
	Pick             string // the article form's field an image is chosen for
	Results          []uploadResult
	Total            int
	PrevURL, NextURL string
	MaxMB            int64
}

type libraryItem struct {
	news.Media
	Thumb      string // the smallest size, or the original
	Incomplete bool   // lacks a text that publishing requires
}

// uploadResult is what became of one uploaded file.
type uploadResult struct {
	Name      string `json:"name"`
	ID        int64  `json:"id,omitempty"`
	Duplicate bool   `json:"duplicate,omitempty"`
	Failed    bool   `json:"failed,omitempty"`
	Message   string `json:"message"`
	status    int    // of a failure: 413, 422 or 500
}

// pickField names the forms' fields that hold a media id: the article's
// and the settings' logo.
var pickField = regexp.MustCompile(`^(featured|b[0-9]{1,4}_media|logo_media)$`)

func (n *Newsroom) mediaLibrary(w http.ResponseWriter, r *http.Request) {
	n.renderLibrary(w, r, http.StatusOK, nil)
}

func (n *Newsroom) renderLibrary(w http.ResponseWriter, r *http.Request, status int, results []uploadResult) {
	q := r.URL.Query()
	p := &libraryPage{Query: q.Get("q"), Results: results, MaxMB: n.media.Limits().MaxBytes >> 20}
	if pickField.MatchString(q.Get("pick")) {
		p.Pick = q.Get("pick")
	}
	offset, err := strconv.Atoi(q.Get("offset"))
	if err != nil || offset < 0 || offset > 1_000_000 {
		offset = 0
	}
	f := store.MediaFilter{Query: p.Query, Limit: mediaPageSize + 1, Offset: offset}
	list, err := n.store.SearchMedia(r.Context(), f)
	if err == nil {
		p.Total, err = n.store.CountMedia(r.Context(), f)
	}
	if err != nil {
		n.fail(w, r, fmt.Errorf("media library: %w", err))
		return
	}
	page := func(offset int) string {
		v := url.Values{"offset": {strconv.Itoa(offset)}}
		for _, k := range []string{"q", "pick"} {
			if q.Get(k) != "" {
				v.Set(k, q.Get(k))
			}
		}
		return "/admin/media?" + v.Encode()
	}
	if len(list) > mediaPageSize {
		list, p.NextURL = list[:mediaPageSize], page(offset+mediaPageSize)
	}
	if offset > 0 {
		p.PrevURL = page(max(offset-mediaPageSize, 0))
	}
	for _, m := range list {
		p.Items = append(p.Items, libraryItem{Media: m, Thumb: thumb(m), Incomplete: m.Alt == "" || m.Caption == "" || m.Credit == ""})
	}
	n.render(w, status, "media", &data{User: userFrom(r.Context()), Title: n.cat.T("admin_media"), Page: p})
}

// thumb is the smallest size of an image, or its original.
func thumb(m news.Media) string {
	for _, s := range m.Sizes {
		if s.Format == string(media.WebP) {
			return s.Path // sizes are stored narrowest first
		}
	}
	return m.Path
}

// uploadMedia takes one or more files from a multipart form, streaming:
// each is checked as it arrives, and nothing is spooled to disk first.
// The body may take as long as it keeps coming (web.AllowSlowBody): a
// batch of photos from a poor connection takes minutes.
func (n *Newsroom) uploadMedia(w http.ResponseWriter, r *http.Request) {
	if r.ContentLength > maxUploadBody {
		n.uploadDone(w, r, []uploadResult{n.refused("", http.StatusRequestEntityTooLarge, "media_error_request_too_large", maxUploadBody>>20)})
		return
	}
	web.AllowSlowBody(w, r)
	r.Body = http.MaxBytesReader(w, r.Body, maxUploadBody)
	mr, err := r.MultipartReader()
	if err != nil {
		n.uploadDone(w, r, []uploadResult{n.refused("", http.StatusBadRequest, "media_error_form")})
		return
	}
	var results []uploadResult
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			results = append(results, n.uploadFailure(r.Context(), "", fmt.Errorf("%w: %w", media.ErrInterrupted, err)))
			break
		}
		name := fileName(part.FileName())
		if part.FormName() != "files" || name == "" {
			part.Close() // an empty file input sends a part without a name
			continue
		}
		if len(results) == maxUploadFiles {
			results = append(results, n.refused(name, http.StatusUnprocessableEntity, "media_error_too_many_files", maxUploadFiles))
			break
		}
		res := n.ingest(r.Context(), part, name)
		part.Close()
		results = append(results, res)
		if res.status == http.StatusRequestEntityTooLarge {
			break // the request hit its limit: nothing more can be read
		}
	}
	if len(results) == 0 {
		results = append(results, n.refused("", http.StatusUnprocessableEntity, "media_error_no_files"))
	}
	n.uploadDone(w, r, results)
}

// fileName keeps an uploaded file's name for messages only: its last
// path element (old browsers send the whole path), one clean line.
func fileName(s string) string {
	s = news.CleanLine(path.Base(strings.ReplaceAll(s, `\`, "/")))
	if s == "." || s == "/" {
		return ""
	}
	for utf8.RuneCountInString(s) > 80 {
		_, size := utf8.DecodeLastRuneInString(s)
		s = s[:len(s)-size]
	}
	return s
}

// ingest takes one file into the library.
func (n *Newsroom) ingest(ctx context.Context, part *multipart.Part, name string) uploadResult {
	in, err := n.media.Ingest(ctx, part)
	if err != nil {
		return n.uploadFailure(ctx, name, err)
	}
	if in.Duplicate {
		return uploadResult{Name: name, ID: in.Media.ID, Duplicate: true, Message: n.cat.T("media_duplicate")}
	}
	return uploadResult{Name: name, ID: in.Media.ID, Message: n.cat.T("media_uploaded")}
}

func (n *Newsroom) refused(name string, status int, key string, args ...any) uploadResult {
	return uploadResult{Name: name, Failed: true, Message: n.cat.T(key, args...), status: status}
}

// uploadFailure explains why a file was not taken: the library's
// refusals, the request's size limit, a dropped upload, or (logged) the
// server's fault.
func (n *Newsroom) uploadFailure(ctx context.Context, name string, err error) uploadResult {
	status, lim := web.Status(err), n.media.Limits()
	var tooBig *http.MaxBytesError
	switch code := media.Code(err); {
	case errors.As(err, &tooBig):
		return n.refused(name, status, "media_error_request_too_large", maxUploadBody>>20)
	case code == media.ErrInterrupted.Code:
		n.log.InfoContext(ctx, "upload interrupted", "file", name, "err", err)
		return n.refused(name, status, "media_error_interrupted")
	case code != "":
		return n.refused(name, status, "media_error_"+code, media.MessageArgs(code, lim)...)
	}
	n.log.ErrorContext(ctx, "store upload", "file", name, "user", userFrom(ctx).ID, "err", err)
	return n.refused(name, status, "media_error_server")
}

// uploadDone answers the script with JSON and the plain form with the
// library page. The status is 200 when a file was taken, else the worst
// failure's: the server's fault, the request's size, a broken form, then
// refused files (422).
func (n *Newsroom) uploadDone(w http.ResponseWriter, r *http.Request, results []uploadResult) {
	rank := func(status int) int {
		switch {
		case status == http.StatusOK:
			return 4
		case status >= 500:
			return 3
		case status == http.StatusRequestEntityTooLarge:
			return 2
		case status == http.StatusBadRequest:
			return 1
		}
		return 0
	}
	status := http.StatusUnprocessableEntity
	for _, res := range results {
		s := res.status
		if !res.Failed {
			s = http.StatusOK
		}
		if rank(s) > rank(status) {
			status = s
		}
	}
	if wantsJSON(r) {
		web.JSON(w, status, "no-store", map[string]any{"files": results})
		return
	}
	n.renderLibrary(w, r, status, results)
}

// mediaPage is the data of one image's page.
type mediaPage struct {
	M *news.Media
	// Locked: a public article shows the image, and this user may not
	// change public pages.
	Locked bool
}

func (n *Newsroom) loadMedia(w http.ResponseWriter, r *http.Request) (*mediaPage, bool) {
	id, ok := parseID(r)
	if !ok {
		n.Error(w, r, http.StatusNotFound)
		return nil, false
	}
	m, err := n.store.GetMedia(r.Context(), id)
	if err != nil {
		n.fail(w, r, err)
		return nil, false
	}
	locked := n.media.TextsEditableBy(r.Context(), userFrom(r.Context()).Staff(), id)
	if locked != nil && !errors.Is(locked, news.ErrForbidden) {
		n.fail(w, r, locked)
		return nil, false
	}
	return &mediaPage{M: m, Locked: locked != nil}, true
}

func (n *Newsroom) editMedia(w http.ResponseWriter, r *http.Request) {
	p, ok := n.loadMedia(w, r)
	if !ok {
		return
	}
	flash := ""
	if r.URL.Query().Get("done") == "media_saved" {
		flash = "flash_media_saved"
	}
	n.renderMedia(w, r, http.StatusOK, p, flash, nil)
}

func (n *Newsroom) renderMedia(w http.ResponseWriter, r *http.Request, status int, p *mediaPage, flash string, errs map[string]string) {
	title := cmp.Or(p.M.Caption, p.M.Alt, n.cat.T("media_untitled", n.settings.Get().DateFormat().Date(p.M.CreatedAt)))
	n.render(w, status, "media_edit", &data{User: userFrom(r.Context()), Title: title,
		Page: p, Flash: flash, Errors: errs})
}

// saveMedia saves an image's alt text, caption and credit.
func (n *Newsroom) saveMedia(w http.ResponseWriter, r *http.Request) {
	p, ok := n.loadMedia(w, r)
	if !ok || !n.parseForm(w, r) {
		return
	}
	p.M.Alt, p.M.Caption, p.M.Credit = r.PostForm.Get("alt"), r.PostForm.Get("caption"), r.PostForm.Get("credit")
	errs := map[string]string{}
	switch err := n.media.SaveTexts(r.Context(), userFrom(r.Context()).Staff(), p.M); {
	case err == nil:
	case fieldErrors(err, errs):
		n.renderMedia(w, r, http.StatusUnprocessableEntity, p, "", errs)
		return
	default:
		n.fail(w, r, fmt.Errorf("save media: %w", err))
		return
	}
	http.Redirect(w, r, "/admin/media/"+strconv.FormatInt(p.M.ID, 10)+"?done=media_saved", http.StatusSeeOther)
}

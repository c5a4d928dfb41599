package newsroom

import (
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
	"time"
	"unicode/utf8"

	"github.com/gen2brain/webp"

	"khabar/internal/auth"
	"khabar/internal/media"
	"khabar/internal/news"
	"khabar/internal/render"
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
	// uploadsAtOnce bounds the uploads decoded at the same time: a
	// 50-megapixel photo takes some 200 MB to check.
	uploadsAtOnce = 2
	mediaPageSize = 48
	// resweep is how often the worker looks for uploads still waiting for
	// their sizes: those its queue had no room for, and those another
	// node left when it stopped.
	resweep   = 10 * time.Minute
	warmAfter = 30 * time.Second
)

// library is the newsroom's media library: uploads checked with the
// media package, and the background worker that makes their sizes.
type library struct {
	proc     media.Processor
	checking chan struct{}
	queue    chan int64 // media waiting for their sizes
	js       *render.Page
}

func newLibrary(originals media.Store) (*library, error) {
	js, err := files.ReadFile("static/media.js")
	if err != nil {
		return nil, err
	}
	return &library{proc: media.Processor{Store: originals, Limits: media.DefaultLimits},
		checking: make(chan struct{}, uploadsAtOnce), queue: make(chan int64, 256),
		js: render.NewPage(http.StatusOK, "text/javascript; charset=utf-8", js, "private, max-age=300")}, nil
}

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

// pickField names the article form's fields that hold a media id.
var pickField = regexp.MustCompile(`^(featured|b[0-9]{1,4}_media)$`)

func (n *Newsroom) mediaLibrary(w http.ResponseWriter, r *http.Request) {
	n.renderLibrary(w, r, http.StatusOK, nil)
}

func (n *Newsroom) renderLibrary(w http.ResponseWriter, r *http.Request, status int, results []uploadResult) {
	q := r.URL.Query()
	p := &libraryPage{Query: q.Get("q"), Results: results, MaxMB: media.DefaultLimits.MaxBytes >> 20}
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
		it := libraryItem{Media: m, Thumb: m.Path, Incomplete: m.Alt == "" || m.Caption == "" || m.Credit == ""}
		for _, s := range m.Sizes {
			if s.Format == string(media.WebP) {
				it.Thumb = s.Path // sizes are stored narrowest first
				break
			}
		}
		p.Items = append(p.Items, it)
	}
	n.render(w, status, "media", &data{User: userFrom(r.Context()), Title: n.cat.T("admin_media"), Page: p})
}

// uploadMedia takes one or more files from a multipart form, streaming:
// each is checked as it arrives, and nothing is spooled to disk first.
func (n *Newsroom) uploadMedia(w http.ResponseWriter, r *http.Request) {
	if r.ContentLength > maxUploadBody {
		n.uploadDone(w, r, []uploadResult{n.refused("", http.StatusRequestEntityTooLarge, "media_error_request_too_large", maxUploadBody>>20)})
		return
	}
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
			results = append(results, n.readFailure("", err))
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

// ingest checks one file, stores it unless the same file is already in the
// library, and queues the making of its sizes.
func (n *Newsroom) ingest(ctx context.Context, part *multipart.Part, name string) uploadResult {
	select {
	case n.lib.checking <- struct{}{}:
		defer func() { <-n.lib.checking }()
	case <-ctx.Done():
		return n.refused(name, http.StatusUnprocessableEntity, "media_error_interrupted")
	}
	up, err := media.Check(part, n.lib.proc.Limits)
	if err != nil {
		return n.readFailure(name, err)
	}
	if m, err := n.store.MediaBySHA256(ctx, up.SHA256); err == nil {
		return n.duplicate(name, m)
	} else if !errors.Is(err, news.ErrNotFound) {
		return n.serverFailure(name, err)
	}
	rec, err := n.lib.proc.Save(ctx, up)
	if err != nil {
		return n.serverFailure(name, err)
	}
	m := &news.Media{Path: rec.Key, MIME: rec.Format.MIME(), Width: rec.Width, Height: rec.Height, SHA256: rec.SHA256,
		Bytes: rec.Bytes, Frames: rec.Frames, SizesState: news.SizesPending}
	if rec.Frames > 1 {
		m.SizesState = news.SizesNone // stills would stop the animation
	}
	if err := n.store.CreateMedia(ctx, m); errors.Is(err, news.ErrDuplicate) {
		// The same file, uploaded at the same moment by someone else.
		if m, err := n.store.MediaBySHA256(ctx, up.SHA256); err == nil {
			return n.duplicate(name, m)
		}
		return n.serverFailure(name, err)
	} else if err != nil {
		return n.serverFailure(name, err)
	}
	if m.SizesState == news.SizesPending {
		n.lib.enqueue(m.ID)
	}
	n.log.Info("media uploaded", "user", userFrom(ctx).ID, "media", m.ID, "format", rec.Format, "bytes", rec.Bytes)
	return uploadResult{Name: name, ID: m.ID, Message: n.cat.T("media_uploaded")}
}

func (n *Newsroom) duplicate(name string, m *news.Media) uploadResult {
	return uploadResult{Name: name, ID: m.ID, Duplicate: true, Message: n.cat.T("media_duplicate")}
}

func (n *Newsroom) refused(name string, status int, key string, args ...any) uploadResult {
	return uploadResult{Name: name, Failed: true, Message: n.cat.T(key, args...), status: status}
}

// readFailure explains why a file could not be read or was refused: the
// media package's refusals, the request's size limit, or a dropped upload.
func (n *Newsroom) readFailure(name string, err error) uploadResult {
	var mbe *http.MaxBytesError
	switch code := media.Code(err); {
	case code == media.ErrTooLarge.Code:
		return n.refused(name, http.StatusUnprocessableEntity, "media_error_too_large", media.DefaultLimits.MaxBytes>>20)
	case code == media.ErrTooManyPixels.Code:
		return n.refused(name, http.StatusUnprocessableEntity, "media_error_too_many_pixels",
			media.DefaultLimits.MaxPixels/1_000_000, media.DefaultLimits.MaxSide)
	case code != "":
		return n.refused(name, http.StatusUnprocessableEntity, "media_error_"+code)
	case errors.As(err, &mbe):
		return n.refused(name, http.StatusRequestEntityTooLarge, "media_error_request_too_large", maxUploadBody>>20)
	}
	n.log.Info("upload interrupted", "file", name, "err", err)
	return n.refused(name, http.StatusBadRequest, "media_error_interrupted")
}

func (n *Newsroom) serverFailure(name string, err error) uploadResult {
	n.log.Error("store upload", "file", name, "err", err)
	return n.refused(name, http.StatusInternalServerError, "media_error_server")
}

// uploadDone answers the script with JSON and the plain form with the
// library page. The status is 200 when a file was taken, else the worst
// failure's: the server's fault, the request's size, a broken form, then
// refused files (422).
func (n *Newsroom) uploadDone(w http.ResponseWriter, r *http.Request, results []uploadResult) {
	rank := func(status int) int {
		return map[int]int{http.StatusOK: 4, http.StatusInternalServerError: 3, http.StatusRequestEntityTooLarge: 2, http.StatusBadRequest: 1}[status]
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
	var shown bool
	if err == nil && !userFrom(r.Context()).Can(auth.PermPublish) {
		shown, err = n.store.MediaShownPublicly(r.Context(), id)
	}
	if err != nil {
		n.fail(w, r, fmt.Errorf("get media: %w", err))
		return nil, false
	}
	return &mediaPage{M: m, Locked: shown}, true
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
	n.render(w, status, "media_edit", &data{User: userFrom(r.Context()), Title: n.cat.T("media_number", strconv.FormatInt(p.M.ID, 10)),
		Page: p, Flash: flash, Errors: errs})
}

// saveMedia saves an image's alt text, caption and credit.
func (n *Newsroom) saveMedia(w http.ResponseWriter, r *http.Request) {
	p, ok := n.loadMedia(w, r)
	if !ok || !n.parseForm(w, r) {
		return
	}
	if p.Locked {
		n.Error(w, r, http.StatusForbidden)
		return
	}
	p.M.Alt, p.M.Caption, p.M.Credit = r.PostForm.Get("alt"), r.PostForm.Get("caption"), r.PostForm.Get("credit")
	errs := map[string]string{}
	switch err := n.store.UpdateMediaText(r.Context(), p.M); {
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

// enqueue hands an upload to the worker. When the queue is full the upload
// stays pending and the next sweep finds it.
func (l *library) enqueue(id int64) {
	select {
	case l.queue <- id:
	default:
	}
}

// RunMedia makes the sizes of uploaded images in the background, one image
// at a time (each uses every core), until ctx ends. Uploads left pending by
// an earlier run, or by a full queue, are found by a sweep at start and
// every few minutes; until an image's sizes exist, pages show its original.
func (n *Newsroom) RunMedia(ctx context.Context) {
	// The WebP encoder compiles its WebAssembly on first use, about a
	// second of CPU. Warming it once the node has settled spares the first
	// upload's sizes that wait, and costs nothing to short-lived processes
	// (commands, tests).
	warm := time.NewTimer(warmAfter)
	defer warm.Stop()
	sweep := time.NewTicker(resweep)
	defer sweep.Stop()
	for {
		ids, err := n.store.PendingMedia(ctx, cap(n.lib.queue))
		if err != nil && ctx.Err() == nil {
			n.log.Error("pending media", "err", err)
		}
		for _, id := range ids {
			n.lib.enqueue(id)
		}
		for wait := true; wait; {
			select {
			case <-ctx.Done():
				return
			case id := <-n.lib.queue:
				n.makeSizes(ctx, id)
			case <-warm.C:
				webp.Init()
			case <-sweep.C:
				wait = false
			}
		}
	}
}

// makeSizes makes and records one image's sizes. An image already done
// (queued twice, or by another node) is skipped; a stop midway leaves it
// pending for the next run.
func (n *Newsroom) makeSizes(ctx context.Context, id int64) {
	m, err := n.store.GetMedia(ctx, id)
	if err != nil || m.SizesState != news.SizesPending {
		if err != nil && !errors.Is(err, news.ErrNotFound) && ctx.Err() == nil {
			n.log.Error("media sizes", "media", id, "err", err)
		}
		return
	}
	start := time.Now()
	vs, err := n.lib.proc.Variants(ctx, m.Path)
	if ctx.Err() != nil {
		return
	}
	state := news.SizesReady
	if err != nil {
		n.log.Error("media sizes", "media", id, "err", err)
		state, vs = news.SizesFailed, nil
	}
	sizes := make([]news.MediaSize, len(vs))
	for i, v := range vs {
		sizes[i] = news.MediaSize{Path: v.Key, Width: v.Width, Height: v.Height, Format: string(v.Format), Bytes: v.Bytes}
	}
	if err := n.store.SetMediaSizes(ctx, id, sizes, state); err != nil && ctx.Err() == nil {
		n.log.Error("record media sizes", "media", id, "err", err)
		return
	}
	n.log.Info("media sizes made", "media", id, "state", state, "files", len(sizes), "ms", time.Since(start).Milliseconds())
}

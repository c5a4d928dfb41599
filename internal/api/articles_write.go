package api

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"khabar/internal/auth"
	"khabar/internal/news"
	"khabar/internal/store"
	"khabar/internal/web"
)

// articleWrite is the article shape as writes take it (see articleJSON):
// a field left out (or null) is left as it is. The fields only the server
// sets (id, url, version, times…) are taken and ignored, so a client may
// send back what it read; status may only be sent back unchanged, since
// a state changes through the workflow steps.
type articleWrite struct {
	Headline        *string       `json:"headline"`
	Kicker          *string       `json:"kicker"`
	Lead            *string       `json:"lead"`
	Slug            *string       `json:"slug"`
	Source          *string       `json:"source"`
	SectionID       *int64        `json:"section_id"`
	AuthorIDs       *[]int64      `json:"author_ids"`
	Tags            *[]tagIn      `json:"tags"`
	Blocks          *[]news.Block `json:"blocks"`
	FeaturedMediaID *int64        `json:"featured_media_id"`
	Breaking        *bool         `json:"breaking"`
	Pinned          *bool         `json:"pinned"`
	Status          *news.Status  `json:"status"`

	ID              json.RawMessage `json:"id"`
	URL             json.RawMessage `json:"url"`
	Version         json.RawMessage `json:"version"`
	PublishedAt     json.RawMessage `json:"published_at"`
	UpdatedAt       json.RawMessage `json:"updated_at"`
	ExternalID      json.RawMessage `json:"external_id"`
	Language        json.RawMessage `json:"language"`
	HasStagedUpdate json.RawMessage `json:"has_staged_update"`
}

// tagIn is a tag as a write names it: its name ("انتخابات"), or the
// object a read gives ({"id": 3, "slug": …, "name": …}), by id when it
// has one. A new name makes a new tag, as in the newsroom's form.
type tagIn news.Tag

func (t *tagIn) UnmarshalJSON(b []byte) error {
	if bytes.HasPrefix(bytes.TrimSpace(b), []byte(`"`)) {
		return json.Unmarshal(b, &t.Name)
	}
	var obj struct {
		ID   int64  `json:"id"`
		Slug string `json:"slug"`
		Name string `json:"name"`
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&obj); err != nil {
		return err
	}
	*t = tagIn{ID: max(obj.ID, 0), Slug: obj.Slug, Name: obj.Name}
	return nil
}

// apply sets the fields the write carries on art.
func (in *articleWrite) apply(art *news.Article) {
	for _, f := range []struct {
		from *string
		to   *string
	}{{in.Headline, &art.Headline}, {in.Kicker, &art.Kicker}, {in.Lead, &art.Lead}, {in.Slug, &art.Slug}, {in.Source, &art.Source}} {
		if f.from != nil {
			*f.to = *f.from
		}
	}
	if in.SectionID != nil {
		art.SectionID = *in.SectionID
	}
	if in.FeaturedMediaID != nil {
		art.FeaturedID = max(*in.FeaturedMediaID, 0)
	}
	if in.Breaking != nil {
		art.Breaking = *in.Breaking
	}
	if in.Pinned != nil {
		art.Pinned = *in.Pinned
	}
	if in.AuthorIDs != nil {
		art.Authors = make([]news.Author, 0, len(*in.AuthorIDs))
		for _, id := range *in.AuthorIDs {
			art.Authors = append(art.Authors, news.Author{ID: id})
		}
	}
	if in.Tags != nil {
		art.Tags = make([]news.Tag, 0, len(*in.Tags))
		for _, t := range *in.Tags {
			art.Tags = append(art.Tags, news.Tag(t))
		}
	}
	if in.Blocks != nil {
		art.Body = *in.Blocks
	}
}

// statusRefused answers 422 when the write asks for a state other than
// want: states change through the workflow steps.
func (in *articleWrite) statusRefused(w http.ResponseWriter, want news.Status) bool {
	if in.Status == nil || *in.Status == want {
		return false
	}
	var bad badParams
	bad.field("status", "read_only")
	writeProblem(w, problem{Type: ProblemBase + problemValidation, Title: problemTitles[problemValidation], Status: http.StatusUnprocessableEntity,
		Detail: "some fields are not valid; see errors", Errors: bad})
	return true
}

// articlePath is the API's address of an article.
func articlePath(id int64) string { return "/api/v1/articles/" + strconv.FormatInt(id, 10) }

func etagOf(version int64) string { return `"` + strconv.FormatInt(version, 10) + `"` }

// createArticle is POST /api/v1/articles: a new draft by the token's
// user, 201 with the article as a read gives it.
func (a *API) createArticle(w http.ResponseWriter, r *http.Request, u *auth.User, body []byte) {
	var in articleWrite
	if !decode(w, body, &in, false) || in.statusRefused(w, news.StatusDraft) {
		return
	}
	art := &news.Article{Status: news.StatusDraft, CreatedBy: u.ID}
	in.apply(art)
	if err := a.store.CreateArticle(r.Context(), art); err != nil {
		a.failWrite(w, r, fmt.Errorf("API create article: %w", err), nil)
		return
	}
	a.log.InfoContext(r.Context(), "article saved", "user", u.ID, "article", art.ID, "status", art.Status, "via", "api")
	w.Header().Set("Location", a.base+articlePath(art.ID))
	a.answerArticle(w, r, http.StatusCreated, art.ID, true)
}

// answerArticle answers the article id as it now is, with its version as
// ETag: staged shows a published article's staged update (what the
// writer changed), as the newsroom's form does.
func (a *API) answerArticle(w http.ResponseWriter, r *http.Request, status int, id int64, staged bool) {
	read := a.store.GetArticle
	if staged {
		read = a.store.StagedArticle
	}
	art, err := read(r.Context(), id)
	if err != nil {
		a.failProblem(w, r, fmt.Errorf("read article %d after a write: %w", id, err))
		return
	}
	w.Header().Set("ETag", etagOf(art.Version))
	web.JSON(w, status, "no-store", a.articleOut(art))
}

// ifMatch is the version an If-Match header names; false when it has
// answered: 428 without the header, 412 (with the current article) when
// it names no version of ours.
func (a *API) ifMatch(w http.ResponseWriter, r *http.Request, id int64) (int64, bool) {
	h := strings.TrimSpace(r.Header.Get("If-Match"))
	if h == "" {
		problemOf(w, http.StatusPreconditionRequired, problemNoIfMatch, `a write to an article needs If-Match with its ETag (the version a read gave, such as "3")`)
		return 0, false
	}
	// Strong comparison (RFC 9110): a weak tag never matches.
	v, err := strconv.ParseInt(strings.Trim(h, `"`), 10, 64)
	if err != nil || !strings.HasPrefix(h, `"`) || !strings.HasSuffix(h, `"`) || len(h) < 3 {
		a.stale(w, r, a.current(r.Context(), id))
		return 0, false
	}
	return v, true
}

// current reads the article as a stale write's answer carries it.
func (a *API) current(ctx context.Context, id int64) func() (any, error) {
	return func() (any, error) {
		art, err := a.store.StagedArticle(ctx, id)
		if err != nil {
			return nil, err
		}
		return a.articleOut(art), nil
	}
}

// target reads the article of the path for u to change, as the newsroom
// does (a published article with its staged update): 404 for what u may
// not even read, 403 or 409 for what they may read but not change
// (news.Article.EditableBy). False when it has answered.
func (a *API) target(w http.ResponseWriter, r *http.Request, u *auth.User) (*news.Article, bool) {
	id, ok := web.PositiveID(r.PathValue("id"))
	if !ok {
		problemOf(w, http.StatusNotFound, problemNotFound, "no article has this id")
		return nil, false
	}
	art, err := a.store.StagedArticle(r.Context(), id)
	if err != nil {
		a.failProblem(w, r, err)
		return nil, false
	}
	staff := u.Staff()
	if art.ViewableBy(staff) != nil {
		problemOf(w, http.StatusNotFound, problemNotFound, "no article has this id")
		return nil, false
	}
	if err := art.EditableBy(staff); err != nil {
		a.failWrite(w, r, err, nil)
		return nil, false
	}
	return art, true
}

// claim takes art's edit lock for u for the length of a write based on
// version, as the newsroom's save does, so nobody's open editor and this
// write overwrite each other: false when the write is stale (412, before
// any lock is taken) or someone else holds the lock (423, naming the
// holder). The returned leave frees it again: an API client has no page
// that keeps it.
func (a *API) claim(w http.ResponseWriter, r *http.Request, u *auth.User, art *news.Article, version int64) (leave func(), ok bool) {
	if version != art.Version {
		a.stale(w, r, a.current(r.Context(), art.ID))
		return nil, false
	}
	id := art.ID
	ctx := r.Context()
	e, err := a.store.EnterArticle(ctx, id, u.Actor(), store.Claim, news.EditTTL)
	if err != nil {
		a.failProblem(w, r, fmt.Errorf("claim edit lock of article %d: %w", id, err))
		return nil, false
	}
	seen := time.Now()
	for _, ed := range e.Open {
		if ed.UserID == u.ID {
			seen = ed.SeenAt
		}
	}
	leave = func() {
		// The user's own newsroom page, should it signal after this
		// write, keeps its presence and lock (LeaveArticle's seen).
		if err := a.store.LeaveArticle(context.WithoutCancel(ctx), id, u.ID, seen); err != nil {
			a.log.ErrorContext(ctx, "leave article after API write", "article", id, "err", err)
		}
	}
	if e.LockedFor(u.ID) {
		leave()
		w.Header().Set("Retry-After", strconv.Itoa(int(news.EditTTL.Seconds())))
		problemOf(w, http.StatusLocked, problemLocked, e.Lock.Name+" is editing this article in the newsroom now; try again when they are done")
		return nil, false
	}
	return leave, true
}

// patchArticle is PATCH /api/v1/articles/{id}: the fields given replace
// the stored ones, if If-Match still names the stored version. A
// published article keeps its live version and gets the change as its
// staged update (publish puts it online), as in the newsroom.
func (a *API) patchArticle(w http.ResponseWriter, r *http.Request, u *auth.User, body []byte) {
	art, ok := a.target(w, r, u)
	if !ok {
		return
	}
	version, ok := a.ifMatch(w, r, art.ID)
	if !ok {
		return
	}
	var in articleWrite
	if !decode(w, body, &in, false) || in.statusRefused(w, art.Status) {
		return
	}
	leave, ok := a.claim(w, r, u, art, version)
	if !ok {
		return
	}
	defer leave()
	in.apply(art)
	save := a.store.UpdateArticle
	if art.IsPublic() {
		save = a.store.StageUpdate
	}
	if err := save(r.Context(), art); err != nil {
		a.failWrite(w, r, fmt.Errorf("API update article %d: %w", art.ID, err), a.current(r.Context(), art.ID))
		return
	}
	a.log.InfoContext(r.Context(), "article saved", "user", u.ID, "article", art.ID, "status", art.Status, "via", "api")
	a.answerArticle(w, r, http.StatusOK, art.ID, true)
}

// stepBody is a workflow step's options: the time of a planned
// publication, and the alert channels to send when the article is
// published (as the newsroom's "alert when published" boxes).
type stepBody struct {
	At    *time.Time `json:"at"`
	Alert *[]string  `json:"alert"`
}

// stepActions are the workflow steps the API takes, by their path.
var stepActions = map[string]news.Action{"submit": news.ActionSubmit, "publish": news.ActionPublish,
	"schedule": news.ActionSchedule, "unpublish": news.ActionUnpublish}

// takeStep is POST /api/v1/articles/{id}/{step} for the steps of
// stepActions, with If-Match: who may take which step is the newsroom's
// rule (news.Staff.MayTake on an article news.Article.EditableBy), what
// the state allows news.Article.Next, both through store.Transition.
// Publishing a published article with a staged update puts the update
// online, as the newsroom's publish button does.
func (a *API) takeStep(step string) writeFunc {
	return func(w http.ResponseWriter, r *http.Request, u *auth.User, body []byte) {
		act := stepActions[step]
		art, ok := a.target(w, r, u)
		if !ok {
			return
		}
		if err := u.Staff().MayTake(act); err != nil {
			problemOf(w, http.StatusForbidden, problemForbidden, "the token's user ("+string(u.Role)+") may not "+step+": "+step+" is the desk's step")
			return
		}
		version, ok := a.ifMatch(w, r, art.ID)
		if !ok {
			return
		}
		var in stepBody
		if !decode(w, body, &in, true) {
			return
		}
		var bad badParams
		if in.At != nil && act != news.ActionSchedule {
			bad.add("at", "unknown_field")
		}
		if in.Alert != nil && act != news.ActionPublish && act != news.ActionSchedule {
			bad.add("alert", "unknown_field")
		}
		if bad.answerAs(w, problemBody) {
			return
		}
		if in.Alert != nil {
			for _, ch := range *in.Alert {
				if a.fanout == nil || !slices.Contains(a.fanout.Channels(), ch) {
					bad.field("alert", "bad_channel")
					break
				}
			}
		}
		if bad.answerAs(w, problemValidation) {
			return
		}
		leave, ok := a.claim(w, r, u, art, version)
		if !ok {
			return
		}
		defer leave()
		c := news.Change{Action: act}
		if in.At != nil {
			c.At = *in.At
		}
		if act == news.ActionPublish && art.Status == news.StatusPublished && art.HasStaged {
			c.Action = news.ActionPublishUpdate
		}
		ctx := r.Context()
		done, err := a.store.Transition(ctx, art.ID, version, c)
		if err != nil {
			a.failWrite(w, r, err, a.current(ctx, art.ID))
			return
		}
		a.log.InfoContext(ctx, "article workflow", "user", u.ID, "article", done.ID, "step", c.Action, "status", done.Status, "via", "api")
		if in.Alert != nil && a.fanout != nil {
			if _, err := a.fanout.AskOnPublish(ctx, done, *in.Alert, u.Actor()); err != nil {
				// The step is taken; the alert can still be sent from
				// the newsroom's composer.
				a.log.ErrorContext(ctx, "alert on publication", "article", done.ID, "err", err)
			}
		}
		a.answerArticle(w, r, http.StatusOK, done.ID, true)
	}
}

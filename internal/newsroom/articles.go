package newsroom

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"khabar/internal/auth"
	"khabar/internal/locale"
	"khabar/internal/news"
	"khabar/internal/store"
	"khabar/internal/web"
)

// monthNames lists the month-name styles for a form's select.
func monthNames() []string {
	var out []string
	for _, m := range locale.MonthStyles() {
		out = append(out, string(m))
	}
	return out
}

// editPage is the article form's data.
type editPage struct {
	A          *news.Article
	New        bool
	Sections   []news.Section
	Authors    []news.Author
	Media      []news.Media
	TagText    string
	Selected   map[int64]bool // author ids
	BlockTypes []news.BlockType
	CanPublish bool
	// CanSubmit: the form may be sent to the editors.
	CanSubmit bool
	// Steps are the workflow steps the user may take from here.
	Steps []news.Action
	// Failed is the step refused with Errors; Refused says why when the
	// article's state (or someone else's save) was the reason.
	Failed  news.Action
	Refused string
	// Theirs is what others saved since the version a refused save
	// started from.
	Theirs *articleChanges
	// Schedule is the side panel's publication time, nil when the user
	// may not schedule the article; Expire is the withdrawal step's time.
	Schedule *when
	Expire   when
	// Primary is the step the form's main button takes (news.Primary),
	// "" for none; PrimaryValue is the form's action for it.
	Primary      news.Action
	PrimaryValue string
	// AlertChannels are offered for an alert when the article is first
	// published; AlertOn are those already asked for.
	AlertChannels, AlertOn []string
	// Editing says who else is in the article; nil for a new one.
	Editing *editingView
	// Canonical is the article's address on the site (CanonicalText as
	// people read it, unescaped); empty until it is saved.
	Canonical, CanonicalText string
	// Restored: the form holds work the browser kept when it could not
	// save it, not yet stored.
	Restored bool
	// CanDelete: the user may delete the article (see news.Deletable).
	CanDelete bool
	// DraftKey identifies a new article's page (news.Article.DraftKey).
	DraftKey string
	// Wire is the agency's unseen notice about the wire the article was
	// made from: a later version, or a kill; nil when none.
	Wire *store.WireNotice
	// Embargo is the agency's embargo on the article's wire while it
	// lasts: no publication before it.
	Embargo time.Time
	// Corrections are a published article's corrections and notes, which
	// CanCorrect may add to and delete; Correction is a refused one and
	// CorrectionErrors why (apart from Errors, which are the article
	// form's).
	Corrections      []news.Correction
	CorrectionKinds  []news.CorrectionKind
	CanCorrect       bool
	Correction       news.Correction
	CorrectionErrors map[string]string
}

// Blocks is the block editor's part of the form.
func (p *editPage) Blocks(errs map[string]string) blockEditor {
	return blockEditor{Body: p.A.Body, BlockTypes: p.BlockTypes, Media: p.Media, Errors: errs}
}

// Library is the media library as the writing surface's image picker
// offers it, with each image's alt text to start the block's from.
func (p *editPage) Library() []libraryItem {
	out := make([]libraryItem, len(p.Media))
	for i, m := range p.Media {
		out[i] = libraryItem{Media: m, Thumb: thumb(m)}
	}
	return out
}

// EmbedHosts are the hosts whose addresses, pasted alone, the writing
// surface makes embed blocks of.
func (p *editPage) EmbedHosts() string { return strings.Join(news.EmbedHosts(), " ") }

// blockEditor is what the block editor shows (partials/blocks.html): the
// blocks, the types it offers and the library's images for image blocks;
// articles and the outlet's pages share it.
type blockEditor struct {
	Body       []news.Block
	BlockTypes []news.BlockType
	Media      []news.Media
	Errors     map[string]string
}

func (n *Newsroom) newArticle(w http.ResponseWriter, r *http.Request) {
	a := &news.Article{Status: news.StatusDraft, Body: []news.Block{{Type: news.BlockParagraph}}}
	n.renderEdit(w, r, http.StatusOK, a, true, nil)
}

func (n *Newsroom) editArticle(w http.ResponseWriter, r *http.Request) {
	a, ok := n.loadArticle(w, r)
	if !ok {
		return
	}
	n.renderEdit(w, r, http.StatusOK, a, false, nil)
}

// loadArticle reads the article of the request as the newsroom edits it:
// a published article with a staged update shows the update.
func (n *Newsroom) loadArticle(w http.ResponseWriter, r *http.Request) (*news.Article, bool) {
	id, ok := parseID(r)
	if !ok {
		n.Error(w, r, http.StatusNotFound)
		return nil, false
	}
	a, err := n.store.StagedArticle(r.Context(), id)
	if err != nil {
		n.fail(w, r, fmt.Errorf("get article: %w", err))
		return nil, false
	}
	return a, true
}

func (n *Newsroom) renderEdit(w http.ResponseWriter, r *http.Request, status int, a *news.Article, isNew bool, errs map[string]string) {
	n.renderForm(w, r, status, &editPage{A: a, New: isNew}, errs)
}

// renderForm renders the article form for p's article, filling the rest
// of p.
func (n *Newsroom) renderForm(w http.ResponseWriter, r *http.Request, status int, p *editPage, errs map[string]string) {
	ctx := r.Context()
	a, isNew := p.A, p.New
	secs, err := n.store.ListSections(ctx)
	if err != nil {
		n.fail(w, r, fmt.Errorf("list sections: %w", err))
		return
	}
	authors, err := n.store.ListAuthors(ctx)
	if err != nil {
		n.fail(w, r, fmt.Errorf("list authors: %w", err))
		return
	}
	media, err := n.store.ListMedia(ctx, 200, 0)
	if err != nil {
		n.fail(w, r, fmt.Errorf("list media: %w", err))
		return
	}
	u := userFrom(ctx)
	p.Sections, p.Authors, p.Media, p.Selected = news.Assignable(secs, a.SectionID), authors, media, map[int64]bool{}
	p.BlockTypes, p.CanPublish, p.CanSubmit = news.BlockTypes, u.Can(auth.PermPublish), a.Status == news.StatusDraft && a.EditableBy(u.Staff()) == nil
	p.CanDelete = !isNew && a.DeletableBy(u.Staff()) == nil
	if isNew {
		// A form shown again after a refusal keeps its page's key.
		if p.DraftKey = draftKey(r.PostForm.Get("draft_key")); p.DraftKey == "" {
			key := make([]byte, 16)
			rand.Read(key) // never fails (crypto/rand)
			p.DraftKey = hex.EncodeToString(key)
		}
	}
	n.fillWorkflow(p, u, errs)
	// Shown again after a refusal: the times as they were typed.
	p.Expire.keepTyped(r.PostForm)
	if p.Schedule != nil {
		p.Schedule.keepTyped(r.PostForm)
	}
	if !isNew && a.Slug != "" {
		p.Canonical = n.articleURL(a)
		if p.CanonicalText, err = url.PathUnescape(p.Canonical); err != nil {
			p.CanonicalText = p.Canonical
		}
	}
	if !isNew {
		if p.Wire, err = n.store.ArticleWireNotice(ctx, a.ID); err != nil {
			n.fail(w, r, err)
			return
		}
		embargo, err := n.store.ArticleEmbargo(ctx, a.ID)
		if err != nil {
			n.fail(w, r, err)
			return
		}
		if embargo.After(time.Now()) {
			p.Embargo = embargo
		}
		if p.Schedule != nil && p.Schedule.Year == 0 && !p.Embargo.IsZero() {
			// The schedule field offers the embargo's end.
			*p.Schedule = newWhen(p.Schedule.Name, p.Schedule.Label, p.Embargo, n.settings.Get().DateFormat(), time.Now())
		}
		if p.Editing, err = n.enterArticle(r, u, a, store.Watch); err != nil {
			n.fail(w, r, fmt.Errorf("enter article: %w", err))
			return
		}
	}
	if !isNew && a.IsPublic() {
		if p.Corrections, err = n.store.ArticleCorrections(ctx, a.ID); err != nil {
			n.fail(w, r, fmt.Errorf("list corrections: %w", err))
			return
		}
		p.CorrectionKinds, p.CanCorrect = news.CorrectionKinds, u.Can(auth.PermCorrect)
	}
	if errs["version"] == "err_conflict" && !isNew {
		p.Theirs = n.theirChanges(ctx, a)
	}
	if n.fanout != nil && p.CanPublish && !a.IsPublic() {
		p.AlertChannels = n.fanout.Channels()
		if a.ID != 0 {
			if p.AlertOn, err = n.store.PublishAlertChannels(ctx, a.ID); err != nil {
				n.log.ErrorContext(r.Context(), "read publish alert", "err", err)
			}
		}
	}
	names := make([]string, len(a.Tags))
	for i, t := range a.Tags {
		names[i] = t.Name
	}
	p.TagText = strings.Join(names, "، ")
	for _, au := range a.Authors {
		p.Selected[au.ID] = true
	}
	title := n.cat.T("admin_new_article")
	if !isNew {
		title = a.Headline
	}
	n.render(w, status, "edit", &data{User: u, Title: title, Page: p, Errors: errs, Flash: stepFlash(r)})
}

// fillWorkflow adds the workflow's part of the form: the steps the user
// may take, the planned times in the outlet's zone, and why a step was
// refused (errs["step"] holds the refused step, errs["refused"] a
// message made by refuse).
func (n *Newsroom) fillWorkflow(p *editPage, u *auth.User, errs map[string]string) {
	f, now := n.settings.Get().DateFormat(), time.Now()
	p.Expire = newWhen("at", "field_unpublish_at", p.A.UnpublishAt, f, now)
	p.Expire.Required = true
	p.Primary = p.A.Primary(u.Staff())
	p.PrimaryValue = primaryValues[p.Primary]
	if _, err := p.A.Next(news.ActionSchedule); err == nil && u.Staff().MayTake(news.ActionSchedule) == nil {
		s := newWhen("publish_at", "field_publish_at", p.A.PublishAt, f, now)
		p.Schedule = &s
	}
	if !p.New && u.Can(auth.PermPublish) {
		for _, act := range news.Actions {
			// Submitting is the form's; scheduling is the side panel's.
			if _, err := p.A.Next(act); err == nil && act != news.ActionSubmit && act != news.ActionSchedule {
				p.Steps = append(p.Steps, act)
			}
		}
	}
	p.Failed, p.Refused = news.Action(errs["step"]), errs["refused"]
	delete(errs, "step")
	delete(errs, "refused")
}

// primaryValues are the article form's actions for its main steps.
var primaryValues = map[news.Action]string{
	news.ActionSubmit:        "submit",
	news.ActionPublish:       "publish",
	news.ActionPublishUpdate: "publish",
	news.ActionSchedule:      "schedule",
}

// timeInput is the value format of <input type="datetime-local">.
const timeInput = "2006-01-02T15:04"

// parseTime reads a datetime-local value in loc; browsers send seconds
// when the input allows them.
func parseTime(v string, loc *time.Location) (time.Time, bool) {
	for _, layout := range []string{timeInput, timeInput + ":05"} {
		if t, err := time.ParseInLocation(layout, v, loc); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

// stepFlash is the flash message after a workflow step, or any other.
func stepFlash(r *http.Request) string {
	done := r.URL.Query().Get("done")
	if step, ok := strings.CutPrefix(done, "step_"); ok && news.Action(step).Valid() || done == "staged" {
		return "flash_" + done
	}
	return flash(r)
}

// refuse answers a save or a step that the store refused: the form again
// with why (409 for a stale version or a step the state forbids, 422 for
// bad fields), 404, or 500. step names the refused step, if any.
func (n *Newsroom) refuse(w http.ResponseWriter, r *http.Request, a *news.Article, isNew bool, step news.Action, err error) {
	errs := map[string]string{"step": string(step)}
	status := http.StatusUnprocessableEntity
	var te *news.TransitionError
	switch {
	case errors.Is(err, news.ErrConflict):
		status, errs["version"] = http.StatusConflict, "err_conflict"
	case errors.As(err, &te):
		status = http.StatusConflict
		errs["refused"] = n.cat.T("err_transition", n.cat.T("step_"+string(te.Action)), n.cat.T("status_"+string(te.From)))
	case !fieldErrors(err, errs):
		n.fail(w, r, fmt.Errorf("save article: %w", err))
		return
	}
	n.renderEdit(w, r, status, a, isNew, errs)
}

// postedForm is the article form as posted, read onto the article it
// edits: a new draft, or the stored article (its staged update, if any).
type postedForm struct {
	A              *news.Article
	New, WasPublic bool
	Action         string
	// Errs are the form's problems, catalogue keys by field; "lock" when
	// someone else holds the article's edit lock.
	Errs map[string]string
	// Seen is when the server heard from the poster (see claim).
	Seen int64
	// DraftKey is the new-article page's key (see news.Article.DraftKey).
	DraftKey string
	// Form is the posted form, read again onto the stored draft when a new
	// article's first save comes twice (see madeByPage).
	Form url.Values
}

// postedArticle reads the article form of r for a user who may change the
// article; false when it has answered the request already.
func (n *Newsroom) postedArticle(w http.ResponseWriter, r *http.Request) (*postedForm, bool) {
	u := userFrom(r.Context())
	if !n.parseForm(w, r) {
		return nil, false
	}
	p := &postedForm{A: &news.Article{Status: news.StatusDraft}, New: r.PathValue("id") == "", Errs: map[string]string{}}
	if !p.New {
		stored, ok := n.loadArticle(w, r)
		if !ok {
			return nil, false
		}
		if err := stored.EditableBy(u.Staff()); err != nil {
			n.fail(w, r, err)
			return nil, false
		}
		p.A = stored
	}
	p.WasPublic = p.A.IsPublic()
	// A form without its block count or (for a stored article) its version
	// was not made by our editor; saving it would wipe the body or skip the
	// conflict check.
	count, err := strconv.Atoi(r.PostForm.Get("blocks"))
	badCount := (r.PostForm.Has("blocks") || !p.New) && (err != nil || count < 0)
	if badCount || (!p.New && !r.PostForm.Has("version")) {
		n.Error(w, r, http.StatusBadRequest)
		return nil, false
	}
	readForm(r.PostForm, p.A, p.Errs)
	p.Action, p.Form = r.PostForm.Get("action"), r.PostForm
	if p.New {
		p.DraftKey = draftKey(r.PostForm.Get("draft_key"))
	} else {
		locked, seen, err := n.claim(r.Context(), u, p.A.ID)
		if err != nil {
			n.fail(w, r, fmt.Errorf("read edit lock: %w", err))
			return nil, false
		}
		if locked {
			p.Errs["lock"] = "err_locked"
		}
		p.Seen = seen
	}
	return p, true
}

// persist saves the posted article: a new draft, a staged update of a
// live article (readers keep the live version until it is published), or
// the article itself. done names the outcome for the flash message.
func (n *Newsroom) persist(ctx context.Context, u *auth.User, p *postedForm) (done string, err error) {
	if p.New {
		p.A.CreatedBy, p.A.DraftKey = u.ID, p.DraftKey
		err := n.store.CreateArticle(ctx, p.A)
		if !errors.Is(err, news.ErrDuplicate) || p.DraftKey == "" {
			return "saved", err
		}
		// The page's first save came again (a double click, or a retry
		// after a lost answer): it saves the draft the first one made.
		if err := n.madeByPage(ctx, u, p); err != nil {
			return "", err
		}
	}
	if p.WasPublic {
		return "staged", n.store.StageUpdate(ctx, p.A)
	}
	return "saved", n.store.UpdateArticle(ctx, p.A)
}

// madeByPage turns p, a new article's first save, into a save of the
// article its page already made (news.Article.DraftKey); someone else's
// key, or an article its writer may no longer change, is a conflict.
func (n *Newsroom) madeByPage(ctx context.Context, u *auth.User, p *postedForm) error {
	id, by, err := n.store.DraftByKey(ctx, p.DraftKey)
	if err != nil {
		return err
	}
	stored, err := n.store.StagedArticle(ctx, id)
	if err != nil {
		return err
	}
	if by != u.ID || stored.EditableBy(u.Staff()) != nil {
		return news.ErrConflict
	}
	// The form goes onto the stored draft, which keeps its version, state
	// and the rest the form does not carry; in place, as the caller holds
	// p.A.
	version := stored.Version
	readForm(p.Form, stored, p.Errs)
	stored.Version = version
	*p.A = *stored
	p.New, p.WasPublic = false, stored.IsPublic()
	return nil
}

// draftKey is a new-article page's key as posted, or "" when it is not
// one of ours (32 hexadecimal digits).
func draftKey(v string) string {
	if len(v) != 32 || strings.Trim(v, "0123456789abcdef") != "" {
		return ""
	}
	return v
}

// saveArticle handles the article form: save, add a block, or save and
// publish. Writers may only touch articles that are not live.
func (n *Newsroom) saveArticle(w http.ResponseWriter, r *http.Request) {
	p, ok := n.postedArticle(w, r)
	if !ok {
		return
	}
	u := userFrom(r.Context())
	a, errs := p.A, p.Errs
	if p.Action == "restore" {
		// The browser's copy of work it could not save, shown for review;
		// the page saves it like any change.
		n.renderForm(w, r, http.StatusOK, &editPage{A: a, New: p.New, Restored: true}, errs)
		return
	}
	if p.Action == "add_block" {
		t := news.BlockType(r.PostForm.Get("add_type"))
		if !validType(t) {
			errs["add_type"] = "err_block_type"
		} else {
			a.Body = append(a.Body, news.Block{Type: t, Level: 2})
		}
		n.renderEdit(w, r, http.StatusOK, a, p.New, errs)
		return
	}
	if p.Action == "publish" {
		if err := u.Staff().MayTake(news.ActionPublish); err != nil {
			n.fail(w, r, err)
			return
		}
		a.Status = news.StatusPublished
	}
	var planned time.Time
	if p.Action == "schedule" {
		if err := u.Staff().MayTake(news.ActionSchedule); err != nil {
			n.fail(w, r, err)
			return
		}
		if t, st := readWhen(r.PostForm, "publish_at", n.zone()); st == whenValid {
			planned = t
		} else {
			errs["publish_at"] = "err_bad_time"
		}
	}
	if errs["lock"] != "" {
		// The holder's work wins; this page keeps what was typed.
		n.renderEdit(w, r, http.StatusConflict, a, p.New, errs)
		return
	}
	if len(errs) > 0 {
		n.renderEdit(w, r, http.StatusUnprocessableEntity, a, p.New, errs)
		return
	}
	ctx := r.Context()
	done, err := n.persist(ctx, u, p)
	if err != nil {
		n.refuse(w, r, a, p.New, "", err)
		return
	}
	n.log.InfoContext(r.Context(), "article saved", "user", u.ID, "article", a.ID, "status", a.Status)
	if n.fanout != nil && u.Can(auth.PermPublish) && n.alertAsked(r, p) {
		n.askPublishAlert(r, a)
	}
	var step news.Action
	switch {
	case p.Action == "submit":
		step = news.ActionSubmit
	case p.Action == "publish" && p.WasPublic:
		step = news.ActionPublishUpdate
	case p.Action == "publish":
		done = "published"
	case p.Action == "schedule":
		step = news.ActionSchedule
	}
	if step != "" {
		if _, err := n.store.Transition(ctx, a.ID, a.Version, news.Change{Action: step, At: planned}); err != nil {
			n.refuse(w, r, a, false, step, err)
			return
		}
		done = "step_" + string(step)
		n.handOver(r, u, a.ID, step)
	}
	http.Redirect(w, r, "/admin/articles/"+strconv.FormatInt(a.ID, 10)+"?done="+done, http.StatusSeeOther)
}

func validType(t news.BlockType) bool {
	for _, bt := range news.BlockTypes {
		if bt == t {
			return true
		}
	}
	return false
}

// readForm copies the submitted fields onto a. Problems that only the
// form can have (a non-numeric id) are recorded in errs; the rest is left
// to news.Article.Validate.
func readForm(f url.Values, a *news.Article, errs map[string]string) {
	a.Headline = f.Get("headline")
	a.Kicker = f.Get("kicker")
	a.Lead = f.Get("lead")
	a.Slug = f.Get("slug")
	a.Source = f.Get("source")
	a.SEOTitle = f.Get("seo_title")
	a.SEODescription = f.Get("seo_description")
	a.Breaking = f.Get("breaking") == "on"
	a.Pinned = f.Get("pinned") == "on"
	a.CommentsMode = news.CommentsMode(f.Get("comments_mode"))
	if v, ok := f["version"]; ok {
		ver, err := strconv.ParseInt(v[0], 10, 64)
		if err != nil {
			errs["version"] = "err_unknown"
		}
		a.Version = ver
	}
	a.SectionID = formID(f.Get("section"), "section", errs)
	a.FeaturedID = formID(f.Get("featured"), "featured", errs)
	a.Authors = nil
	for _, v := range f["authors"] {
		if id := formID(v, "authors", errs); id > 0 {
			a.Authors = append(a.Authors, news.Author{ID: id})
		}
	}
	a.Tags = nil
	for _, name := range strings.FieldsFunc(f.Get("tags"), func(r rune) bool { return r == ',' || r == '،' || r == '\n' }) {
		if name = strings.TrimSpace(name); name != "" {
			a.Tags = append(a.Tags, news.Tag{Name: name})
		}
	}
	a.Body = readBlocks(f, errs)
}

func formID(v, field string, errs map[string]string) int64 {
	if v == "" || v == "0" {
		return 0
	}
	id, ok := web.PositiveID(v)
	if !ok {
		errs[field] = "err_unknown"
	}
	return id
}

// readBlocks reads b0_type … bN_type and their fields, drops blocks marked
// for deletion and orders the rest by their position field.
func readBlocks(f url.Values, errs map[string]string) []news.Block {
	count, err := strconv.Atoi(f.Get("blocks"))
	if err != nil || count < 0 {
		count = 0
	}
	if count > news.MaxBlocks {
		errs["body"] = "err_too_many_blocks"
		count = news.MaxBlocks
	}
	type positioned struct {
		pos float64
		b   news.Block
	}
	var list []positioned
	for i := 0; i < count; i++ {
		p := "b" + strconv.Itoa(i) + "_"
		t := news.BlockType(f.Get(p + "type"))
		if t == "" || f.Get(p+"delete") == "on" {
			continue
		}
		b := news.Block{Type: t, Text: f.Get(p + "text"), Cite: f.Get(p + "cite"), Caption: f.Get(p + "caption"),
			Credit: f.Get(p + "credit"), Alt: f.Get(p + "alt"), URL: f.Get(p + "url"), Title: f.Get(p + "title"),
			Ordered: f.Get(p+"ordered") == "on"}
		b.Level, _ = strconv.Atoi(f.Get(p + "level"))
		b.MediaID = formID(f.Get(p+"media"), "body", errs)
		b.ArticleID = formID(f.Get(p+"article"), "body", errs)
		if items := f.Get(p + "items"); items != "" {
			for _, it := range strings.Split(items, "\n") {
				if it = strings.TrimSpace(it); it != "" {
					b.Items = append(b.Items, it)
				}
			}
		}
		// A new, untouched paragraph is not an error, just nothing.
		if t == news.BlockParagraph && strings.TrimSpace(b.Text) == "" {
			continue
		}
		pos, err := strconv.ParseFloat(f.Get(p+"pos"), 64)
		if err != nil {
			pos = float64(i + 1)
		}
		list = append(list, positioned{pos: pos, b: b})
	}
	sort.SliceStable(list, func(i, j int) bool { return list[i].pos < list[j].pos })
	out := make([]news.Block, len(list))
	for i, p := range list {
		out[i] = p.b
	}
	return out
}

func (n *Newsroom) previewArticle(w http.ResponseWriter, r *http.Request) {
	a, ok := n.loadArticle(w, r)
	if !ok {
		return
	}
	body, err := n.preview.RenderPreview(r.Context(), a)
	if err != nil {
		n.fail(w, r, fmt.Errorf("preview: %w", err))
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Write(body)
}

// setStatus takes a workflow step (action=…, with at= for a planned one
// and note= for a request for changes) from the list or the form; the
// older status=published|unpublished still means publish or unpublish.
func (n *Newsroom) setStatus(w http.ResponseWriter, r *http.Request) {
	id, ok := n.postedID(w, r)
	if !ok {
		return
	}
	f := r.PostForm
	version, err := strconv.ParseInt(f.Get("version"), 10, 64)
	if err != nil {
		n.Error(w, r, http.StatusBadRequest)
		return
	}
	c := news.Change{Action: news.Action(f.Get("action")), Note: f.Get("note")}
	done := "step_" + string(c.Action)
	switch st := f.Get("status"); {
	case st == "published":
		c.Action, done = news.ActionPublish, "published"
	case st == "unpublished":
		c.Action, done = news.ActionUnpublish, "unpublished"
	case f.Has("status"):
		c.Action = ""
	}
	if !c.Action.Valid() {
		n.Error(w, r, http.StatusBadRequest)
		return
	}
	if err := userFrom(r.Context()).Staff().MayTake(c.Action); err != nil {
		n.fail(w, r, err)
		return
	}
	var at whenState
	if c.At, at = readWhen(f, "at", n.zone()); at == whenInvalid {
		a, found := n.loadArticle(w, r)
		if found {
			n.renderEdit(w, r, http.StatusUnprocessableEntity, a, false, map[string]string{"step": string(c.Action), "at": "err_bad_time"})
		}
		return
	}
	a, err := n.store.Transition(r.Context(), id, version, c)
	if err != nil {
		cur, found := n.loadArticle(w, r)
		if found {
			n.refuse(w, r, cur, false, c.Action, err)
		}
		return
	}
	n.log.InfoContext(r.Context(), "article workflow", "user", userFrom(r.Context()).ID, "article", a.ID, "step", c.Action, "status", a.Status)
	n.handOver(r, userFrom(r.Context()), a.ID, c.Action)
	http.Redirect(w, r, "/admin/articles/"+strconv.FormatInt(a.ID, 10)+"?done="+done, http.StatusSeeOther)
}

// deskGroup is one list of the desk: articles (or, for the day's alerts,
// alerts) and how many there are in all.
type deskGroup struct {
	Key      string // catalogue key of its title, and its element id
	Total    int
	Articles []news.Article
	Alerts   []news.Alert
	// When is what the list shows of each article: "planned" times,
	// "published" or "edited".
	When string
}

// deskHalf is one half of the desk: what needs the user now, or what is
// live.
type deskHalf struct {
	Key    string // catalogue key of its title, and the view that shows it alone
	Groups []deskGroup
}

// Total counts the half's items, for its heading.
func (h deskHalf) Total() int {
	n := 0
	for _, g := range h.Groups {
		n += g.Total
	}
	return n
}

// deskPage is the dashboard with the desk above the article list.
type deskPage struct {
	*dashboardPage
	Desk []deskHalf
	// View is the half the desk shows alone ("need", "live"), "" for both.
	View string
	// Locks name who is editing which article now.
	Locks map[int64]*news.Editor
	// Now is the readership now, on an editor's desk.
	Now *statsNow
}

// deskViews are the desk's filters: both halves, or one.
var deskViews = []string{"", "need", "live"}

const deskSize = 8

// fillDesk reads u's desk: what needs them now (their drafts, the
// changes asked of them, what awaits an editor's review, what is planned
// for the next 24 hours, the articles whose lock they hold) and
// what is live (latest published, breaking, live blogs, the day's alerts).
// The day starts at midnight in the outlet's zone.
func (n *Newsroom) fillDesk(ctx context.Context, u *auth.User, view string, now time.Time) ([]deskHalf, error) {
	loc := n.zone()
	y, m, d := now.In(loc).Date()
	dayStart := time.Date(y, m, d, 0, 0, 0, 0, loc)
	type list struct {
		g deskGroup
		f store.AdminFilter
	}
	need := []list{
		{deskGroup{Key: "desk_changes", When: "edited"}, store.AdminFilter{Status: news.StatusDraft, CreatedBy: u.ID, Note: store.WithNote, Order: store.ByEdited}},
		{deskGroup{Key: "desk_my_drafts", When: "edited"}, store.AdminFilter{Status: news.StatusDraft, CreatedBy: u.ID, Note: store.WithoutNote, Order: store.ByEdited}},
		{deskGroup{Key: "desk_locks", When: "edited"}, store.AdminFilter{LockedBy: u.ID, LockTTL: news.EditTTL, Order: store.ByEdited}},
	}
	if u.Can(auth.PermPublish) {
		need = append(need,
			list{deskGroup{Key: "desk_review", When: "edited"}, store.AdminFilter{Status: news.StatusReview, Order: store.ByEdited}},
			// The next 24 hours rather than the calendar day: late in the
			// evening, what goes out after midnight needs the desk too.
			list{deskGroup{Key: "desk_today", When: "planned"}, store.AdminFilter{Status: news.StatusScheduled, PublishFrom: dayStart, PublishTo: now.Add(24 * time.Hour)}})
	}
	// What is live: breaking news and stories of the last day (counting
	// the whole archive on every load of the desk told nobody anything),
	// and every live blog still running.
	day := now.Add(-24 * time.Hour)
	live := []list{
		{deskGroup{Key: "desk_breaking", When: "published"}, store.AdminFilter{Status: news.StatusPublished, Breaking: true, PublishedSince: day, Order: store.ByPublished}},
		{deskGroup{Key: "desk_live_blogs", When: "published"}, store.AdminFilter{Status: news.StatusPublished, Live: true, Order: store.ByPublished}},
		{deskGroup{Key: "desk_recent", When: "published"}, store.AdminFilter{Status: news.StatusPublished, PublishedSince: day, Order: store.ByPublished}},
	}
	read := func(lists []list) ([]deskGroup, error) {
		out := make([]deskGroup, len(lists))
		for i, l := range lists {
			l.f.Limit = deskSize
			var err error
			if l.g.Articles, err = n.store.ListArticles(ctx, l.f); err != nil {
				return nil, err
			}
			if l.g.Total = len(l.g.Articles); l.g.Total == deskSize {
				if l.g.Total, err = n.store.CountListed(ctx, l.f); err != nil {
					return nil, err
				}
			}
			out[i] = l.g
		}
		return out, nil
	}
	var halves []deskHalf
	if view != "live" {
		groups, err := read(need)
		if err != nil {
			return nil, err
		}
		halves = append(halves, deskHalf{Key: "desk_need", Groups: groups})
	}
	if view != "need" {
		groups, err := read(live)
		if err != nil {
			return nil, err
		}
		if n.fanout != nil && u.Can(auth.PermPublish) {
			alerts := deskGroup{Key: "desk_alerts_today"}
			if alerts.Alerts, alerts.Total, err = n.store.AlertsSince(ctx, dayStart, deskSize); err != nil {
				return nil, err
			}
			groups = append(groups, alerts)
		}
		halves = append(halves, deskHalf{Key: "desk_live", Groups: groups})
	}
	return halves, nil
}

// alertAsked tells whether the form's "alert when published" choice
// counts: always on an article not yet public; on a public one only
// while no alert was made for it. The form offers the choice before the
// first publication only, so a public article's save carries it when the
// publishing save comes again after its answer was lost (a crash between
// the article's commit and its alert request loses the alert otherwise),
// and an article is alerted on publication once.
func (n *Newsroom) alertAsked(r *http.Request, p *postedForm) bool {
	if !p.WasPublic {
		return true
	}
	if len(r.PostForm["publish_alert"]) == 0 {
		return false
	}
	alerted, err := n.store.ArticleAlerted(r.Context(), p.A.ID)
	if err != nil {
		n.log.ErrorContext(r.Context(), "alert on publication", "article", p.A.ID, "err", err)
		return false
	}
	return !alerted
}

// askPublishAlert keeps the form's "alert when published" channels for
// the article (alert.Fanout.AskOnPublish, which the API shares).
func (n *Newsroom) askPublishAlert(r *http.Request, a *news.Article) {
	ctx := r.Context()
	_, err := n.fanout.AskOnPublish(ctx, a, r.PostForm["publish_alert"], userFrom(ctx).Actor())
	if err != nil {
		n.log.ErrorContext(r.Context(), "alert on publication", "article", a.ID, "err", err)
	}
}

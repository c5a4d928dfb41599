package newsroom

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net/http"
	"reflect"
	"slices"
	"strconv"
	"strings"

	"khabar/internal/news"
	"khabar/internal/store"
	"khabar/internal/textdiff"
	"khabar/internal/web"
)

// revisionsShown bounds the history page: the newest saves are the ones
// worth comparing; older ones stay stored.
const revisionsShown = 100

// revisionRow is one line of the history: the revision and what it
// changed from the one before (catalogue keys).
type revisionRow struct {
	*store.Revision
	Changed []string
}

type revisionsPage struct {
	A    *news.Article
	Rows []revisionRow
	// CanRestore: the user may save the article, so restore a revision.
	CanRestore bool
}

// fieldDiff is one field of a comparison: its label, and the word diff.
type fieldDiff struct {
	Label string
	Ops   []textdiff.Op
}

// diffMark is an op of a diff as the page marks it; Gap: a space goes
// before it, between a deletion and the insertion replacing it, which
// would otherwise read as one word («خمسينستين»).
type diffMark struct {
	textdiff.Op
	Gap bool
}

// Marks are the field's ops for the page.
func (d fieldDiff) Marks() []diffMark {
	out := make([]diffMark, len(d.Ops))
	for i, op := range d.Ops {
		out[i].Op = op
		if i > 0 && op.Kind == textdiff.Insert && d.Ops[i-1].Kind == textdiff.Delete {
			prev := d.Ops[i-1].Text
			out[i].Gap = !strings.HasSuffix(prev, " ") && !strings.HasPrefix(op.Text, " ")
		}
	}
	return out
}

// articleChanges is a comparison of two versions of an article, in the
// article's language and direction; only changed fields are listed.
type articleChanges struct {
	Lang, Dir string
	Fields    []fieldDiff
}

type revisionDiffPage struct {
	A        *news.Article
	From, To *store.Revision
	Diff     articleChanges
}

// historyArticle reads the article of the request for its history: those
// who may not change it at all (another writer's article) are refused.
func (n *Newsroom) historyArticle(w http.ResponseWriter, r *http.Request) (*news.Article, bool) {
	a, ok := n.loadArticle(w, r)
	if !ok {
		return nil, false
	}
	// A writer's own submitted article stays readable, not changeable.
	if err := a.EditableBy(userFrom(r.Context()).Staff()); errors.Is(err, news.ErrForbidden) {
		n.fail(w, r, err)
		return nil, false
	}
	return a, true
}

// revisions is GET /admin/articles/{id}/revisions: who saved what, when.
func (n *Newsroom) revisions(w http.ResponseWriter, r *http.Request) {
	a, ok := n.historyArticle(w, r)
	if !ok {
		return
	}
	// One more than shown, to tell what the oldest shown changed.
	list, err := n.store.Revisions(r.Context(), a.ID, revisionsShown+1)
	if err != nil {
		n.fail(w, r, fmt.Errorf("list revisions: %w", err))
		return
	}
	u := userFrom(r.Context())
	p := &revisionsPage{A: a, CanRestore: a.EditableBy(u.Staff()) == nil}
	for i, rev := range list[:min(len(list), revisionsShown)] {
		row := revisionRow{Revision: rev, Changed: []string{"revision_created"}}
		if i+1 < len(list) {
			row.Changed = revisionChanges(list[i+1], rev)
		}
		p.Rows = append(p.Rows, row)
	}
	n.render(w, http.StatusOK, "revisions", &data{User: u, Title: n.cat.T("revisions_title", a.Headline), Page: p, Flash: flash(r)})
}

// revisionChanges names what rev changed from prev, the save before: a
// change of state first (a publishing save is «نُشر», not «حقول أخرى»),
// then the fields.
func revisionChanges(prev, rev *store.Revision) []string {
	fields := changedFields(prev.Article(), rev.Article())
	// A save from before states were recorded tells nothing of a change.
	if rev.Status == "" || prev.Status == "" || rev.Status == prev.Status {
		return fields
	}
	step := []string{"revision_step_" + string(rev.Status)}
	if len(fields) == 1 && fields[0] == "revision_other" {
		return step
	}
	return append(step, fields...)
}

// changedFields names what differs between two saves of an article.
func changedFields(old, new *news.Article) []string {
	var out []string
	if old.Headline != new.Headline {
		out = append(out, "field_headline")
	}
	if old.Kicker != new.Kicker {
		out = append(out, "field_kicker")
	}
	if old.Lead != new.Lead {
		out = append(out, "field_lead")
	}
	if !reflect.DeepEqual(old.Body, new.Body) {
		out = append(out, "admin_body")
	}
	if tagText(old) != tagText(new) {
		out = append(out, "field_tags")
	}
	if old.SectionID != new.SectionID {
		out = append(out, "field_section")
	}
	if !slices.EqualFunc(old.Authors, new.Authors, func(a, b news.Author) bool { return a.ID == b.ID }) {
		out = append(out, "field_authors")
	}
	if old.FeaturedID != new.FeaturedID {
		out = append(out, "field_featured")
	}
	if old.Slug != new.Slug {
		out = append(out, "field_slug")
	}
	if old.SEOTitle != new.SEOTitle || old.SEODescription != new.SEODescription {
		out = append(out, "panel_seo")
	}
	if old.Breaking != new.Breaking {
		out = append(out, "field_breaking")
	}
	if old.Pinned != new.Pinned {
		out = append(out, "field_pinned")
	}
	if old.CommentsMode != new.CommentsMode {
		out = append(out, "field_comments_mode")
	}
	if len(out) == 0 {
		out = append(out, "revision_other")
	}
	return out
}

func tagText(a *news.Article) string {
	names := make([]string, len(a.Tags))
	for i, t := range a.Tags {
		names[i] = t.Name
	}
	return strings.Join(names, "، ")
}

// revisionDiff is GET /admin/articles/{id}/revisions/diff?from=A&to=B:
// the words changed between two revisions, field by field.
func (n *Newsroom) revisionDiff(w http.ResponseWriter, r *http.Request) {
	a, ok := n.historyArticle(w, r)
	if !ok {
		return
	}
	q := r.URL.Query()
	from, ok := n.revisionParam(w, r, a.ID, q.Get("from"))
	if !ok {
		return
	}
	to, ok := n.revisionParam(w, r, a.ID, q.Get("to"))
	if !ok {
		return
	}
	p := &revisionDiffPage{A: a, From: from, To: to, Diff: n.articleDiff(a, from.Article(), to.Article())}
	n.render(w, http.StatusOK, "revision_diff", &data{User: userFrom(r.Context()), Title: n.cat.T("revisions_title", a.Headline), Page: p})
}

// revisionParam reads revision v of article id; a bad or foreign id is
// 404, as a page that does not exist.
func (n *Newsroom) revisionParam(w http.ResponseWriter, r *http.Request, id int64, v string) (*store.Revision, bool) {
	rev, ok := web.PositiveID(v)
	if !ok {
		n.Error(w, r, http.StatusNotFound)
		return nil, false
	}
	out, err := n.store.RevisionAt(r.Context(), id, rev)
	if err != nil {
		n.fail(w, r, fmt.Errorf("read revision: %w", err))
		return nil, false
	}
	return out, true
}

// articleDiff compares the texts of two versions of article a: headline,
// kicker, lead, tags, and each block with the block at its place.
func (n *Newsroom) articleDiff(a, old, new *news.Article) articleChanges {
	out := articleChanges{Lang: a.Language, Dir: a.Dir()}
	add := func(label, before, after string) {
		if before != after {
			out.Fields = append(out.Fields, fieldDiff{Label: label, Ops: textdiff.Words(before, after)})
		}
	}
	add(n.cat.T("field_headline"), old.Headline, new.Headline)
	add(n.cat.T("field_kicker"), old.Kicker, new.Kicker)
	add(n.cat.T("field_lead"), old.Lead, new.Lead)
	add(n.cat.T("field_tags"), tagText(old), tagText(new))
	for i := range max(len(old.Body), len(new.Body)) {
		var before, after news.Block
		if i < len(old.Body) {
			before = old.Body[i]
		}
		if i < len(new.Body) {
			after = new.Body[i]
		}
		kind := cmp.Or(after.Type, before.Type)
		add(n.cat.T("revision_block", n.settings.Get().DateFormat().Digits.Int(i+1), n.cat.T("block_"+string(kind))), before.PlainText(), after.PlainText())
	}
	return out
}

// restoreRevision is POST /admin/articles/{id}/revisions/{rev}/restore:
// the revision's content saved again as the article's newest state (a
// staged update for a published article), refused like any save if the
// article changed since the form's version.
func (n *Newsroom) restoreRevision(w http.ResponseWriter, r *http.Request) {
	a, ok := n.loadArticle(w, r)
	if !ok {
		return
	}
	if err := a.EditableBy(userFrom(r.Context()).Staff()); err != nil {
		n.fail(w, r, err)
		return
	}
	if !n.parseForm(w, r) {
		return
	}
	version, err := strconv.ParseInt(r.PostForm.Get("version"), 10, 64)
	if err != nil {
		n.Error(w, r, http.StatusBadRequest)
		return
	}
	rev, ok := n.revisionParam(w, r, a.ID, r.PathValue("rev"))
	if !ok {
		return
	}
	if !n.claimOrRefuse(w, r, a) {
		return
	}
	rev.ApplyTo(a)
	a.Version = version
	done := "saved"
	if a.IsPublic() {
		err, done = n.store.StageUpdate(r.Context(), a), "staged"
	} else {
		err = n.store.UpdateArticle(r.Context(), a)
	}
	if err != nil {
		n.refuse(w, r, a, false, "", err)
		return
	}
	n.log.InfoContext(r.Context(), "revision restored", "user", userFrom(r.Context()).ID, "article", a.ID, "revision", rev.ID)
	http.Redirect(w, r, "/admin/articles/"+strconv.FormatInt(a.ID, 10)+"?done="+done, http.StatusSeeOther)
}

// theirChanges is what others saved since the version a was read at,
// for the form that refused a's stale save; nil when unknown.
func (n *Newsroom) theirChanges(ctx context.Context, a *news.Article) *articleChanges {
	base, err := n.store.RevisionAsOf(ctx, a.ID, a.Version)
	if err != nil {
		if !errors.Is(err, news.ErrNotFound) {
			n.log.ErrorContext(ctx, "read revision for a conflict", "article", a.ID, "err", err)
		}
		return nil
	}
	cur, err := n.store.StagedArticle(ctx, a.ID)
	if err != nil {
		n.log.ErrorContext(ctx, "read article for a conflict", "article", a.ID, "err", err)
		return nil
	}
	diff := n.articleDiff(cur, base.Article(), cur)
	return &diff
}

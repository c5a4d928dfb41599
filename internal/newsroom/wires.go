package newsroom

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"khabar/internal/auth"
	"khabar/internal/live"
	"khabar/internal/news"
	"khabar/internal/outbox"
	"khabar/internal/paste"
	"khabar/internal/store"
	"khabar/internal/web"
	"khabar/internal/wire"
)

// wiresPerPage is how many items the desk shows at once.
const wiresPerPage = 50

// wiresPage is the wire desk: the newest version of each agency item,
// newest first, by agency and by words.
type wiresPage struct {
	Rows      []wireRow
	Providers []string
	Provider  string
	Query     string
	Next      string // the next page's link, "" at the end
	// Live: the page is the desk's first, unfiltered, and follows new
	// arrivals from event Since on.
	Live  bool
	Since int64
}

// wireRow is an item as the desk's list shows it (template wire_row),
// on the page and as the live stream sends it.
type wireRow struct {
	W   wire.Stored
	Now time.Time
}

// wiresTopic is the live topic of the desk's arrivals.
const wiresTopic = "wires"

// wires is GET /admin/wires.
func (n *Newsroom) wires(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	p := &wiresPage{Provider: strings.TrimSpace(q.Get("agency")), Query: strings.TrimSpace(q.Get("q"))}
	f := store.WireFilter{Provider: p.Provider, Query: p.Query, Limit: wiresPerPage}
	if len(p.Query) > 200 || !utf8.ValidString(p.Query) || !utf8.ValidString(p.Provider) {
		n.Error(w, r, http.StatusBadRequest)
		return
	}
	if b := q.Get("before"); b != "" {
		at, id, ok := strings.Cut(b, ".")
		micro, err1 := strconv.ParseInt(at, 10, 64)
		bid, err2 := strconv.ParseInt(id, 10, 64)
		if !ok || err1 != nil || err2 != nil || bid <= 0 {
			n.Error(w, r, http.StatusBadRequest)
			return
		}
		f.Before, f.BeforeID = time.UnixMicro(micro), bid
	}
	if p.Live = n.live != nil && f.Provider == "" && f.Query == "" && f.Before.IsZero(); p.Live {
		// Read before the list: an item that arrives in between is both
		// listed and streamed, and the page keeps one.
		since, err := n.store.LastEventID(r.Context())
		if err != nil {
			n.fail(w, r, err)
			return
		}
		p.Since = since
	}
	list, err := n.store.Wires(r.Context(), f)
	if err != nil {
		n.fail(w, r, err)
		return
	}
	if p.Providers, err = n.store.WireProviders(r.Context()); err != nil {
		n.fail(w, r, err)
		return
	}
	now := time.Now()
	for _, it := range list {
		p.Rows = append(p.Rows, wireRow{W: it, Now: now})
	}
	if len(list) == wiresPerPage {
		last := list[len(list)-1]
		v := url.Values{"before": {strconv.FormatInt(last.ReceivedAt.UnixMicro(), 10) + "." + strconv.FormatInt(last.ID, 10)}}
		if p.Provider != "" {
			v.Set("agency", p.Provider)
		}
		if p.Query != "" {
			v.Set("q", p.Query)
		}
		p.Next = "/admin/wires?" + v.Encode()
	}
	n.render(w, http.StatusOK, "wires", &data{User: userFrom(r.Context()), Title: n.cat.T("admin_wires"), Page: p, Flash: flash(r)})
}

// wirePage is one agency item, with its other versions and the articles
// made from it.
type wirePage struct {
	Item     wire.Stored
	Body     []news.Block
	Versions []wire.Stored
	Articles []int64
	Now      time.Time
	// Usable: a draft may be made of it (not withheld or killed).
	Usable bool
}

// wireItem is GET /admin/wires/{id}.
func (n *Newsroom) wireItem(w http.ResponseWriter, r *http.Request) {
	it, ok := n.loadWire(w, r)
	if !ok {
		return
	}
	p := &wirePage{Item: it, Body: wireBlocks(it.Item), Now: time.Now(), Usable: it.Status == wire.Usable}
	var err error
	if p.Versions, err = n.store.WireVersions(r.Context(), it.GUID); err != nil {
		n.fail(w, r, err)
		return
	}
	if p.Articles, err = n.store.WireArticles(r.Context(), it.GUID); err != nil {
		n.fail(w, r, err)
		return
	}
	n.render(w, http.StatusOK, "wire", &data{User: userFrom(r.Context()), Title: it.Headline, Page: p, Flash: flash(r)})
}

func (n *Newsroom) loadWire(w http.ResponseWriter, r *http.Request) (wire.Stored, bool) {
	id, ok := parseID(r)
	if !ok {
		n.Error(w, r, http.StatusNotFound)
		return wire.Stored{}, false
	}
	it, err := n.store.Wire(r.Context(), id)
	if err != nil {
		n.fail(w, r, err)
		return wire.Stored{}, false
	}
	return it, true
}

// wireBlocks are an item's body as blocks: markup through the paste
// cleaner (the same as a paste from Word), plain text a paragraph for
// each run of lines.
func wireBlocks(it wire.Item) []news.Block {
	if it.BodyHTML != "" {
		return paste.Blocks(it.BodyHTML)
	}
	var out []news.Block
	for para := range strings.SplitSeq(strings.ReplaceAll(it.BodyText, "\r\n", "\n"), "\n\n") {
		if t := strings.Join(strings.Fields(para), " "); t != "" {
			out = append(out, news.Block{Type: news.BlockParagraph, Text: html.EscapeString(t)})
		}
	}
	return out
}

// wireDraft is POST /admin/wires/{id}/draft: the item becomes a draft in
// the first section, credited to its agency, and the editor goes to it.
// Its embargo holds (news.Change.Validate): the workflow neither
// publishes nor schedules it before then.
func (n *Newsroom) wireDraft(w http.ResponseWriter, r *http.Request) {
	if !n.parseForm(w, r) {
		return
	}
	it, ok := n.loadWire(w, r)
	if !ok {
		return
	}
	if it.Status != wire.Usable {
		// The desk offers no button for these; a stale page may.
		http.Redirect(w, r, "/admin/wires/"+strconv.FormatInt(it.ID, 10)+"?done=wire_not_usable", http.StatusSeeOther)
		return
	}
	secs, err := n.store.ListSections(r.Context())
	if err != nil {
		n.fail(w, r, err)
		return
	}
	assignable := news.Assignable(secs, 0)
	if len(assignable) == 0 {
		n.fail(w, r, errors.New("make a draft of a wire item: no section to put it in"))
		return
	}
	u := userFrom(r.Context())
	a := &news.Article{Status: news.StatusDraft, Headline: it.Headline, Lead: it.Lead, Body: wireBlocks(it.Item), SectionID: assignable[0].ID,
		Source: cmp.Or(it.Creditline, it.Provider), Language: it.Language, CreatedBy: u.ID}
	if len(a.Body) == 0 {
		a.Body = []news.Block{{Type: news.BlockParagraph}}
	}
	if err := n.store.CreateArticleFromWire(r.Context(), a, it); err != nil {
		n.fail(w, r, fmt.Errorf("make a draft of wire item %d: %w", it.ID, err))
		return
	}
	http.Redirect(w, r, "/admin/articles/"+strconv.FormatInt(a.ID, 10)+"?done=wire_draft_made", http.StatusSeeOther)
}

// wireSeen is POST /admin/articles/{id}/wire-seen: the editor has read
// the agency's notice about the article's wire.
func (n *Newsroom) wireSeen(w http.ResponseWriter, r *http.Request) {
	if !n.parseForm(w, r) {
		return
	}
	a, ok := n.loadArticle(w, r)
	if !ok {
		return
	}
	// Seeing a notice changes nothing of the article: whoever may read it
	// may say they have read the notice too.
	if err := a.ViewableBy(userFrom(r.Context()).Staff()); err != nil {
		n.fail(w, r, err)
		return
	}
	if err := n.store.SeeWireNotice(r.Context(), a.ID); err != nil {
		n.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/admin/articles/"+strconv.FormatInt(a.ID, 10), http.StatusSeeOther)
}

// wireEvent is the desk's outbox consumer: each arrival goes to the open
// desks as the row their list shows.
func (n *Newsroom) wireEvent(ctx context.Context, ev news.Event) error {
	if ev.Kind != news.EventWireArrived || n.live == nil {
		return nil
	}
	it, err := n.store.Wire(ctx, ev.Wire)
	if errors.Is(err, news.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	if !it.Latest {
		return nil // an older version arriving late changes no row
	}
	n.eng.SetDateFormat(n.settings.Get().DateFormat())
	row, err := n.eng.RenderFragment("wire_row", wireRow{W: it, Now: time.Now()})
	if err != nil {
		return err
	}
	data, err := json.Marshal(struct {
		ID   int64  `json:"id"`
		GUID string `json:"guid"`
		HTML string `json:"html"`
	}{it.ID, it.GUID, string(row)})
	if err != nil {
		return err
	}
	n.live.Append(wiresTopic, live.Message{ID: ev.ID, Event: "wire", Data: data})
	return nil
}

// Consumers are the newsroom's outbox consumers: the wire desk's live
// arrivals.
func (n *Newsroom) Consumers() []outbox.Consumer {
	return []outbox.Consumer{{Name: outbox.Desk, Handle: n.wireEvent}}
}

// wireStream is GET /admin/wires/stream: the desk's arrivals as
// Server-Sent Events.
func (n *Newsroom) wireStream(w http.ResponseWriter, r *http.Request) {
	if n.live == nil {
		n.Error(w, r, http.StatusNotFound)
		return
	}
	live.Serve(w, r, n.live, wiresTopic, web.ClientIP(r))
}

// agenciesPage is /admin/wires/agencies: the agencies that push their
// copy, each with its own token, shown once when made.
type agenciesPage struct {
	Agencies []store.WireAgency
	Name     string
	New      string
}

// agencies is GET /admin/wires/agencies (admins).
func (n *Newsroom) agencies(w http.ResponseWriter, r *http.Request) {
	n.renderAgencies(w, r, http.StatusOK, &agenciesPage{}, nil)
}

func (n *Newsroom) renderAgencies(w http.ResponseWriter, r *http.Request, status int, p *agenciesPage, errs map[string]string) {
	var err error
	if p.Agencies, err = n.store.WireAgencies(r.Context()); err != nil {
		n.fail(w, r, err)
		return
	}
	n.render(w, status, "agencies", &data{User: userFrom(r.Context()), Title: n.cat.T("admin_agencies"), Page: p, Errors: errs, Flash: flash(r)})
}

// addAgency is POST /admin/wires/agencies: a new agency and its token.
func (n *Newsroom) addAgency(w http.ResponseWriter, r *http.Request) {
	if !n.parseForm(w, r) {
		return
	}
	name := news.CleanLine(r.PostForm.Get("name"))
	p := &agenciesPage{Name: name}
	if name == "" || utf8.RuneCountInString(name) > 100 {
		code := "err_required"
		if name != "" {
			code = "err_too_long"
		}
		n.renderAgencies(w, r, http.StatusUnprocessableEntity, p, map[string]string{"name": code})
		return
	}
	token, hash, err := auth.NewToken()
	if err == nil {
		_, err = n.store.AddWireAgency(r.Context(), name, hash, userFrom(r.Context()).Actor())
	}
	if errors.Is(err, news.ErrDuplicate) {
		n.renderAgencies(w, r, http.StatusUnprocessableEntity, p, map[string]string{"name": "err_agency_taken"})
		return
	}
	if err != nil {
		n.fail(w, r, err)
		return
	}
	p.New, p.Name = token, ""
	n.renderAgencies(w, r, http.StatusCreated, p, nil)
}

// revokeAgency is POST /admin/wires/agencies/{id}/revoke.
func (n *Newsroom) revokeAgency(w http.ResponseWriter, r *http.Request) {
	if !n.parseForm(w, r) {
		return
	}
	id, ok := parseID(r)
	if !ok {
		n.Error(w, r, http.StatusNotFound)
		return
	}
	if err := n.store.RevokeWireAgency(r.Context(), id, userFrom(r.Context()).Actor()); err != nil {
		n.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/admin/wires/agencies?done=revoked", http.StatusSeeOther)
}

package newsroom

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"khabar/internal/news"
	"khabar/internal/store"
	"khabar/internal/web"
)

// tickerPage is the ticker's page: the lines readers see, in their
// order, and those that went off, for editors to restore or delete.
type tickerPage struct {
	Active, Expired []news.TickerItem
	Form            news.TickerItem
	Hours           string
	// Moved is the line just moved in direction Dir: that button keeps
	// the focus, so a keyboard can press it again and again (at the end
	// of the list, where it is disabled, the other one takes it).
	Moved int64
	Dir   string
}

// tickerEditPage is the form of one line; Expires is its expiry's field.
type tickerEditPage struct {
	Item    news.TickerItem
	Expires when
}

// zone is the outlet's time zone, in which editors read and enter times.
func (n *Newsroom) zone() *time.Location {
	if loc := n.settings.Get().DateFormat().Location; loc != nil {
		return loc
	}
	return time.UTC
}

func (n *Newsroom) ticker(w http.ResponseWriter, r *http.Request) {
	p := &tickerPage{}
	q := r.URL.Query()
	if id, ok := web.PositiveID(q.Get("moved")); ok && moves[q.Get("dir")] != 0 {
		p.Moved, p.Dir = id, q.Get("dir")
	}
	n.renderTicker(w, r, http.StatusOK, p, nil)
}

// moves are the places a line moves by, by direction.
var moves = map[string]int{"up": -1, "down": 1}

// postedMove reads a move's id (the path's) and direction (up or down),
// answering for bad ones itself.
func (n *Newsroom) postedMove(w http.ResponseWriter, r *http.Request) (id int64, dir string, ok bool) {
	if id, ok = n.postedID(w, r); !ok {
		return 0, "", false
	}
	if dir = r.PostForm.Get("dir"); moves[dir] == 0 {
		n.Error(w, r, http.StatusBadRequest)
		return 0, "", false
	}
	return id, dir, true
}

func (n *Newsroom) renderTicker(w http.ResponseWriter, r *http.Request, status int, p *tickerPage, errs map[string]string) {
	now := time.Now()
	var err error
	if p.Active, err = n.store.ListTicker(r.Context(), store.OnShow, now); err == nil {
		p.Expired, err = n.store.ListTicker(r.Context(), store.RanOut, now)
	}
	if err != nil {
		n.fail(w, r, fmt.Errorf("list ticker: %w", err))
		return
	}
	n.render(w, status, "ticker", &data{User: userFrom(r.Context()), Title: n.cat.T("admin_ticker"), Page: p, Errors: errs, Flash: flash(r)})
}

func (n *Newsroom) addTicker(w http.ResponseWriter, r *http.Request) {
	if !n.parseForm(w, r) {
		return
	}
	p := &tickerPage{Form: news.TickerItem{Text: r.PostForm.Get("text"), URL: r.PostForm.Get("url")}, Hours: r.PostForm.Get("hours")}
	errs := map[string]string{}
	if p.Hours != "" {
		h, err := strconv.Atoi(p.Hours)
		if err != nil || h < 1 || h > 24*30 {
			errs["hours"] = "err_hours"
		} else {
			p.Form.ExpiresAt = time.Now().Add(time.Duration(h) * time.Hour)
		}
	}
	if len(errs) == 0 {
		err := n.store.CreateTicker(r.Context(), &p.Form)
		if err == nil {
			http.Redirect(w, r, "/admin/ticker?done=ticker", http.StatusSeeOther)
			return
		}
		if !fieldErrors(err, errs) {
			n.fail(w, r, fmt.Errorf("create ticker: %w", err))
			return
		}
	}
	n.renderTicker(w, r, http.StatusUnprocessableEntity, p, errs)
}

// tickerItem reads the line of the request; false means the response
// (404, or 500) is written.
func (n *Newsroom) tickerItem(w http.ResponseWriter, r *http.Request) (*news.TickerItem, bool) {
	id, ok := parseID(r)
	if !ok {
		n.Error(w, r, http.StatusNotFound)
		return nil, false
	}
	it, err := n.store.GetTicker(r.Context(), id)
	if err != nil {
		n.tickerDone(w, r, err)
		return nil, false
	}
	return it, true
}

func (n *Newsroom) editTicker(w http.ResponseWriter, r *http.Request) {
	it, ok := n.tickerItem(w, r)
	if !ok {
		return
	}
	n.renderTickerEdit(w, r, http.StatusOK, &tickerEditPage{Item: *it}, nil)
}

func (n *Newsroom) renderTickerEdit(w http.ResponseWriter, r *http.Request, status int, p *tickerEditPage, errs map[string]string) {
	p.Expires = newWhen("expires", "field_ticker_expires_at", p.Item.ExpiresAt, n.settings.Get().DateFormat(), time.Now())
	p.Expires.keepTyped(r.PostForm)
	n.render(w, status, "ticker_edit", &data{User: userFrom(r.Context()), Title: n.cat.T("admin_ticker_edit"), Page: p, Errors: errs})
}

// saveTicker saves a line's text, link and expiry (empty: never); a time
// already past takes the line off at once.
func (n *Newsroom) saveTicker(w http.ResponseWriter, r *http.Request) {
	it, ok := n.tickerItem(w, r)
	if !ok || !n.parseForm(w, r) {
		return
	}
	f := r.PostForm
	p := &tickerEditPage{Item: *it}
	p.Item.Text, p.Item.URL = f.Get("text"), f.Get("url")
	errs := map[string]string{}
	var expires whenState
	if p.Item.ExpiresAt, expires = readWhen(f, "expires", n.zone()); expires == whenInvalid {
		errs["expires"] = "err_bad_time"
	}
	if len(errs) == 0 {
		err := n.store.UpdateTicker(r.Context(), &p.Item)
		if err == nil || !fieldErrors(err, errs) {
			n.tickerDone(w, r, err)
			return
		}
	}
	n.renderTickerEdit(w, r, http.StatusUnprocessableEntity, p, errs)
}

// moveTicker moves a line one place up or down among those readers see.
func (n *Newsroom) moveTicker(w http.ResponseWriter, r *http.Request) {
	id, dir, ok := n.postedMove(w, r)
	if !ok {
		return
	}
	if err := n.store.MoveTicker(r.Context(), id, moves[dir], time.Now()); err != nil {
		n.tickerDone(w, r, err)
		return
	}
	// No #fragment: browsers skip autofocus on a page that has a target.
	ids := strconv.FormatInt(id, 10)
	http.Redirect(w, r, "/admin/ticker?done=ticker&moved="+ids+"&dir="+dir, http.StatusSeeOther)
}

func (n *Newsroom) expireTicker(w http.ResponseWriter, r *http.Request) {
	n.changeTicker(w, r, func(ctx context.Context, id int64) error { return n.store.ExpireTicker(ctx, id, time.Now()) })
}

func (n *Newsroom) restoreTicker(w http.ResponseWriter, r *http.Request) {
	n.changeTicker(w, r, n.store.RestoreTicker)
}

func (n *Newsroom) deleteTicker(w http.ResponseWriter, r *http.Request) {
	n.changeTicker(w, r, n.store.DeleteTicker)
}

// changeTicker makes change to the line of the request and answers.
func (n *Newsroom) changeTicker(w http.ResponseWriter, r *http.Request, change func(ctx context.Context, id int64) error) {
	id, ok := parseID(r)
	if !ok {
		n.Error(w, r, http.StatusNotFound)
		return
	}
	n.tickerDone(w, r, change(r.Context(), id))
}

// tickerDone answers a change of the ticker: back to the ticker, or the
// page for its error (a line gone meanwhile is a 404; a refused move is
// shown on the ticker).
func (n *Newsroom) tickerDone(w http.ResponseWriter, r *http.Request, err error) {
	errs := map[string]string{}
	switch {
	case err == nil:
		http.Redirect(w, r, "/admin/ticker?done=ticker", http.StatusSeeOther)
	case fieldErrors(err, errs):
		n.renderTicker(w, r, http.StatusUnprocessableEntity, &tickerPage{}, errs)
	default:
		n.fail(w, r, fmt.Errorf("change ticker: %w", err))
	}
}

// sendToTicker puts a published article's headline on top of the ticker,
// linking to the article; sent again, its line is raised, not repeated.
// It answers on the page the button was on (the desk, or the article).
func (n *Newsroom) sendToTicker(w http.ResponseWriter, r *http.Request) {
	id, ok := n.postedID(w, r)
	if !ok {
		return
	}
	// The reader's version, not an update staged in the newsroom.
	a, err := n.store.GetArticle(r.Context(), id)
	if err != nil {
		n.tickerDone(w, r, err)
		return
	}
	if !a.IsPublic() {
		n.renderTicker(w, r, http.StatusUnprocessableEntity, &tickerPage{}, map[string]string{"article": "err_ticker_unpublished"})
		return
	}
	raised, err := n.store.SendToTicker(r.Context(), news.TickerLineFor(a, news.ArticlePath(a)))
	if err != nil {
		n.tickerDone(w, r, err)
		return
	}
	back := "/admin/articles/" + strconv.FormatInt(a.ID, 10)
	if r.PostForm.Get("from") == "desk" {
		back = "/admin/"
	}
	done := "ticker_sent"
	if raised {
		done = "ticker_raised"
	}
	http.Redirect(w, r, back+"?done="+done, http.StatusSeeOther)
}

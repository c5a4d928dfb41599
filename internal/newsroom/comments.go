package newsroom

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"khabar/internal/news"
	"khabar/internal/store"
	"khabar/internal/web"
)

// moderationTabs are the queue's tabs, in order.
var moderationTabs = []string{"pending", "reported", "approved", "spam", "rejected", "deleted"}

// moderationActions maps a button to the status it moves comments to.
var moderationActions = map[string]news.CommentStatus{
	"approve": news.CommentApproved,
	"reject":  news.CommentRejected,
	"spam":    news.CommentSpam,
	"delete":  news.CommentDeleted,
	"pending": news.CommentPending,
}

const (
	commentsPerPage = 50
	// maxBulk bounds one bulk action: a page of the queue.
	maxBulk = commentsPerPage
)

type tabCount struct {
	Key   string
	Count int
}

type moderationPage struct {
	Tab      string
	Tabs     []tabCount
	Items    []news.Comment
	Identity string
	IP       string
	Self     string // this page's URL, where actions come back to
	PrevURL  string
	NextURL  string
}

// moderation is GET /admin/comments: the queue, a tab per status, or one
// commenter's history (?identity= or ?ip=).
func (n *Newsroom) moderation(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	p := &moderationPage{Tab: q.Get("tab"), Identity: q.Get("identity"), IP: q.Get("ip")}
	page, ok := web.PageNumber(r)
	if !ok || len(p.Identity) > 64 || len(p.IP) > 64 {
		n.Error(w, r, http.StatusBadRequest)
		return
	}
	f := store.CommentFilter{Identity: p.Identity, IPHash: p.IP, Limit: commentsPerPage + 1, Offset: (page - 1) * commentsPerPage}
	switch {
	case p.Tab == "" && p.Identity == "" && p.IP == "":
		p.Tab = "pending"
		f.Status = news.CommentPending
	case p.Tab == "reported":
		f.Reported = true
	case p.Tab == "":
	case news.CommentStatus(p.Tab).Valid():
		f.Status = news.CommentStatus(p.Tab)
	default:
		n.Error(w, r, http.StatusBadRequest)
		return
	}
	items, err := n.store.ListComments(r.Context(), f)
	if err != nil {
		n.fail(w, r, fmt.Errorf("list comments: %w", err))
		return
	}
	counts, err := n.store.CommentCounts(r.Context())
	if err != nil {
		n.fail(w, r, fmt.Errorf("count comments: %w", err))
		return
	}
	for _, t := range moderationTabs {
		p.Tabs = append(p.Tabs, tabCount{Key: t, Count: counts[t]})
	}
	link := func(pg int) string {
		v := url.Values{}
		for k, val := range map[string]string{"tab": p.Tab, "identity": p.Identity, "ip": p.IP} {
			if val != "" {
				v.Set(k, val)
			}
		}
		if pg > 1 {
			v.Set("page", strconv.Itoa(pg))
		}
		if len(v) == 0 {
			return "/admin/comments"
		}
		return "/admin/comments?" + v.Encode()
	}
	if len(items) > commentsPerPage {
		items, p.NextURL = items[:commentsPerPage], link(page+1)
	}
	if page > 1 {
		p.PrevURL = link(page - 1)
	}
	p.Items, p.Self = items, link(page)
	n.render(w, http.StatusOK, "comments", &data{User: userFrom(r.Context()), Title: n.cat.T("admin_comments"), Page: p, Flash: flash(r)})
}

// backTo is where a moderation form returns: the page it came from, if
// that is a moderation page.
func backTo(v string) string {
	if u, err := url.Parse(v); err == nil && u.Scheme == "" && u.Host == "" && u.Path == "/admin/comments" {
		return u.RequestURI()
	}
	return "/admin/comments"
}

func withDone(back, done string) string {
	if strings.Contains(back, "?") {
		return back + "&done=" + done
	}
	return back + "?done=" + done
}

// moderate is POST /admin/comments/moderate: one action on the ticked
// comments.
func (n *Newsroom) moderate(w http.ResponseWriter, r *http.Request) {
	if !n.parseForm(w, r) {
		return
	}
	action, raw := r.PostForm.Get("action"), r.PostForm["id"]
	// A comment's own buttons name it: "approve:12".
	if a, id, ok := strings.Cut(action, ":"); ok {
		action, raw = a, []string{id}
	}
	st, ok := moderationActions[action]
	if !ok || len(raw) > maxBulk {
		n.Error(w, r, http.StatusBadRequest)
		return
	}
	if len(raw) == 0 {
		// A bulk button with nothing ticked: say so on the queue.
		http.Redirect(w, r, withDone(backTo(r.PostForm.Get("back")), "none_selected"), http.StatusSeeOther)
		return
	}
	ids := make([]int64, 0, len(raw))
	for _, s := range raw {
		id, ok := web.PositiveID(s)
		if !ok {
			n.Error(w, r, http.StatusBadRequest)
			return
		}
		ids = append(ids, id)
	}
	_, err := n.store.ModerateComments(r.Context(), ids, st, userFrom(r.Context()).Actor())
	switch {
	case err != nil:
		n.fail(w, r, fmt.Errorf("moderate comments: %w", err))
	default:
		http.Redirect(w, r, withDone(backTo(r.PostForm.Get("back")), "moderated"), http.StatusSeeOther)
	}
}

type commentEditPage struct {
	C    *news.Comment
	Body string
}

func (n *Newsroom) editComment(w http.ResponseWriter, r *http.Request) {
	id, ok := parseID(r)
	if !ok {
		n.Error(w, r, http.StatusNotFound)
		return
	}
	c, err := n.store.GetComment(r.Context(), id)
	if err != nil {
		n.Error(w, r, http.StatusNotFound)
		return
	}
	p := &commentEditPage{C: c, Body: c.Body}
	status, errs := http.StatusOK, map[string]string{}
	if r.Method == http.MethodPost {
		if !n.parseForm(w, r) {
			return
		}
		edited := *c
		edited.Body = r.PostForm.Get("body")
		p.Body = edited.Body
		err := news.CleanComment(&edited)
		if err == nil {
			err = n.store.EditComment(r.Context(), id, edited.Body, userFrom(r.Context()).Actor())
			if err == nil {
				http.Redirect(w, r, withDone(backTo(r.PostForm.Get("back")), "comment_saved"), http.StatusSeeOther)
				return
			}
		}
		if !fieldErrors(err, errs) {
			n.fail(w, r, fmt.Errorf("edit comment: %w", err))
			return
		}
		status = http.StatusUnprocessableEntity
	}
	n.render(w, status, "comment_edit", &data{User: userFrom(r.Context()), Title: n.cat.T("admin_comment_edit"), Page: p, Errors: errs,
		Next: backTo(r.URL.Query().Get("back"))})
}

// banDays are the lengths a moderator may choose; 0 is for good.
var banDays = map[string]int{"1": 1, "7": 7, "30": 30, "365": 365, "0": 0}

// ban is POST /admin/comments/ban: keep an identity or an address out.
func (n *Newsroom) ban(w http.ResponseWriter, r *http.Request) {
	if !n.parseForm(w, r) {
		return
	}
	days, ok := banDays[r.PostForm.Get("days")]
	b := &news.CommentBan{Kind: r.PostForm.Get("kind"), Value: r.PostForm.Get("value"), Reason: news.CleanLine(r.PostForm.Get("reason"))}
	if !ok || len(b.Value) != 32 || len([]rune(b.Reason)) > 200 {
		n.Error(w, r, http.StatusBadRequest)
		return
	}
	if days > 0 {
		b.ExpiresAt = time.Now().AddDate(0, 0, days)
	}
	err := n.store.AddCommentBan(r.Context(), b, userFrom(r.Context()).Actor())
	switch {
	case news.IsInvalid(err):
		n.Error(w, r, http.StatusBadRequest)
	case err != nil:
		n.fail(w, r, fmt.Errorf("ban commenter: %w", err))
	default:
		http.Redirect(w, r, withDone(backTo(r.PostForm.Get("back")), "banned"), http.StatusSeeOther)
	}
}

func (n *Newsroom) bans(w http.ResponseWriter, r *http.Request) {
	bans, err := n.store.CommentBans(r.Context(), time.Now())
	if err != nil {
		n.fail(w, r, fmt.Errorf("list bans: %w", err))
		return
	}
	n.render(w, http.StatusOK, "bans", &data{User: userFrom(r.Context()), Title: n.cat.T("admin_bans"), Page: bans, Flash: flash(r)})
}

func (n *Newsroom) unban(w http.ResponseWriter, r *http.Request) {
	id, ok := parseID(r)
	if !ok {
		n.Error(w, r, http.StatusNotFound)
		return
	}
	err := n.store.DeleteCommentBan(r.Context(), id, userFrom(r.Context()).Actor())
	switch {
	case err != nil:
		n.fail(w, r, fmt.Errorf("lift ban: %w", err))
	default:
		http.Redirect(w, r, "/admin/comments/bans?done=unbanned", http.StatusSeeOther)
	}
}

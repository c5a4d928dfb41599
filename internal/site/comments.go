package site

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"khabar/internal/comment"
	"khabar/internal/live"
	"khabar/internal/news"
	"khabar/internal/render"
	"khabar/internal/web"
)

// commentsPerPage is how many top-level comments a page shows, each
// with its replies.
const commentsPerPage = 20

// commentsView is the comments area of an article, or the comments page.
type commentsView struct {
	ArticleID   int64
	ArticlePath string
	Headline    string
	Open        bool
	ClosesAt    time.Time
	Count       int // approved comments, replies included
	Items       []commentItem
	Oldest      bool
	Pager       pager
	Token       string
	Form        commentForm
	ReplyTo     *news.Comment
	Errors      map[string]string
	Refusal     string // why the comment was refused, in words
	Standalone  bool   // the /comments/{id} page rather than the article
	Notices     bool   // commenters may ask for an e-mail when answered
	// Since is the last event the page reflects: its stream replays the
	// changes after it (see live.Hub).
	Since int64
}

// commentForm is what a reader typed, kept when the form comes back.
type commentForm struct {
	Name, Email, Body string
	Notify            bool
}

// fillComments loads the comments an article page or comments page
// shows.
func (s *Site) fillComments(ctx context.Context, a *news.Article, oldest bool, page int) (*commentsView, error) {
	st := s.settings.Get()
	v := &commentsView{Since: s.seen.Load(), ArticleID: a.ID, ArticlePath: news.ArticlePath(a), Headline: a.Headline, Count: a.CommentCount, Oldest: oldest,
		Open: comment.Mode(a, st, time.Now()) != news.CommentsClosed, ClosesAt: comment.ClosesAt(a, st), Notices: s.alerts.Email != nil}
	if s.comments != nil {
		v.Token = s.comments.Token(a.ID)
	} else {
		v.Open = false
	}
	items, total, err := s.store.PublicComments(ctx, a.ID, oldest, commentsPerPage, (page-1)*commentsPerPage)
	if err != nil {
		return nil, err
	}
	for _, c := range items {
		v.Items = append(v.Items, commentItem{C: c, ArticleID: a.ID, Open: v.Open})
	}
	v.Pager = pager{Page: page, Pages: max(1, (total+commentsPerPage-1)/commentsPerPage)}
	link := func(p int) string {
		u := news.CommentsPath(a.ID)
		sep := "?"
		if oldest {
			u, sep = u+"?sort=oldest", "&"
		}
		if p > 1 {
			u += sep + "page=" + strconv.Itoa(p)
		}
		return u + "#comments"
	}
	if page > 1 {
		v.Pager.Prev = link(page - 1)
	}
	if page < v.Pager.Pages {
		v.Pager.Next = link(page + 1)
	}
	return v, nil
}

// commentsQuery reads ?sort= and ?page= of the comments page.
func commentsQuery(r *http.Request) (oldest bool, page int, ok bool) {
	page, ok = web.PageNumber(r)
	switch r.URL.Query().Get("sort") {
	case "", "newest":
	case "oldest":
		oldest = true
	default:
		ok = false
	}
	return oldest, page, ok
}

// publicArticle reads an article readers may comment on or read comments
// of, or answers the right error page.
func (s *Site) publicArticle(w http.ResponseWriter, r *http.Request, idPart string) *news.Article {
	id, ok := web.PositiveID(idPart)
	if !ok {
		s.Error(w, r, http.StatusNotFound)
		return nil
	}
	a, err := s.store.GetArticle(r.Context(), id)
	switch {
	case err != nil:
		s.fail(w, r, err)
	case a.Status == news.StatusUnpublished:
		s.Error(w, r, http.StatusGone)
	case a.Status != news.StatusPublished:
		s.Error(w, r, http.StatusNotFound)
	default:
		return a
	}
	return nil
}

// commentsPage is GET /comments/{id}: every page of an article's
// comments, in either order; with ?reply= it shows the form for a reply,
// which is what the reply links do without JavaScript.
func (s *Site) commentsPage(w http.ResponseWriter, r *http.Request) {
	oldest, page, ok := commentsQuery(r)
	if !ok {
		s.Error(w, r, http.StatusBadRequest)
		return
	}
	if reply := r.URL.Query().Get("reply"); reply != "" {
		s.replyForm(w, r, reply)
		return
	}
	key := r.URL.Path + "?" + strconv.FormatBool(oldest) + "&" + strconv.Itoa(page)
	s.serveCached(w, r, key, func(ctx context.Context) (*render.Page, error) {
		id, _ := web.PositiveID(r.PathValue("id"))
		a, err := s.store.GetArticle(ctx, id)
		if err != nil {
			return nil, err
		}
		if a.Status != news.StatusPublished {
			return nil, news.ErrNotFound
		}
		d, err := s.commentsData(ctx, a, oldest, page)
		if err != nil {
			return nil, err
		}
		if page > d.Comments.Pager.Pages {
			return nil, news.ErrNotFound
		}
		p, err := s.page("comments", d, articleTag(a.ID))
		s.expireWithComments(p, d.Comments)
		return p, err
	})
}

func (s *Site) commentsData(ctx context.Context, a *news.Article, oldest bool, page int) (*pageData, error) {
	d, err := s.newData(ctx, s.cat.T("comments_title")+": "+a.Headline)
	if err != nil {
		return nil, err
	}
	d.Robots = "noindex, follow"
	d.Canonical = s.base + news.ArticlePath(a)
	if d.Comments, err = s.fillComments(ctx, a, oldest, page); err != nil {
		return nil, err
	}
	d.Comments.Standalone = true
	return d, nil
}

// expireWithComments keeps a cached page's form token fresh and drops
// the form when comments close by themselves.
func (s *Site) expireWithComments(p *render.Page, v *commentsView) {
	if p == nil || v == nil {
		return
	}
	exp := time.Now().Add(commentTokenRefresh)
	if v.Open && !v.ClosesAt.IsZero() && v.ClosesAt.Before(exp) {
		exp = v.ClosesAt
	}
	if p.Expires.IsZero() || exp.Before(p.Expires) {
		p.Expires = exp
	}
}

// commentTokenRefresh is how often a cached page with a comment form is
// rendered again, so its token is never older than the service accepts.
const commentTokenRefresh = 12 * time.Hour

func (s *Site) replyForm(w http.ResponseWriter, r *http.Request, reply string) {
	a := s.publicArticle(w, r, r.PathValue("id"))
	if a == nil {
		return
	}
	d, err := s.commentsData(r.Context(), a, false, 1)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	status := http.StatusOK
	if id, ok := web.PositiveID(reply); !ok {
		status = http.StatusBadRequest
	} else if c, err := s.store.GetComment(r.Context(), id); err != nil || c.ArticleID != a.ID || c.Status != news.CommentApproved {
		status, d.Comments.Refusal = http.StatusNotFound, s.cat.T("comment_err_parent_gone")
	} else {
		d.Comments.ReplyTo = c
	}
	if status == http.StatusBadRequest {
		s.Error(w, r, status)
		return
	}
	s.renderNoStore(w, r, status, "comments", d)
}

func (s *Site) renderNoStore(w http.ResponseWriter, r *http.Request, status int, name string, d *pageData) {
	body, err := s.eng.Render(name, d)
	if err != nil {
		s.fail(w, r, fmt.Errorf("render %s: %w", name, err))
		return
	}
	w.Header().Set("Content-Type", htmlType)
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	w.Write(body)
}

// postComment is POST /comments/{id}, the form without JavaScript: on
// success it redirects to a notice, otherwise the form comes back with
// what the reader typed and why it was refused.
func (s *Site) postComment(w http.ResponseWriter, r *http.Request) {
	a := s.publicArticle(w, r, r.PathValue("id"))
	if a == nil {
		return
	}
	if err := web.ParseForm(r); err != nil {
		s.fail(w, r, err)
		return
	}
	sub := comment.FromForm(a.ID, web.ClientIP(r), r.PostForm.Get)
	c, err := s.comments.Post(r.Context(), sub)
	if err == nil {
		http.Redirect(w, r, news.CommentsPath(a.ID)+"/sent?status="+string(c.Status), http.StatusSeeOther)
		return
	}
	if news.KindOf(err) == news.KindInternal {
		s.fail(w, r, err)
		return
	}
	status := web.Status(err)
	d, derr := s.commentsData(r.Context(), a, false, 1)
	if derr != nil {
		s.fail(w, r, derr)
		return
	}
	v := d.Comments
	v.Form = commentForm{Name: sub.Name, Email: sub.Email, Body: sub.Body, Notify: sub.Notify}
	if sub.ParentID > 0 {
		if p, err := s.store.GetComment(r.Context(), sub.ParentID); err == nil && p.ArticleID == a.ID && p.Status == news.CommentApproved {
			v.ReplyTo = p
		}
	}
	var ie *news.InvalidError
	var ce *comment.Error
	switch {
	case errors.As(err, &ie):
		v.Errors = ie.Fields
	case errors.As(err, &ce):
		v.Refusal = ce.Message(s.cat, s.settings.Get().Digits)
		if ce.RetryAfter > 0 {
			w.Header().Set("Retry-After", strconv.Itoa(ce.RetrySeconds()))
		}
	}
	s.renderNoStore(w, r, status, "comments", d)
}

// commentSent is GET /comments/{id}/sent: where the form lands.
func (s *Site) commentSent(w http.ResponseWriter, r *http.Request) {
	a := s.publicArticle(w, r, r.PathValue("id"))
	if a == nil {
		return
	}
	msg := "comment_pending"
	switch r.URL.Query().Get("status") {
	case string(news.CommentApproved):
		msg = "comment_published"
	case string(news.CommentPending):
	default:
		s.Error(w, r, http.StatusBadRequest)
		return
	}
	s.notice(w, r, http.StatusOK, msg, news.ArticlePath(a)+"#comments", a.Headline)
}

// reportComment is POST /comment/{id}/report.
func (s *Site) reportComment(w http.ResponseWriter, r *http.Request) {
	c, ok := s.pathComment(w, r)
	if !ok {
		return
	}
	id := c.ID
	back, self := news.CommentsPath(c.ArticleID)+"#c"+strconv.FormatInt(id, 10), "/comment/"+strconv.FormatInt(id, 10)+"/report"
	if r.FormValue("confirm") != "yes" {
		// The comment's button, without a script: one click must not be
		// a report, so the reader is asked first.
		s.showNotice(w, r, http.StatusOK, &noticeView{Message: "comment_report_ask", Back: back, Form: self + "?confirm=yes", Button: "comment_report_yes"})
		return
	}
	if err := s.comments.Report(r.Context(), id, web.ClientIP(r)); err != nil {
		s.fail(w, r, err)
		return
	}
	s.showNotice(w, r, http.StatusOK, &noticeView{Message: "comment_reported", Back: back, Form: self + "/undo", Button: "comment_report_undo"})
}

// unreportComment is POST /comment/{id}/report/undo: the reader takes a
// report back.
func (s *Site) unreportComment(w http.ResponseWriter, r *http.Request) {
	c, ok := s.pathComment(w, r)
	if !ok {
		return
	}
	if err := s.comments.Unreport(r.Context(), c.ID, web.ClientIP(r)); err != nil {
		s.fail(w, r, err)
		return
	}
	s.notice(w, r, http.StatusOK, "comment_report_undone", news.CommentsPath(c.ArticleID)+"#c"+strconv.FormatInt(c.ID, 10), "")
}

// pathComment is the comment of the path's {id}, or a 404 page.
func (s *Site) pathComment(w http.ResponseWriter, r *http.Request) (*news.Comment, bool) {
	id, ok := web.PositiveID(r.PathValue("id"))
	if !ok {
		s.Error(w, r, http.StatusNotFound)
		return nil, false
	}
	c, err := s.store.GetComment(r.Context(), id)
	if err != nil {
		s.Error(w, r, http.StatusNotFound)
		return nil, false
	}
	return c, true
}

// stopReplyNotices is /comments/notices/stop?t=…, the link in a reply
// notice.
func (s *Site) stopReplyNotices(w http.ResponseWriter, r *http.Request) {
	s.stopLink(w, r, stopLink{purpose: comment.StopPurpose, ask: "comment_notices_ask", button: "comment_notices_stop",
		done: "comment_notices_stopped", act: s.store.StopReplyNotices})
}

// noticeView is a short message page with a way back, and optionally a
// button that posts to Form.
type noticeView struct {
	Message   string // catalogue key
	Back      string
	BackLabel string
	Form      string
	Button    string // catalogue key
}

// LiveComments is the live consumer's part for comments: it publishes
// every change of a public comment to the article's topic, as the HTML
// the page itself would show, so scripts insert it without building it.
func (s *Site) commentChanged(ctx context.Context, ev news.Event) error {
	if ev.Comment == 0 {
		return nil
	}
	c, err := s.store.GetComment(ctx, ev.Comment)
	if errors.Is(err, news.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	msg := liveComment{ID: c.ID, Parent: c.ParentID, Count: -1}
	if a, err := s.store.GetArticle(ctx, c.ArticleID); err == nil {
		msg.Count = a.CommentCount
	}
	if c.Status == news.CommentApproved {
		body, err := s.eng.RenderFragment("comment", commentItem{C: *c, ArticleID: c.ArticleID, Open: true})
		if err != nil {
			return err
		}
		msg.HTML = string(body)
	} else {
		msg.Removed = true
	}
	data, err := json.Marshal(msg)
	if err != nil {
		return err
	}
	s.live.Append(commentsTopic(c.ArticleID), live.Message{ID: ev.ID, Event: "comment", Data: data})
	return nil
}

// commentsTopic is the live topic of an article's comments.
func commentsTopic(articleID int64) string { return "comments/" + strconv.FormatInt(articleID, 10) }

type liveComment struct {
	ID      int64  `json:"id"`
	Parent  int64  `json:"parent,omitempty"`
	HTML    string `json:"html,omitempty"`
	Removed bool   `json:"removed,omitempty"`
	Count   int    `json:"count"`
}

// commentItem is what the "comment" template needs.
type commentItem struct {
	C         news.Comment
	ArticleID int64
	Open      bool // replies can be posted
}

// Replies are the item's replies, shown the same way.
func (i commentItem) Replies() []commentItem {
	out := make([]commentItem, len(i.C.Replies))
	for k, r := range i.C.Replies {
		out[k] = commentItem{C: r, ArticleID: i.ArticleID, Open: i.Open}
	}
	return out
}

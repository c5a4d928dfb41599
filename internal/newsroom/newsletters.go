package newsroom

import (
	"cmp"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"time"

	"khabar/internal/news"
	"khabar/internal/newsletter"
)

// newslettersPage is the lists with their subscribers, and the form that
// makes a list (or edits one, on a list's own page).
type newslettersPage struct {
	Lists       []news.NewsletterList
	Subscribers map[int64]int
	Sections    []news.Section
	L           news.NewsletterList // the form's list
	Issues      []issueRow          // a list's page: its latest issues
	Weekdays    []time.Weekday
}

type issueRow struct {
	news.NewsletterIssue
	Stats news.NewsletterStats
}

var weekdays = []time.Weekday{time.Saturday, time.Sunday, time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday}

// newslettersIndex is GET /admin/newsletters.
func (n *Newsroom) newslettersIndex(w http.ResponseWriter, r *http.Request) {
	n.renderNewsletters(w, r, http.StatusOK, &newslettersPage{L: news.NewsletterList{Cadence: news.CadenceDaily, SendTime: "07:00", Enabled: true}}, nil)
}

func (n *Newsroom) renderNewsletters(w http.ResponseWriter, r *http.Request, status int, p *newslettersPage, errs map[string]string) {
	ctx := r.Context()
	var err error
	p.Weekdays = weekdays
	if p.Lists, err = n.store.NewsletterLists(ctx, false); err == nil {
		if p.Subscribers, err = n.store.NewsletterSubscriberCounts(ctx); err == nil {
			p.Sections, err = n.store.ListSections(ctx)
		}
	}
	if err != nil {
		n.fail(w, r, fmt.Errorf("newsletters page: %w", err))
		return
	}
	n.render(w, status, "newsletters", &data{User: userFrom(ctx), Title: n.cat.T("admin_newsletters"), Page: p, Errors: errs, Flash: flash(r)})
}

// newsletterList is GET /admin/newsletters/{id}: the list's settings and
// its issues.
func (n *Newsroom) newsletterList(w http.ResponseWriter, r *http.Request) {
	id, ok := parseID(r)
	if !ok {
		n.Error(w, r, http.StatusNotFound)
		return
	}
	l, err := n.store.GetNewsletterList(r.Context(), id)
	if err != nil {
		n.fail(w, r, err)
		return
	}
	n.renderNewsletterList(w, r, http.StatusOK, &newslettersPage{L: *l}, nil)
}

func (n *Newsroom) renderNewsletterList(w http.ResponseWriter, r *http.Request, status int, p *newslettersPage, errs map[string]string) {
	ctx := r.Context()
	p.Weekdays = weekdays
	issues, err := n.store.NewsletterIssues(ctx, p.L.ID, 20)
	if err == nil {
		p.Sections, err = n.store.ListSections(ctx)
	}
	for _, is := range issues {
		if err != nil {
			break
		}
		row := issueRow{NewsletterIssue: is}
		row.Stats, err = n.store.NewsletterStats(ctx, is.ID)
		p.Issues = append(p.Issues, row)
	}
	if err != nil {
		n.fail(w, r, fmt.Errorf("newsletter page: %w", err))
		return
	}
	n.render(w, status, "newsletter", &data{User: userFrom(ctx), Title: p.L.Name, Page: p, Errors: errs, Flash: flash(r)})
}

// listFromForm reads the list form.
func listFromForm(r *http.Request) news.NewsletterList {
	l := news.NewsletterList{Name: r.PostForm.Get("name"), Description: r.PostForm.Get("description"), Cadence: r.PostForm.Get("cadence"),
		SendTime: r.PostForm.Get("send_time"), Enabled: r.PostForm.Get("enabled") == "on", CountClicks: r.PostForm.Get("count_clicks") == "on", Weekday: -1}
	if d, err := strconv.Atoi(r.PostForm.Get("weekday")); err == nil {
		l.Weekday = time.Weekday(d)
	}
	if v := r.PostForm.Get("section"); v != "" {
		l.SectionID = -1
		if id, err := strconv.ParseInt(v, 10, 64); err == nil && id > 0 {
			l.SectionID = id
		}
	}
	return l
}

// createNewsletter is POST /admin/newsletters.
func (n *Newsroom) createNewsletter(w http.ResponseWriter, r *http.Request) {
	if !n.parseForm(w, r) {
		return
	}
	l := listFromForm(r)
	if err := n.store.SaveNewsletterList(r.Context(), &l, userFrom(r.Context()).Actor()); err != nil {
		errs := map[string]string{}
		if !fieldErrors(err, errs) {
			n.fail(w, r, err)
			return
		}
		n.renderNewsletters(w, r, http.StatusUnprocessableEntity, &newslettersPage{L: l}, errs)
		return
	}
	http.Redirect(w, r, "/admin/newsletters/"+strconv.FormatInt(l.ID, 10)+"?done=newsletter_saved", http.StatusSeeOther)
}

// saveNewsletter is POST /admin/newsletters/{id}.
func (n *Newsroom) saveNewsletter(w http.ResponseWriter, r *http.Request) {
	id, ok := n.postedID(w, r)
	if !ok {
		return
	}
	l := listFromForm(r)
	l.ID = id
	if err := n.store.SaveNewsletterList(r.Context(), &l, userFrom(r.Context()).Actor()); err != nil {
		errs := map[string]string{}
		if !fieldErrors(err, errs) {
			n.fail(w, r, err)
			return
		}
		n.renderNewsletterList(w, r, http.StatusUnprocessableEntity, &newslettersPage{L: l}, errs)
		return
	}
	http.Redirect(w, r, "/admin/newsletters/"+strconv.FormatInt(id, 10)+"?done=newsletter_saved", http.StatusSeeOther)
}

// draftNewsletter is POST /admin/newsletters/{id}/draft: the list's next
// issue, built now (the scheduler builds it too, every minute).
func (n *Newsroom) draftNewsletter(w http.ResponseWriter, r *http.Request) {
	id, ok := n.postedID(w, r)
	if !ok {
		return
	}
	l, err := n.store.GetNewsletterList(r.Context(), id)
	if err != nil {
		n.fail(w, r, err)
		return
	}
	is, err := n.newsletters.Draft(r.Context(), l, l.NextSlot(time.Now(), n.settings.Get().DateFormat().Location))
	if err != nil {
		n.fail(w, r, err)
		return
	}
	http.Redirect(w, r, issuePath(is.ID), http.StatusSeeOther)
}

func issuePath(id int64) string { return "/admin/newsletter-issues/" + strconv.FormatInt(id, 10) }

// issuePage is an issue with its stories, its text part and its numbers.
type issuePage struct {
	I       *news.NewsletterIssue
	L       *news.NewsletterList
	Stories []news.Article
	Preview *newsletter.Preview
	Stats   news.NewsletterStats
}

// newsletterIssue is GET /admin/newsletter-issues/{id}.
func (n *Newsroom) newsletterIssue(w http.ResponseWriter, r *http.Request) {
	id, ok := parseID(r)
	if !ok {
		n.Error(w, r, http.StatusNotFound)
		return
	}
	n.renderIssue(w, r, http.StatusOK, id, nil, nil)
}

// renderIssue shows issue id; edited, when set, is the editor's refused
// form.
func (n *Newsroom) renderIssue(w http.ResponseWriter, r *http.Request, status int, id int64, edited *news.NewsletterIssue, errs map[string]string) {
	ctx := r.Context()
	p := &issuePage{}
	var err error
	if p.I, err = n.store.GetNewsletterIssue(ctx, id); err == nil {
		if p.L, err = n.store.GetNewsletterList(ctx, p.I.ListID); err == nil {
			if p.Preview, err = n.newsletters.Preview(ctx, id); err == nil {
				p.Stats, err = n.store.NewsletterStats(ctx, id)
			}
		}
	}
	var arts map[int64]*news.Article
	if err == nil {
		if edited != nil {
			p.I.Subject, p.I.Intro = edited.Subject, edited.Intro
		}
		arts, err = n.store.ArticlesByIDs(ctx, p.I.Articles)
	}
	if err != nil {
		n.fail(w, r, err)
		return
	}
	for _, aid := range p.I.Articles {
		if a := arts[aid]; a != nil {
			p.Stories = append(p.Stories, *a)
		}
	}
	n.render(w, status, "newsletter_issue", &data{User: userFrom(ctx), Title: p.I.Subject, Page: p, Errors: errs, Flash: flash(r)})
}

// newsletterPreview is GET /admin/newsletter-issues/{id}/preview: the
// mail's HTML exactly as sent. It is a mail, with the inline styles mail
// needs, so it gets a policy of its own: no script, nothing loaded but
// its pictures, a sandbox.
func (n *Newsroom) newsletterPreview(w http.ResponseWriter, r *http.Request) {
	id, ok := parseID(r)
	if !ok {
		n.Error(w, r, http.StatusNotFound)
		return
	}
	p, err := n.newsletters.Preview(r.Context(), id)
	if err != nil {
		n.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Security-Policy", "default-src 'none'; img-src 'self' https: data:; style-src 'unsafe-inline'; frame-ancestors 'self'; sandbox")
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Write([]byte(p.HTML))
}

// editNewsletterIssue is POST /admin/newsletter-issues/{id}: subject,
// introduction, the stories' order (pos-<id>) and the ones to drop.
func (n *Newsroom) editNewsletterIssue(w http.ResponseWriter, r *http.Request) {
	id, ok := n.postedID(w, r)
	if !ok {
		return
	}
	is, err := n.store.GetNewsletterIssue(r.Context(), id)
	if err != nil {
		n.fail(w, r, err)
		return
	}
	drop := map[string]bool{}
	for _, v := range r.PostForm["drop"] {
		drop[v] = true
	}
	type placed struct {
		id  int64
		pos int
	}
	var order []placed
	for i, aid := range is.Articles {
		key := strconv.FormatInt(aid, 10)
		if drop[key] {
			continue
		}
		pos, err := strconv.Atoi(r.PostForm.Get("pos-" + key))
		if err != nil {
			pos = i + 1
		}
		order = append(order, placed{aid, pos})
	}
	slices.SortStableFunc(order, func(a, b placed) int { return cmp.Compare(a.pos, b.pos) })
	edited := &news.NewsletterIssue{ID: id, Subject: r.PostForm.Get("subject"), Intro: r.PostForm.Get("intro")}
	for _, o := range order {
		edited.Articles = append(edited.Articles, o.id)
	}
	if err := n.store.EditNewsletterIssue(r.Context(), edited, userFrom(r.Context()).Actor()); err != nil {
		errs := map[string]string{}
		switch {
		case errors.Is(err, news.ErrConflict):
			errs["subject"] = "newsletter_issue_gone_out"
		case !fieldErrors(err, errs):
			n.fail(w, r, err)
			return
		}
		n.renderIssue(w, r, http.StatusUnprocessableEntity, id, edited, errs)
		return
	}
	http.Redirect(w, r, issuePath(id)+"?done=newsletter_saved", http.StatusSeeOther)
}

// sendNewsletterIssue is POST /admin/newsletter-issues/{id}/send: send
// now, whatever the list's time.
func (n *Newsroom) sendNewsletterIssue(w http.ResponseWriter, r *http.Request) {
	id, ok := n.postedID(w, r)
	if !ok {
		return
	}
	err := n.newsletters.Start(r.Context(), id, userFrom(r.Context()).Actor())
	if errors.Is(err, news.ErrConflict) {
		n.renderIssue(w, r, http.StatusConflict, id, nil, map[string]string{"subject": "newsletter_issue_gone_out"})
		return
	}
	if err != nil {
		n.fail(w, r, err)
		return
	}
	http.Redirect(w, r, issuePath(id)+"?done=newsletter_sending", http.StatusSeeOther)
}

package comment

import (
	"context"
	"errors"
	"log/slog"
	"strconv"
	"time"

	"khabar/internal/alert"
	"khabar/internal/locale"
	"khabar/internal/news"
	"khabar/internal/store"
)

// Notifier e-mails a commenter who asked for it when a reply to them is
// published. It is a durable outbox consumer: approval is an event, and
// the notice goes out once even if approval is repeated or edited.
type Notifier struct {
	Store  *store.Store
	Email  *alert.Email
	Tokens *alert.Tokens
	Base   string // the site's origin
	Cat    *locale.Catalog
	Log    *slog.Logger
}

// noticeLinkLife is how long a notice's stop link works.
const noticeLinkLife = 365 * 24 * time.Hour

// StopPurpose is what the stop links of reply notices are signed for.
const StopPurpose = "comment-replies"

// HandleEvent sends the notice of a newly published reply.
func (n *Notifier) HandleEvent(ctx context.Context, ev news.Event) error {
	if ev.Kind != news.EventCommentChanged || ev.Comment == 0 {
		return nil
	}
	c, err := n.Store.GetComment(ctx, ev.Comment)
	if errors.Is(err, news.ErrNotFound) {
		return nil
	}
	if err != nil || c.Status != news.CommentApproved || c.ParentID == 0 {
		return err
	}
	parent, err := n.Store.GetComment(ctx, c.ParentID)
	if err != nil || !parent.Notify || parent.Email == "" || parent.Status != news.CommentApproved || parent.Identity == c.Identity {
		return err
	}
	first, err := n.Store.MarkCommentNotified(ctx, c.ID, true)
	if err != nil || !first {
		return err
	}
	a, err := n.Store.GetArticle(ctx, c.ArticleID)
	if err != nil {
		return err
	}
	excerpt := []rune(c.Body)
	if len(excerpt) > 300 {
		excerpt = append(excerpt[:300], '…')
	}
	msg, err := n.Email.AlertMessage(&alert.Alert{ID: c.ID, Title: n.Cat.T("comment_reply_mail_title"), Lang: n.Cat.Lang(),
		Text: c.Name + ": " + string(excerpt), URL: n.Base + news.ArticlePath(a) + "#c" + strconv.FormatInt(c.ID, 10)},
		alert.EmailRecipient{Address: parent.Email,
			UnsubscribeURL: n.Base + "/comments/notices/stop?t=" + n.Tokens.Make(parent.Email, StopPurpose, time.Now().Add(noticeLinkLife))})
	if err == nil {
		err = n.Email.Deliver(ctx, parent.Email, msg)
	}
	switch alert.OutcomeOf(err) {
	case alert.Delivered:
		return nil
	case alert.Retry:
		// Not sent: let the outbox try again later.
		if _, uerr := n.Store.MarkCommentNotified(context.WithoutCancel(ctx), c.ID, false); uerr != nil {
			return uerr
		}
		return err
	}
	n.Log.Warn("reply notice not sent", "comment", c.ID, "err", err)
	return nil
}

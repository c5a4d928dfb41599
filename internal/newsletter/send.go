package newsletter

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"

	"khabar/internal/alert"
	"khabar/internal/news"
)

// chunk is how many recipients are read at once.
const chunk = 200

// ErrRetryLater means some recipients met a temporary failure (a 4xx
// answer, a dropped connection): the batch is to run again later, and
// mails only them.
var ErrRetryLater = errors.New("newsletter: some recipients are to be tried again")

// SendBatch mails one batch of an issue. Each recipient is claimed in the
// database before their mail goes and marked after, so a batch run again
// (a retry, another node after a crash, two nodes at once) mails nobody
// twice: a claim left by a crash counts as sent. Suppressed addresses are
// skipped; a permanent refusal of an address suppresses it. On the last
// attempt (final) temporary failures are recorded as failed and the batch
// ends.
func (s *Service) SendBatch(ctx context.Context, batchID int64, final bool) error {
	b, err := s.Store.GetNewsletterBatch(ctx, batchID)
	if err != nil || b.Done {
		return err
	}
	is, err := s.Store.GetNewsletterIssue(ctx, b.IssueID)
	if err != nil {
		return err
	}
	l, err := s.Store.GetNewsletterList(ctx, is.ListID)
	if err != nil {
		return err
	}
	m, err := s.compose(ctx, is, l)
	if err != nil {
		return err
	}
	var (
		after int64
		retry atomic.Int64
	)
	for {
		// A stop (node shutting down) ends the batch between chunks; mails
		// under way finish and are recorded (sendOne).
		if err := ctx.Err(); err != nil {
			return err
		}
		list, err := s.Store.NewsletterRecipients(ctx, b, after, chunk)
		if err != nil {
			return err
		}
		if len(list) == 0 {
			break
		}
		after = list[len(list)-1].ID
		if err := s.sendChunk(ctx, is, m, list, final, &retry); err != nil {
			return err
		}
	}
	if n := retry.Load(); n > 0 {
		return fmt.Errorf("batch %d: %d recipients: %w", b.ID, n, ErrRetryLater)
	}
	return s.Store.FinishNewsletterBatch(ctx, b)
}

// sendChunk mails list with Workers mails at once; it returns the first
// database error.
func (s *Service) sendChunk(ctx context.Context, is *news.NewsletterIssue, m *issueMail, list []news.NewsletterRecipient, final bool, retry *atomic.Int64) error {
	var (
		next  atomic.Int64
		wg    sync.WaitGroup
		mu    sync.Mutex
		first error
	)
	for range min(cmp.Or(s.Workers, 8), len(list)) {
		wg.Go(func() {
			for {
				i := int(next.Add(1) - 1)
				if i >= len(list) || ctx.Err() != nil {
					return
				}
				if err := s.sendOne(ctx, is, m, list[i], final, retry); err != nil {
					mu.Lock()
					first = cmp.Or(first, err)
					mu.Unlock()
					return
				}
			}
		})
	}
	wg.Wait()
	return first
}

// sendOne claims, mails and records one recipient. Once begun it is not
// cut short by ctx: a claim whose mail never went, or a mail half sent
// when the node stops, would be neither known sent nor safe to send
// again.
func (s *Service) sendOne(ctx context.Context, is *news.NewsletterIssue, m *issueMail, r news.NewsletterRecipient, final bool, retry *atomic.Int64) error {
	ctx = context.WithoutCancel(ctx)
	ok, err := s.Store.ClaimNewsletterDelivery(ctx, is.ID, r.ID)
	if err != nil || !ok {
		return err
	}
	unsubscribe := s.UnsubscribeURL(r.Email, is.ListID)
	html, text, err := m.render(unsubscribe)
	if err != nil {
		return err
	}
	msg, err := s.Email.ListMessage(alert.EmailRecipient{Address: r.Email, UnsubscribeURL: unsubscribe}, is.Subject, text, html)
	if err == nil {
		err = s.Email.Deliver(ctx, r.Email, msg)
	}
	state, detail := news.DeliverySent, ""
	switch {
	case err == nil:
	// Only "no such mailbox" (5.1.x) says the address is dead; a refusal
	// for policy or content (5.7.x) says nothing of it and is a failure.
	case alert.OutcomeOf(err) == alert.Gone:
		state, detail = news.DeliveryBounced, err.Error()
		if err := s.Store.Suppress(ctx, r.Email, "bounce"); err != nil {
			return err
		}
	case alert.OutcomeOf(err) == alert.Retry && !final:
		state = "" // released: the next attempt mails them
		retry.Add(1)
	default:
		state, detail = news.DeliveryFailed, err.Error()
	}
	if err != nil {
		s.Log.Warn("newsletter mail not delivered", "issue", is.ID, "subscriber", r.ID, "outcome", cmp.Or(state, "retry"), "err", err)
	}
	return s.Store.FinishNewsletterDelivery(ctx, is.ID, r.ID, state, detail)
}

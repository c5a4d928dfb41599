// Package newsletter owns the outlet's newsletters: the lists readers
// subscribe to (double opt-in through alert's e-mail confirmation), the
// digests built from the day's stories that editors may edit before they
// go, and their sending in batches through alert's e-mail sender, with
// one-click unsubscribe, bounce suppression and no tracking pixel.
package newsletter

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/mail"
	"strconv"
	"strings"
	"time"

	"khabar/internal/alert"
	"khabar/internal/locale"
	"khabar/internal/news"
	"khabar/internal/store"
)

// Service is the newsletters of one outlet.
type Service struct {
	Store  *store.Store
	Email  *alert.Email
	Tokens *alert.Tokens // alert's signer, with its key in the secrets table
	Base   string        // the site's origin, for links
	Cat    *locale.Catalog
	// Dates is the outlet's date style and time zone now; SiteName its
	// name now.
	Dates    func() locale.DateFormat
	SiteName func() string
	// Enqueue hands started batches to the job queue (jobs wires it).
	Enqueue   func(ctx context.Context, batches []news.NewsletterBatch) error
	BatchSize int // recipients per batch; 500 when zero
	Workers   int // mails at once within a batch; 8 when zero
	Log       *slog.Logger
}

// Link lifetimes: a confirmation is asked for now; an unsubscribe link
// must work from an old mail.
const (
	confirmLife     = 7 * 24 * time.Hour
	unsubscribeLife = 2 * 365 * 24 * time.Hour
	clickLife       = 365 * 24 * time.Hour
)

// Token purposes: alert's tokens bind an e-mail address to a purpose; a
// newsletter token carries its list ids before the address.
const (
	purposeConfirm     = "newsletter-confirm"
	purposeUnsubscribe = "newsletter-unsubscribe"
	purposeClick       = "newsletter-click"
)

// Errors a reader's request may meet.
var (
	ErrBadAddress = errors.New("newsletter: not an e-mail address")
	ErrNoList     = errors.New("newsletter: no such list")
)

// MaxAddress bounds an address (RFC 5321's path limit).
const MaxAddress = 254

// CheckAddress reads a reader's address as typed: one plain address, no
// name, no line breaks, at most MaxAddress bytes; it returns it in lower
// case.
func CheckAddress(raw string) (string, error) {
	raw = strings.TrimSpace(raw)
	if len(raw) > MaxAddress || strings.ContainsAny(raw, "\r\n") {
		return "", ErrBadAddress
	}
	addr, err := mail.ParseAddress(raw)
	if err != nil || addr.Address != raw || addr.Name != "" {
		return "", ErrBadAddress
	}
	return strings.ToLower(raw), nil
}

// subjectOf binds list ids and an address in one token subject.
func subjectOf(lists []int64, email string) string {
	ids := make([]string, len(lists))
	for i, id := range lists {
		ids[i] = strconv.FormatInt(id, 10)
	}
	return strings.Join(ids, ",") + " " + email
}

// parseSubject reads what subjectOf made; ids come first and hold no
// space, so the address may hold anything.
func parseSubject(s string) ([]int64, string, error) {
	ids, email, ok := strings.Cut(s, " ")
	if !ok || email == "" {
		return nil, "", alert.ErrBadToken
	}
	var lists []int64
	for f := range strings.SplitSeq(ids, ",") {
		id, err := strconv.ParseInt(f, 10, 64)
		if err != nil || id <= 0 {
			return nil, "", alert.ErrBadToken
		}
		lists = append(lists, id)
	}
	return lists, email, nil
}

// Subscribe records email on lists (enabled ones only, each at most
// once) and mails the double opt-in link; the address receives nothing
// else until it is opened.
func (s *Service) Subscribe(ctx context.Context, email string, lists []int64) error {
	enabled, err := s.Store.NewsletterLists(ctx, true)
	if err != nil {
		return err
	}
	// Each list may be named once: the first time it is taken, the
	// second time it is already chosen.
	const open, taken = 1, 2
	known := map[int64]int{}
	for _, l := range enabled {
		known[l.ID] = open
	}
	var chosen []int64
	for _, id := range lists {
		switch known[id] {
		case open:
			known[id] = taken
			chosen = append(chosen, id)
		case 0:
			return ErrNoList
		}
	}
	if len(chosen) == 0 {
		return ErrNoList
	}
	if err := s.Store.AddNewsletterSubscriber(ctx, email, chosen); err != nil {
		return err
	}
	link := s.Base + "/newsletter/confirm?token=" + s.Tokens.Make(subjectOf(chosen, email), purposeConfirm, time.Now().Add(confirmLife))
	msg, err := s.Email.ConfirmationMessage(alert.Confirmation{To: email, Subject: s.Cat.T("newsletter_confirm_subject", s.SiteName()),
		Intro: s.Cat.T("newsletter_confirm_intro"), Action: s.Cat.T("email_confirm_action"), Ignore: s.Cat.T("email_confirm_ignore"),
		URL: link, Lang: s.Cat.Lang(), Dir: s.Cat.Dir()})
	if err != nil {
		return fmt.Errorf("newsletter confirmation: %w", err)
	}
	return s.Email.Deliver(ctx, email, msg)
}

// Confirm opens a confirmation link's token.
func (s *Service) Confirm(ctx context.Context, token string) error {
	subject, err := s.Tokens.Verify(token, purposeConfirm, time.Now())
	if err != nil {
		return err
	}
	lists, email, err := parseSubject(subject)
	if err != nil {
		return err
	}
	return s.Store.ConfirmNewsletterSubscriber(ctx, email, lists)
}

// UnsubscribeURL is the one-click link of email on list.
func (s *Service) UnsubscribeURL(email string, listID int64) string {
	return s.Base + "/newsletter/unsubscribe?token=" + s.Tokens.Make(subjectOf([]int64{listID}, email), purposeUnsubscribe, time.Now().Add(unsubscribeLife))
}

// VerifyUnsubscribe checks an unsubscribe link's token and returns what
// Unsubscribe takes.
func (s *Service) VerifyUnsubscribe(token string) (string, error) {
	subject, err := s.Tokens.Verify(token, purposeUnsubscribe, time.Now())
	if err != nil {
		return "", err
	}
	if lists, _, err := parseSubject(subject); err != nil || len(lists) != 1 {
		return "", alert.ErrBadToken
	}
	return subject, nil
}

// Unsubscribe takes an address off a list, as a verified unsubscribe
// token names them; doing it twice is no error (RFC 8058 POSTs may
// repeat).
func (s *Service) Unsubscribe(ctx context.Context, subject string) error {
	lists, email, err := parseSubject(subject)
	if err != nil || len(lists) != 1 {
		return alert.ErrBadToken
	}
	return s.Store.RemoveNewsletterSubscriber(ctx, email, lists[0])
}

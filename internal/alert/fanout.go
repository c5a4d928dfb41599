package alert

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strconv"
	"time"
	"unicode/utf8"

	"khabar/internal/news"
	"khabar/internal/store"
)

// Channel names, as stored with alerts.
const (
	ChannelPush     = "push"
	ChannelTelegram = "telegram"
	ChannelEmail    = "email"
	ChannelWebhook  = "webhook"
)

// Fanout delivers stored alerts to every subscriber of every chosen
// channel. An alert is cut into batches (Plan); each batch (Deliver) runs
// to its end, saving its progress as it goes and holding a lease, so a
// batch cut short by a restart resumes where it stopped, on whichever node
// takes it, without sending twice what was delivered.
type Fanout struct {
	Store *store.Store
	// The channels; nil (or empty) ones are not configured.
	Push         *WebPush
	Telegram     *Telegram
	TelegramChat string
	Email        *Email
	// EmailUnsubscribe is the one-click unsubscribe link of an address.
	EmailUnsubscribe func(email string) string
	Webhook          *Webhook
	Webhooks         []WebhookTarget

	Lang func() string // the outlet's language now, for the notifications
	// ArticleURL is an article's absolute URL, for alerts made on
	// publication.
	ArticleURL func(a *news.Article) string
	BatchSize  int // subscriptions per batch; 500 when zero
	Workers    int // sends at once within a batch; 64 when zero
	Attempts   int // tries per recipient for retryable failures; 3 when zero
	Backoff    Backoff
	Owner      string // this node's name, for leases
	Log        *slog.Logger
	Metrics    *Metrics // nil: not counted
}

// Channels lists the configured channels.
func (f *Fanout) Channels() []string {
	var out []string
	if f.Push != nil {
		out = append(out, ChannelPush)
	}
	if f.Telegram != nil && f.TelegramChat != "" {
		out = append(out, ChannelTelegram)
	}
	if f.Email != nil && f.EmailUnsubscribe != nil {
		out = append(out, ChannelEmail)
	}
	if f.Webhook != nil && len(f.Webhooks) > 0 {
		out = append(out, ChannelWebhook)
	}
	return out
}

func (f *Fanout) batchSize() int { return cmp.Or(f.BatchSize, 500) }

// Plan cuts an alert into batches, once; run again (after a restart) it
// returns the batches already planned.
func (f *Fanout) Plan(ctx context.Context, alertID int64) ([]news.AlertDelivery, error) {
	a, err := f.Store.GetAlert(ctx, alertID)
	if err != nil {
		return nil, err
	}
	var batches []news.AlertDelivery
	configured := map[string]bool{}
	for _, c := range f.Channels() {
		configured[c] = true
	}
	for _, ch := range a.Channels {
		var bs []news.AlertDelivery
		switch {
		case !configured[ch]:
			bs = []news.AlertDelivery{{Channel: ch, Error: "not configured"}}
		case ch == ChannelPush || ch == ChannelEmail:
			if bs, err = f.Store.SubscriptionBatches(ctx, ch, a.Topic, f.batchSize()); err != nil {
				return nil, err
			}
		case ch == ChannelTelegram:
			bs = []news.AlertDelivery{{Channel: ch, FirstID: 1, LastID: 1, Total: 1}}
		case ch == ChannelWebhook:
			bs = []news.AlertDelivery{{Channel: ch, FirstID: 1, LastID: int64(len(f.Webhooks)), Total: len(f.Webhooks)}}
		}
		if len(bs) == 0 {
			bs = []news.AlertDelivery{{Channel: ch}} // nobody subscribed: shown as done, 0 of 0
		}
		batches = append(batches, bs...)
	}
	return f.Store.PlanDeliveries(ctx, alertID, batches)
}

// leaseTime is how long a batch stays taken without a checkpoint.
const leaseTime = 2 * time.Minute

// ErrBatchTaken means another node is sending the batch now.
var ErrBatchTaken = errors.New("batch is being sent by another node")

// chunk is how many recipients are sent between two checkpoints.
const chunk = 100

// Deliver sends one batch to its end.
func (f *Fanout) Deliver(ctx context.Context, deliveryID int64) error {
	d, err := f.Store.GetDelivery(ctx, deliveryID)
	if err != nil || d.Done {
		return err
	}
	if ok, err := f.Store.ClaimDelivery(ctx, d.ID, f.Owner, leaseTime); err != nil || !ok {
		if err == nil {
			err = ErrBatchTaken
		}
		return err
	}
	stored, err := f.Store.GetAlert(ctx, d.AlertID)
	if err != nil {
		return err
	}
	a := &Alert{ID: stored.ID, Title: stored.Title, Text: stored.Text, URL: stored.URL, Urgency: Urgency(stored.Urgency),
		Topic: stored.Topic, Lang: f.Lang(), Created: stored.CreatedAt}
	next, skip := d.DoneUpTo, d.Skip
	for {
		if ok, err := f.Store.ClaimDelivery(ctx, d.ID, f.Owner, leaseTime); err != nil || !ok {
			if err == nil {
				err = ErrBatchTaken
			}
			return err
		}
		res, err := f.sendChunk(ctx, a, d, next, skip)
		if err != nil {
			return fmt.Errorf("deliver alert %d on %s: %w", d.AlertID, d.Channel, err)
		}
		// What was sent is recorded even when the batch is being cut
		// short: that is the point of the checkpoint.
		keep := context.WithoutCancel(ctx)
		if len(res.gone) > 0 {
			if err := f.Store.DeletePushSubscriptions(keep, res.gone); err != nil {
				return err
			}
		}
		next, skip = res.last, res.skip
		done := res.fetched == 0 || next >= d.LastID
		err = f.Store.RecordDelivery(keep, d.ID, store.DeliveryProgress{DoneUpTo: next, Skip: skip, Sent: res.sent, Failed: res.failed,
			Gone: len(res.gone), Done: done, LastErr: res.lastErr})
		if err != nil || done {
			return err
		}
		if err := ctx.Err(); err != nil {
			return err
		}
	}
}

type chunkResult struct {
	fetched      int // recipients read for this chunk
	sent, failed int
	gone         []int64
	last         int64   // the new checkpoint
	skip         []int64 // answered past it
	lastErr      string
}

// recipients reads the next recipients after id `after` and returns their
// ids and a function that sends to those at the given positions.
func (f *Fanout) recipients(ctx context.Context, a *Alert, d *news.AlertDelivery, after int64) ([]int64, func(pick []int) []error, error) {
	switch d.Channel {
	case ChannelPush:
		subs, err := f.Store.PushSubscriptions(ctx, a.Topic, after, d.LastID, chunk)
		return stored(ctx, f, f.Push, a, subs, err, func(s news.PushSubscription) (int64, Subscription) {
			return s.ID, Subscription{Endpoint: s.Endpoint, P256dh: s.P256dh, Auth: s.Auth}
		})
	case ChannelEmail:
		subs, err := f.Store.EmailSubscribers(ctx, a.Topic, after, d.LastID, chunk)
		return stored(ctx, f, f.Email, a, subs, err, func(s news.EmailSubscriber) (int64, EmailRecipient) {
			return s.ID, EmailRecipient{Address: s.Email, UnsubscribeURL: f.EmailUnsubscribe(s.Email)}
		})
	case ChannelTelegram:
		if after >= 1 {
			return nil, nil, nil
		}
		return []int64{1}, func(pick []int) []error { return sendAll(ctx, f, f.Telegram, a, []string{f.TelegramChat}[:len(pick)]) }, nil
	case ChannelWebhook:
		var ids []int64
		for i := after; i < d.LastID && i < int64(len(f.Webhooks)) && len(ids) < chunk; i++ {
			ids = append(ids, i+1)
		}
		return ids, func(pick []int) []error {
			to := make([]WebhookTarget, len(pick))
			for k, i := range pick {
				to[k] = f.Webhooks[ids[i]-1]
			}
			return sendAll(ctx, f, f.Webhook, a, to)
		}, nil
	}
	return nil, nil, nil // not configured: nothing to send, the batch closes
}

// stored is recipients for subscribers read from the database: their ids,
// and the send to those picked, each made a recipient by as.
func stored[S, R any](ctx context.Context, f *Fanout, sender Sender[R], a *Alert, subs []S, err error, as func(S) (int64, R)) ([]int64, func([]int) []error, error) {
	if err != nil {
		return nil, nil, err
	}
	// One pass: making an e-mail recipient signs its unsubscribe link.
	ids, rs := make([]int64, len(subs)), make([]R, len(subs))
	for i, s := range subs {
		ids[i], rs[i] = as(s)
	}
	return ids, func(pick []int) []error {
		to := make([]R, len(pick))
		for k, i := range pick {
			to[k] = rs[i]
		}
		return sendAll(ctx, f, sender, a, to)
	}, nil
}

// sendChunk sends to the next recipients after `after`, skipping those in
// skip, and works out the new checkpoint. Sends finish out of order: when
// the chunk is cut short, the checkpoint stops before the first recipient
// not answered, and those answered past it are kept in skip, so a resumed
// batch neither misses nor repeats anyone.
func (f *Fanout) sendChunk(ctx context.Context, a *Alert, d *news.AlertDelivery, after int64, skip []int64) (chunkResult, error) {
	res := chunkResult{last: after}
	ids, send, err := f.recipients(ctx, a, d, after)
	if err != nil || len(ids) == 0 {
		return res, err
	}
	res.fetched = len(ids)
	var pick []int
	for i, id := range ids {
		if !slices.Contains(skip, id) {
			pick = append(pick, i)
		}
	}
	answered := make([]bool, len(ids))
	for i := range ids {
		answered[i] = true
	}
	for k, err := range send(pick) {
		i := pick[k]
		if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
			answered[i] = false
			continue
		}
		outcome := OutcomeOf(err)
		f.Metrics.delivered(d.Channel, outcome)
		switch outcome {
		case Delivered:
			res.sent++
		case Gone:
			if d.Channel == ChannelPush {
				res.gone = append(res.gone, ids[i])
			} else {
				res.failed++
			}
		default:
			res.failed++
			res.lastErr = err.Error()
			if f.Log != nil {
				f.Log.Warn("alert delivery failed", "alert", a.ID, "channel", d.Channel, "recipient", ids[i], "err", err)
			}
		}
	}
	i := 0
	for i < len(ids) && answered[i] {
		res.last = ids[i]
		i++
	}
	for ; i < len(ids); i++ {
		if answered[i] {
			res.skip = append(res.skip, ids[i])
		}
	}
	if res.last == after && len(res.skip) == len(skip) && ctx.Err() != nil {
		return res, ctx.Err()
	}
	return res, nil
}

// sendAll is SendAll with retries of retryable failures, within the
// batch: waiting as long as the peer asked, up to Attempts tries.
func sendAll[R any](ctx context.Context, f *Fanout, s Sender[R], a *Alert, to []R) []error {
	return SendAll(ctx, retrying[R]{s: s, attempts: cmp.Or(f.Attempts, 3), backoff: f.Backoff}, a, to, cmp.Or(f.Workers, 64))
}

type retrying[R any] struct {
	s        Sender[R]
	attempts int
	backoff  Backoff
}

func (r retrying[R]) Send(ctx context.Context, a *Alert, to R) error {
	var err error
	for attempt := range r.attempts {
		if err = r.s.Send(ctx, a, to); OutcomeOf(err) != Retry || attempt == r.attempts-1 {
			return err
		}
		b := r.backoff
		if b.Base == 0 {
			b = DefaultBackoff
		}
		wait := min(b.Next(err, attempt), maxInBatchWait)
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(wait):
		}
	}
	return err
}

// maxInBatchWait caps a wait inside a batch: a recipient that asks for
// longer is counted as failed rather than holding the whole batch.
const maxInBatchWait = 30 * time.Second

// Owner names this process for leases: host and process id.
func Owner(host string, pid int) string { return host + ":" + strconv.Itoa(pid) }

// Check validates an alert before it is stored: its fields and payload
// size, a topic that is "breaking" or one of sections, and channels that
// are configured. Errors are *news.InvalidError with field codes.
func (f *Fanout) Check(a *news.Alert, sections []string) error {
	probe := &Alert{Title: a.Title, Text: a.Text, URL: a.URL, Urgency: Urgency(a.Urgency), Topic: a.Topic, Lang: f.Lang()}
	err := probe.Validate()
	var v news.Invalid
	if ie, ok := errors.AsType[*news.InvalidError](err); ok {
		v.Fields = ie.Fields
	} else if err != nil {
		return err
	}
	if a.Topic != TopicBreaking && !slices.Contains(sections, a.Topic) {
		v.Add("topic", "unknown")
	}
	configured := f.Channels()
	if len(a.Channels) == 0 {
		v.Add("channels", "required")
	}
	for _, ch := range a.Channels {
		if !slices.Contains(configured, ch) {
			v.Add("channels", "unknown")
		}
	}
	return v.Err()
}

// TopicBreaking is the topic every alert subscriber gets.
const TopicBreaking = "breaking"

// AskOnPublish keeps the "send an alert when published" channels asked
// for a by (those of asked this outlet has; none withdraws the request),
// and returns them. If a is published already (the same save published
// it), the alert is made now: the outbox's consumer may have seen the
// publication before the request was stored, and taking the request twice
// makes one alert at most. The newsroom's form and the content API both
// ask through here.
func (f *Fanout) AskOnPublish(ctx context.Context, a *news.Article, asked []string, by news.Actor) ([]string, error) {
	chosen := []string{}
	for _, ch := range asked {
		if slices.Contains(f.Channels(), ch) && !slices.Contains(chosen, ch) {
			chosen = append(chosen, ch)
		}
	}
	err := f.Store.SetPublishAlert(ctx, a.ID, chosen, by)
	if err == nil && len(chosen) > 0 && a.Status == news.StatusPublished {
		err = f.PublishAlert(ctx, a.ID)
	}
	return chosen, err
}

// PublishAlert turns the "send an alert when published" request of an
// article that was just published (by an editor, a planned job or any
// other path) into an alert, once. Breaking articles go to every
// subscriber; others to the subscribers of their section.
func (f *Fanout) PublishAlert(ctx context.Context, articleID int64) error {
	art, err := f.Store.GetArticle(ctx, articleID)
	if errors.Is(err, news.ErrNotFound) {
		return nil
	}
	if err != nil || art.Status != news.StatusPublished {
		return err
	}
	_, err = f.Store.TakePublishAlert(ctx, articleID, func(channels []string, by news.Actor) *news.Alert {
		a := &news.Alert{Title: art.Headline, Text: art.Lead, URL: f.ArticleURL(art), Urgency: string(UrgencyNormal),
			Topic: TopicBreaking, Channels: channels, ArticleID: art.ID, CreatedBy: by}
		if art.Breaking {
			a.Urgency = string(UrgencyHigh)
		} else if art.Section != nil {
			a.Topic = art.Section.Slug
		}
		f.fit(a)
		return a
	})
	return err
}

// fit cuts an article's alert to what every channel takes: a headline may
// be longer than an alert's title, and an Arabic lead with the article's
// percent-encoded address can pass the push payload's limit; every
// sender would refuse such an alert for every subscriber.
func (f *Fanout) fit(a *news.Alert) {
	if utf8.RuneCountInString(a.Title) > maxTitle {
		a.Title = news.Excerpt(a.Title, maxTitle-1) // and its "…"
	}
	size := func() int {
		return (&Alert{Title: a.Title, Text: a.Text, URL: a.URL, Urgency: Urgency(a.Urgency), Topic: a.Topic, Lang: f.Lang()}).PushPayloadSize()
	}
	for n := utf8.RuneCountInString(a.Text); a.Text != "" && size() > MaxPushPayload; {
		if n = n * 3 / 4; n < 20 {
			a.Text = ""
			break
		}
		a.Text = news.Excerpt(a.Text, n)
	}
}

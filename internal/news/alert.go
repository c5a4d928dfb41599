package news

import "time"

// Alert is a breaking-news alert as the newsroom sent it, with how far
// each channel has got.
type Alert struct {
	ID        int64
	Title     string
	Text      string
	URL       string
	Urgency   string
	Topic     string   // "breaking" or a section slug
	Channels  []string // "push", "telegram", "email", "webhook"
	ArticleID int64
	CreatedBy Actor
	CreatedAt time.Time
	Progress  []AlertProgress // per channel, in Channels order
}

// AlertProgress sums one channel's deliveries of an alert.
type AlertProgress struct {
	Channel string
	Total   int
	Sent    int
	Failed  int
	Gone    int // subscriptions removed because the push service said so
	Done    bool
}

// Pending is what is still to be sent.
func (p AlertProgress) Pending() int { return max(0, p.Total-p.Sent-p.Failed-p.Gone) }

// AlertDelivery is one batch of one channel of an alert.
type AlertDelivery struct {
	ID       int64
	AlertID  int64
	Channel  string
	FirstID  int64
	LastID   int64
	DoneUpTo int64   // the batch resumes after this id
	Skip     []int64 // ids past DoneUpTo already answered
	Total    int
	Sent     int
	Failed   int
	Gone     int
	Done     bool
	Error    string
}

// PushSubscription is a reader's browser subscribed to Web Push.
type PushSubscription struct {
	ID       int64
	Endpoint string
	P256dh   string
	Auth     string
	Topics   string // space-separated: "breaking" and/or section slugs
}

// EmailSubscriber is an address subscribed to e-mail alerts.
type EmailSubscriber struct {
	ID        int64
	Email     string
	Confirmed bool
	Topics    string
}

// APIToken lets a script act for a newsroom user through the API.
type APIToken struct {
	ID         int64
	UserID     int64
	UserName   string
	Name       string
	CreatedAt  time.Time
	LastUsedAt time.Time
	RevokedAt  time.Time
}

package news

import (
	"strings"
	"time"
	"unicode/utf8"
)

// NewsletterList is a newsletter readers subscribe to: a digest sent
// daily or weekly at SendTime in the outlet's time zone, of the whole
// site or of one section.
type NewsletterList struct {
	ID          int64
	Name        string
	Description string
	Cadence     string // CadenceDaily or CadenceWeekly
	Weekday     time.Weekday
	SendTime    string // "HH:MM"
	SectionID   int64  // 0: every section
	Enabled     bool
	// CountClicks sends the stories' links through a counting redirect.
	CountClicks bool
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// Cadences of a newsletter list.
const (
	CadenceDaily  = "daily"
	CadenceWeekly = "weekly"
)

// Newsletter limits.
const (
	NewsletterNameMax  = 100
	NewsletterDescMax  = 500
	NewsletterIntroMax = 2000
	// NewsletterStoriesMax bounds an issue's stories.
	NewsletterStoriesMax = 30
)

// Normalize trims the list's fields and checks them.
func (l *NewsletterList) Normalize() error {
	var v Invalid
	if !utf8.ValidString(l.Name + l.Description) {
		v.Add("name", "bad_encoding")
		return v.Err()
	}
	// The name goes into mail subjects: one line, nothing hidden.
	l.Name = CleanName(l.Name)
	l.Description = strings.TrimSpace(l.Description)
	l.SendTime = strings.TrimSpace(l.SendTime)
	if l.Name == "" {
		v.Add("name", "required")
	}
	v.maxLen("name", l.Name, NewsletterNameMax)
	v.maxLen("description", l.Description, NewsletterDescMax)
	if l.Cadence != CadenceDaily && l.Cadence != CadenceWeekly {
		v.Add("cadence", "bad_value")
	}
	if l.Weekday < time.Sunday || l.Weekday > time.Saturday {
		v.Add("weekday", "bad_value")
	}
	if _, _, ok := l.clock(); !ok {
		v.Add("send_time", "bad_value")
	}
	if l.SectionID < 0 {
		v.Add("section", "bad_value")
	}
	return v.Err()
}

func (l *NewsletterList) clock() (h, m int, ok bool) {
	t, err := time.Parse("15:04", l.SendTime)
	if err != nil || len(l.SendTime) != 5 {
		return 0, 0, false
	}
	return t.Hour(), t.Minute(), true
}

// PreviousSlot is the send time before slot: an issue takes the stories
// since then. A fixed 24 hours back would lose an hour's stories, or send
// them twice, on the days summer time starts and ends.
func (l *NewsletterList) PreviousSlot(slot time.Time, loc *time.Location) time.Time {
	return l.LastSlot(slot.Add(-time.Nanosecond), loc)
}

// LastSlot is the latest send time of the list at or before now, in loc.
func (l *NewsletterList) LastSlot(now time.Time, loc *time.Location) time.Time {
	h, m, _ := l.clock()
	local := now.In(loc)
	t := time.Date(local.Year(), local.Month(), local.Day(), h, m, 0, 0, loc)
	for t.After(now) || (l.Cadence == CadenceWeekly && t.Weekday() != l.Weekday) {
		t = time.Date(t.Year(), t.Month(), t.Day()-1, h, m, 0, 0, loc)
	}
	return t.UTC()
}

// NextSlot is the first send time of the list after now.
func (l *NewsletterList) NextSlot(now time.Time, loc *time.Location) time.Time {
	h, m, _ := l.clock()
	local := now.In(loc)
	t := time.Date(local.Year(), local.Month(), local.Day(), h, m, 0, 0, loc)
	for !t.After(now) || (l.Cadence == CadenceWeekly && t.Weekday() != l.Weekday) {
		t = time.Date(t.Year(), t.Month(), t.Day()+1, h, m, 0, 0, loc)
	}
	return t.UTC()
}

// NewsletterIssue is one mailing of a list: its stories, in order, and
// the editors' introduction.
type NewsletterIssue struct {
	ID          int64
	ListID      int64
	Slot        time.Time // when it is due
	PeriodStart time.Time // its stories were published in [PeriodStart, Slot)
	Subject     string
	Intro       string
	Articles    []int64
	Edited      bool   // an editor changed it: it is no longer rebuilt
	Status      string // IssueDraft, IssueSending or IssueSent
	CreatedAt   time.Time
	UpdatedAt   time.Time
	SentAt      time.Time
}

// Issue states.
const (
	IssueDraft   = "draft"
	IssueSending = "sending"
	IssueSent    = "sent"
)

// Normalize checks what an editor may change of an issue.
func (i *NewsletterIssue) Normalize() error {
	var v Invalid
	if !utf8.ValidString(i.Subject + i.Intro) {
		v.Add("subject", "bad_encoding")
		return v.Err()
	}
	// The subject is a mail header: one line, nothing hidden.
	i.Subject = CleanName(i.Subject)
	i.Intro = strings.TrimSpace(i.Intro)
	if i.Subject == "" {
		v.Add("subject", "required")
	}
	v.maxLen("subject", i.Subject, NewsletterNameMax*2)
	v.maxLen("intro", i.Intro, NewsletterIntroMax)
	if len(i.Articles) > NewsletterStoriesMax {
		v.Add("articles", "too_many")
	}
	return v.Err()
}

// NewsletterRecipient is a confirmed subscriber an issue goes to.
type NewsletterRecipient struct {
	ID    int64
	Email string
}

// NewsletterBatch is a range of an issue's recipients, sent by one job.
type NewsletterBatch struct {
	ID, IssueID     int64
	FirstID, LastID int64
	Done            bool
}

// NewsletterStats are an issue's deliveries by state, and its clicks.
type NewsletterStats struct {
	Sent, Failed, Bounced, Pending int
	Clicks                         int
}

// Delivery states of one recipient of an issue.
const (
	DeliverySending = "sending" // claimed; on a crash, never sent again
	DeliverySent    = "sent"
	DeliveryFailed  = "failed"
	DeliveryBounced = "bounced"
)

// SuppressionReasons are why an address is never mailed again.
var SuppressionReasons = map[string]bool{"bounce": true, "complaint": true}

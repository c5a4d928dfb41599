package news

import (
	"testing"
	"time"
)

func TestNewsletterSlots(t *testing.T) {
	beirut, err := time.LoadLocation("Asia/Beirut")
	if err != nil {
		t.Fatal(err)
	}
	at := func(s string) time.Time {
		v, err := time.ParseInLocation("2006-01-02 15:04", s, beirut)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	for _, c := range []struct {
		name       string
		l          NewsletterList
		now        string
		last, next string
	}{
		{"daily, before the time", NewsletterList{Cadence: CadenceDaily, SendTime: "07:00"}, "2026-12-07 06:59", "2026-12-06 07:00", "2026-12-07 07:00"},
		{"daily, at the time", NewsletterList{Cadence: CadenceDaily, SendTime: "07:00"}, "2026-12-07 07:00", "2026-12-07 07:00", "2026-12-08 07:00"},
		{"weekly on Friday", NewsletterList{Cadence: CadenceWeekly, Weekday: time.Friday, SendTime: "18:30"}, "2026-12-07 12:00", "2026-12-04 18:30", "2026-12-11 18:30"},
		{"across summer time", NewsletterList{Cadence: CadenceDaily, SendTime: "07:00"}, "2026-03-29 12:00", "2026-03-29 07:00", "2026-03-30 07:00"},
	} {
		now := at(c.now)
		if got := c.l.LastSlot(now, beirut); !got.Equal(at(c.last)) {
			t.Errorf("%s: last %s, want %s", c.name, got.In(beirut), c.last)
		}
		if got := c.l.NextSlot(now, beirut); !got.Equal(at(c.next)) {
			t.Errorf("%s: next %s, want %s", c.name, got.In(beirut), c.next)
		}
	}
	// An issue's stories start at the send time before it, 23 or 25
	// hours back when the clocks change.
	daily, weekly := NewsletterList{Cadence: CadenceDaily, SendTime: "07:00"}, NewsletterList{Cadence: CadenceWeekly, Weekday: time.Sunday, SendTime: "07:00"}
	for _, c := range []struct {
		l          NewsletterList
		slot, prev string
	}{
		{daily, "2026-12-07 07:00", "2026-12-06 07:00"},
		{daily, "2026-03-29 07:00", "2026-03-28 07:00"},
		{daily, "2026-10-25 07:00", "2026-10-24 07:00"},
		{weekly, "2026-10-25 07:00", "2026-10-18 07:00"},
	} {
		if got := c.l.PreviousSlot(at(c.slot), beirut); !got.Equal(at(c.prev)) {
			t.Errorf("%s %s: previous %s, want %s", c.l.Cadence, c.slot, got.In(beirut), c.prev)
		}
	}
}

func TestNewsletterListNormalize(t *testing.T) {
	ok := NewsletterList{Name: " الموجز ", Cadence: CadenceDaily, SendTime: "07:00"}
	if err := ok.Normalize(); err != nil || ok.Name != "الموجز" {
		t.Fatalf("%v %q", err, ok.Name)
	}
	for _, c := range []struct {
		name  string
		edit  func(*NewsletterList)
		field string
	}{
		{"no name", func(l *NewsletterList) { l.Name = "  " }, "name"},
		{"long name", func(l *NewsletterList) { l.Name = string(make([]rune, NewsletterNameMax+1)) }, "name"},
		{"cadence", func(l *NewsletterList) { l.Cadence = "hourly" }, "cadence"},
		{"weekday", func(l *NewsletterList) { l.Weekday = 7 }, "weekday"},
		{"time", func(l *NewsletterList) { l.SendTime = "25:00" }, "send_time"},
		{"time shape", func(l *NewsletterList) { l.SendTime = "7:00" }, "send_time"},
		{"section", func(l *NewsletterList) { l.SectionID = -1 }, "section"},
	} {
		l := ok
		c.edit(&l)
		err := l.Normalize()
		ie, is := err.(*InvalidError)
		if !is || ie.Fields[c.field] == "" {
			t.Errorf("%s: %v", c.name, err)
		}
	}
}

func TestNewsletterIssueNormalize(t *testing.T) {
	i := NewsletterIssue{Subject: "  نشرة\r\nBcc: x@y.z \u202e"}
	if err := i.Normalize(); err != nil || i.Subject != "نشرة Bcc: x@y.z" {
		t.Errorf("subject %q, %v", i.Subject, err)
	}
	for _, bad := range []NewsletterIssue{{Subject: ""}, {Subject: "\xff"}, {Subject: "x", Articles: make([]int64, NewsletterStoriesMax+1)}, {Subject: "x", Intro: string(make([]rune, NewsletterIntroMax+1))}} {
		if err := bad.Normalize(); !IsInvalid(err) {
			t.Errorf("%q: %v", bad.Subject, err)
		}
	}
}

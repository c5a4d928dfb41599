package newsletter

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"khabar/internal/news"
	"khabar/internal/store"
)

// StoriesPerIssue is how many stories an automatic digest carries.
const StoriesPerIssue = 10

// scheduler is who the audit log names for a scheduled send.
var scheduler = news.Actor{Name: "newsletter"}

// Draft builds (or builds again) the list's issue due at slot from the
// stories of the period before it; an issue an editor edited, or one
// already sent, is returned as it is.
func (s *Service) Draft(ctx context.Context, l *news.NewsletterList, slot time.Time) (*news.NewsletterIssue, error) {
	from := l.PreviousSlot(slot, s.Dates().Location)
	ids, err := s.pick(ctx, l, from, slot)
	if err != nil {
		return nil, err
	}
	subject := s.Cat.T("newsletter_subject", l.Name, s.Dates().Date(slot))
	return s.Store.PutDraftIssue(ctx, &news.NewsletterIssue{ListID: l.ID, Slot: slot, PeriodStart: from, Subject: subject, Articles: ids})
}

// pick chooses an automatic digest's stories published in [from, to):
// the editors' picks (pinned stories) first, then the top of the rest.
func (s *Service) pick(ctx context.Context, l *news.NewsletterList, from, to time.Time) ([]int64, error) {
	picks, err := s.Store.ListPublished(ctx, store.ListFilter{SectionID: l.SectionID, From: from, To: to, Pinned: true, Limit: StoriesPerIssue})
	if err != nil {
		return nil, fmt.Errorf("digest picks: %w", err)
	}
	ids := make([]int64, 0, StoriesPerIssue)
	for _, a := range picks {
		ids = append(ids, a.ID)
	}
	rest, err := s.top(ctx, l, from, to, ids, StoriesPerIssue-len(ids))
	if err != nil {
		return nil, err
	}
	return append(ids, rest...), nil
}

// top ranks the period's other published stories: breaking news first,
// then the newest. It is the one place an order by readers' interest
// (most read, once counted) would join.
func (s *Service) top(ctx context.Context, l *news.NewsletterList, from, to time.Time, exclude []int64, limit int) ([]int64, error) {
	if limit <= 0 {
		return nil, nil
	}
	list, err := s.Store.ListPublished(ctx, store.ListFilter{SectionID: l.SectionID, From: from, To: to, Exclude: exclude, Limit: 5 * limit})
	if err != nil {
		return nil, fmt.Errorf("digest stories: %w", err)
	}
	// Newest first already; a stable sort keeps that within each kind.
	slices.SortStableFunc(list, func(a, b news.Article) int {
		return cmp.Compare(btoi(b.Breaking), btoi(a.Breaking))
	})
	var out []int64
	for _, a := range list[:min(limit, len(list))] {
		out = append(out, a.ID)
	}
	return out, nil
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

// Start sends an issue now: its recipients are fixed, cut into batches,
// and each batch handed to the job queue.
func (s *Service) Start(ctx context.Context, issueID int64, actor news.Actor) error {
	batches, err := s.Store.StartNewsletterIssue(ctx, issueID, cmp.Or(s.BatchSize, 500), actor)
	if err != nil {
		return err
	}
	return s.Enqueue(ctx, batches)
}

// Tick is the scheduler's minute: it keeps each enabled list's next issue
// built (so editors may preview and edit it), sends the issues whose time
// has come, and hands the job queue any batch that lost its job (a node
// that stopped between starting an issue and queueing it). A slot missed
// while no node ran is not sent late once the next one has passed, and a
// digest whose period had no story is not sent at all.
func (s *Service) Tick(ctx context.Context, now time.Time) error {
	loc := s.Dates().Location
	lists, err := s.Store.NewsletterLists(ctx, true)
	if err != nil {
		return err
	}
	byID := map[int64]*news.NewsletterList{}
	for i := range lists {
		l := &lists[i]
		byID[l.ID] = l
		if _, err := s.Draft(ctx, l, l.NextSlot(now, loc)); err != nil {
			return err
		}
	}
	due, err := s.Store.DueNewsletterIssues(ctx, now)
	if err != nil {
		return err
	}
	for _, is := range due {
		l := byID[is.ListID]
		if l == nil || !is.Slot.Equal(l.LastSlot(now, loc)) {
			continue
		}
		if !is.Edited {
			// The stories published since it was last built join it; a
			// period without any sends nothing (a mail of a header and a
			// footer is not a digest).
			fresh, err := s.Draft(ctx, l, is.Slot)
			if err != nil {
				return err
			}
			if len(fresh.Articles) == 0 {
				continue
			}
		}
		if err := s.Start(ctx, is.ID, scheduler); err != nil && !errors.Is(err, news.ErrConflict) {
			return err
		}
	}
	pending, err := s.Store.PendingNewsletterBatches(ctx)
	if err != nil {
		return err
	}
	return s.Enqueue(ctx, pending)
}

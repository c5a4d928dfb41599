package news

import "time"

// EventKind names a change of published state.
type EventKind string

const (
	EventArticlePublished   EventKind = "article.published"
	EventArticleUpdated     EventKind = "article.updated"
	EventArticleUnpublished EventKind = "article.unpublished"
	// EventArticleSaved: an article that is not public was created,
	// changed or deleted; only the newsroom sees it (its search, for one).
	EventArticleSaved    EventKind = "article.saved"
	EventTickerChanged   EventKind = "ticker.changed"
	EventSettingsChanged EventKind = "settings.changed"
	// EventTaxonomyChanged: a section, tag or author was renamed or added,
	// which changes navigation and bylines on many pages.
	EventTaxonomyChanged EventKind = "taxonomy.changed"
	// EventCommentChanged: a comment became public, or stopped being
	// public, or was edited while public.
	EventCommentChanged EventKind = "comment.changed"
	// EventAlertCreated: an editor sent a breaking-news alert; the alert
	// fan-out delivers it.
	EventAlertCreated EventKind = "alert.created"
	// EventLiveEntryChanged: an entry of a live blog was added, edited or
	// deleted (Entry names it).
	EventLiveEntryChanged EventKind = "liveblog.entry"
	// EventLiveCoverageChanged: a live blog's coverage began, ended or
	// began again.
	EventLiveCoverageChanged EventKind = "liveblog.coverage"
	// EventMediaAdded: an upload joined the library and waits for its
	// sizes (Media names it); no page shows it yet.
	EventMediaAdded EventKind = "media.added"
	// EventPageChanged: one of the outlet's own pages was written,
	// changed or deleted; the footer of every page may link it.
	EventPageChanged EventKind = "page.changed"
	// EventCorrectionChanged: a correction or editor's note was added to
	// a published article, or deleted; the article's text and updated
	// time changed, and so did /corrections.
	EventCorrectionChanged EventKind = "correction.changed"
	// EventWireArrived: agency copy reached the wire desk (Wire names
	// it); only the newsroom sees it.
	EventWireArrived EventKind = "wire.arrived"
	// EventNewsletterChanged: a newsletter list was made or changed; every
	// page's subscription box offers the lists.
	EventNewsletterChanged EventKind = "newsletter.changed"
	// EventMostReadChanged: «الأكثر قراءة» changed, the site's list
	// (Site) or sections' (Sections).
	EventMostReadChanged EventKind = "mostread.changed"
)

// Event is one row of the outbox: what changed in published state, with
// the ids of everything whose public pages it touches (before and after
// the change, so a move between sections refreshes both).
type Event struct {
	ID        int64     `json:"-"`
	Kind      EventKind `json:"-"`
	ArticleID int64     `json:"-"`
	Sections  []int64   `json:"sections,omitempty"`
	Tags      []int64   `json:"tags,omitempty"`
	Authors   []int64   `json:"authors,omitempty"`
	// Listing is true when lists of latest articles change (a new or
	// withdrawn article, or a changed headline or order).
	Listing bool `json:"listing,omitempty"`
	// Comment is the comment of a comment.changed event.
	Comment int64 `json:"comment,omitempty"`
	// Alert is the alert of an alert.created event.
	Alert int64 `json:"alert,omitempty"`
	// Wire is the wire item of a wire.arrived event.
	Wire int64 `json:"wire,omitempty"`
	// Entry is the live blog entry of a liveblog.entry event.
	Entry int64 `json:"entry,omitempty"`
	// Site is set on a mostread.changed event when the site's list
	// changed.
	Site bool `json:"site,omitempty"`
	// Media is the upload of a media.added event.
	Media int64     `json:"media,omitempty"`
	At    time.Time `json:"-"`
}

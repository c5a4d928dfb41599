package news

import "time"

// Actor is the newsroom user behind a change, for the audit log.
type Actor struct {
	UserID int64
	Name   string
}

// AuditEntry is one line of the audit log: who did what, when.
type AuditEntry struct {
	ID     int64
	At     time.Time
	UserID int64
	Name   string
	Action string // "comment.approve", "article.publish", "login", …
	Target string // "comment 12", "article 4", …
	Detail string
}

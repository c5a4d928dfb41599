package news

import "time"

// EditTTL is how long presence in an article and its edit lock outlive
// the page's last signal: a closed laptop frees the article within two
// minutes, and a background tab, whose timers browsers slow to about once
// a minute, keeps it.
const EditTTL = 2 * time.Minute

// Editor is someone with an article open in the newsroom's editor.
type Editor struct {
	Actor
	// Since is when they opened it (or, for the lock, took it); SeenAt
	// their page's last sign of life.
	Since, SeenAt time.Time
}

// Editing is who is in an article now: the holder of its edit lock (a
// zero UserID when nobody holds a live one) and everyone with it open.
type Editing struct {
	Lock Editor
	Open []Editor
}

// LockedFor reports whether someone other than user holds the lock, so
// user's saves are refused until they leave or are taken over.
func (e Editing) LockedFor(user int64) bool {
	return e.Lock.UserID != 0 && e.Lock.UserID != user
}

// Others are those with the article open, user aside.
func (e Editing) Others(user int64) []Editor {
	var out []Editor
	for _, ed := range e.Open {
		if ed.UserID != user {
			out = append(out, ed)
		}
	}
	return out
}

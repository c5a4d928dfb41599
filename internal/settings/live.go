package settings

import (
	"context"
	"fmt"
	"sync/atomic"

	"khabar/internal/locale"
	"khabar/internal/news"
	"khabar/internal/store"
)

// Live is this node's copy of the outlet's settings: loaded before
// anything that reads them is built, and reloaded when any node changes
// them (HandleEvent, an outbox consumer). Get never touches the database.
type Live struct {
	store *store.Store
	cur   atomic.Pointer[Settings]

	// Set by Drive: the catalogue that follows the outlet's language, and
	// the language it has while the settings name none.
	cat      *locale.Catalog
	fallback string
}

// Load reads the settings table.
func Load(ctx context.Context, s *store.Store) (*Live, error) {
	l := &Live{store: s}
	if err := l.Reload(ctx); err != nil {
		return nil, err
	}
	return l, nil
}

// Get is the current settings.
func (l *Live) Get() Settings { return *l.cur.Load() }

// Reload reads the settings table again. Consumers that must not act on
// a change before the new settings are in (the page cache, which would
// render pages with the old ones) call it themselves: outbox consumers
// run side by side.
func (l *Live) Reload(ctx context.Context) error {
	m, err := l.store.Settings(ctx)
	if err != nil {
		return fmt.Errorf("load settings: %w", err)
	}
	st := FromMap(m)
	l.cur.Store(&st)
	l.switchLanguage()
	return nil
}

// Drive makes cat speak the outlet's language from now on, and fallback
// (the server's --lang) while the settings name none. Call it before the
// node serves: it is not synchronised with Reload.
func (l *Live) Drive(cat *locale.Catalog, fallback string) {
	l.cat, l.fallback = cat, fallback
	l.switchLanguage()
}

func (l *Live) switchLanguage() {
	if l.cat == nil {
		return
	}
	lang := l.Get().Language
	if lang == "" {
		lang = l.fallback
	}
	l.cat.Switch(lang)
}

// HandleEvent reloads the settings after a change.
func (l *Live) HandleEvent(ctx context.Context, ev news.Event) error {
	if ev.Kind != news.EventSettingsChanged {
		return nil
	}
	return l.Reload(ctx)
}

package watcher

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/caseledger/caseledger/domain"
	"github.com/caseledger/caseledger/domain/workday"
	"github.com/caseledger/caseledger/eventstore"
	"github.com/caseledger/caseledger/projections"
)

// IndexName is the name of the watcher's read model in a projections.Runner.
const IndexName = "deadline_watch"

// Index folds case events into the entries of running items (design 1). The
// zero value is ready; register it with the Runner the Watcher reads.
type Index struct{}

// Name implements projections.Projection.
func (Index) Name() string { return IndexName }

// Version implements projections.Projection; raise it when the fold or the
// entry layout changes.
func (Index) Version() int { return 2 }

// Filter implements projections.Projection: only the events that move an
// item's clock, warn it or settle it.
func (Index) Filter() eventstore.Filter {
	return eventstore.Filter{Categories: []string{"case"}, Types: indexed}
}

var indexed = []string{
	(*domain.ItemDispatched)(nil).Type(), (*domain.ItemSuspended)(nil).Type(), (*domain.ItemResumed)(nil).Type(),
	(*domain.SpecialProcedureStarted)(nil).Type(), (*domain.SpecialProcedureEnded)(nil).Type(),
	(*domain.SupplementRequested)(nil).Type(), (*domain.SupplementReceived)(nil).Type(),
	(*domain.DeadlineExtended)(nil).Type(), (*domain.WarningRaised)(nil).Type(), (*domain.ItemDecided)(nil).Type(),
	(*domain.ItemsWithdrawn)(nil).Type(), (*domain.CaseWithdrawn)(nil).Type(), (*domain.CaseTerminated)(nil).Type(),
	(*domain.BundleCompleted)(nil).Type(),
}

// entry is one running item.
type entry struct {
	Dispatched workday.Date `json:"d"`
	Due        workday.Date `json:"due"`
	// Pause is empty while the clock runs, "supplement" while the case's
	// supplement notice stops it and "item" for a suspension or a special
	// procedure, as domain.ItemState tells them apart.
	Pause  string                `json:"p,omitempty"`
	Warned []domain.WarningLevel `json:"w,omitempty"`
}

const (
	pauseSupplement = "supplement"
	pauseItem       = "item"
)

// Keys are "item/<case id>\x00<item code>": a case ID is printable ASCII
// (the stream name rule), so the first 0x00 ends it whatever it holds.
func casePrefix(caseID string) []byte { return []byte("item/" + caseID + "\x00") }

func itemKey(caseID, item string) []byte { return append(casePrefix(caseID), item...) }

func splitKey(k []byte) (caseID, item string, ok bool) {
	rest, ok := bytes.CutPrefix(k, []byte("item/"))
	if !ok {
		return "", "", false
	}
	c, i, ok := bytes.Cut(rest, []byte{0})
	return string(c), string(i), ok
}

// Apply implements projections.Projection.
func (Index) Apply(tx *projections.Tx, e *eventstore.RecordedEvent) error {
	ev, err := domain.Decode(e.Type, e.Data, e.Metadata)
	if err != nil {
		return err
	}
	caseID := strings.TrimPrefix(e.Stream, "case-")
	on := workday.DateOf(ev.Meta().OccurredAt)
	switch x := ev.(type) {
	case *domain.ItemDispatched:
		return put(tx, caseID, x.Item, &entry{Dispatched: on, Due: x.Due})
	case *domain.ItemSuspended:
		return update(tx, caseID, x.Item, func(en *entry) { en.Pause = pauseItem })
	case *domain.SpecialProcedureStarted:
		return update(tx, caseID, x.Item, func(en *entry) { en.Pause = pauseItem })
	case *domain.ItemResumed:
		return update(tx, caseID, x.Item, func(en *entry) { en.Pause, en.Due = "", x.Due })
	case *domain.SpecialProcedureEnded:
		return update(tx, caseID, x.Item, func(en *entry) { en.Pause, en.Due = "", x.Due })
	case *domain.DeadlineExtended:
		return update(tx, caseID, x.Item, func(en *entry) { en.Due = x.Due })
	case *domain.WarningRaised:
		return update(tx, caseID, x.Item, func(en *entry) { en.Warned = append(en.Warned, x.Level) })
	case *domain.SupplementRequested:
		// As domain.State.pauseRunning: every running clock not already
		// stopped stops for the notice.
		return each(tx, caseID, func(_ string, en *entry) bool {
			if en.Pause == "" {
				en.Pause = pauseSupplement
				return true
			}
			return false
		})
	case *domain.SupplementReceived:
		for _, d := range x.Due {
			err := update(tx, caseID, d.Item, func(en *entry) {
				if en.Pause == pauseSupplement {
					en.Pause = ""
				}
				en.Due = d.Due
			})
			if err != nil {
				return err
			}
		}
	case *domain.ItemDecided:
		return tx.Delete(itemKey(caseID, x.Item))
	case *domain.ItemsWithdrawn:
		for _, item := range x.Items {
			if err := tx.Delete(itemKey(caseID, item)); err != nil {
				return err
			}
		}
	case *domain.CaseWithdrawn, *domain.CaseTerminated, *domain.BundleCompleted:
		// The domain refuses warnings on a case that is not accepted.
		var keys [][]byte
		err := tx.Scan(casePrefix(caseID), func(k, _ []byte) error {
			keys = append(keys, slices.Clone(k))
			return nil
		})
		if err != nil {
			return err
		}
		for _, k := range keys {
			if err := tx.Delete(k); err != nil {
				return err
			}
		}
	}
	return nil
}

func put(tx *projections.Tx, caseID, item string, en *entry) error {
	b, err := json.Marshal(en)
	if err != nil {
		return err
	}
	return tx.Set(itemKey(caseID, item), b)
}

// update changes the entry of a running item; events about items not in
// the index (never dispatched, or settled) change nothing.
func update(tx *projections.Tx, caseID, item string, f func(*entry)) error {
	b, ok, err := tx.Get(itemKey(caseID, item))
	if err != nil || !ok {
		return err
	}
	var en entry
	if err := json.Unmarshal(b, &en); err != nil {
		return fmt.Errorf("watcher: stored entry %s/%s: %w", caseID, item, err)
	}
	f(&en)
	return put(tx, caseID, item, &en)
}

// each calls f on every entry of a case and stores those it reports changed.
func each(tx *projections.Tx, caseID string, f func(item string, en *entry) bool) error {
	changed := map[string]*entry{}
	err := tx.Scan(casePrefix(caseID), func(k, v []byte) error {
		_, item, _ := splitKey(k)
		var en entry
		if err := json.Unmarshal(v, &en); err != nil {
			return fmt.Errorf("watcher: stored entry %s/%s: %w", caseID, item, err)
		}
		if f(item, &en) {
			changed[item] = &en
		}
		return nil
	})
	if err != nil {
		return err
	}
	for item, en := range changed {
		if err := put(tx, caseID, item, en); err != nil {
			return err
		}
	}
	return nil
}

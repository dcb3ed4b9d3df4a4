// Package supervision is the supervisor's read model: the items under a
// time-limit warning (yellow or overdue) and the open 督办, listed by region
// and department.
//
// # Design
//
//  1. A supervisor's per-case timeline is the case stream itself (the store
//     keeps every event with who, when and why), so this model stores no
//     copy of it: only the two lists the stream cannot answer without a
//     scan of every case.
//  2. Keys, with 0x00 between parts (codes never contain it):
//     "w" region dept case item -> Warning (JSON), one per warned, unsettled
//     item of a running case; "d" region case duban -> Duban (JSON), one per
//     open 督办; "c" case -> the case's region and item departments, which
//     the later events of the case need to find their list keys.
//  3. A warning leaves the list when its item settles (decided or
//     withdrawn) or the case ends (withdrawn, terminated, completed); an
//     overdue warning replaces a yellow one. A 督办 leaves when closed.
//  4. Only the event types below are folded (the Filter says so), so the
//     runner skips the rest without decoding them.
package supervision

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

// Name is the projection's name in a projections.Runner.
const Name = "supervision"

// Projection folds case events into the lists. The zero value is ready.
type Projection struct{}

// Name implements projections.Projection.
func (Projection) Name() string { return Name }

// Version implements projections.Projection.
func (Projection) Version() int { return 1 }

var types = func() []string {
	var out []string
	for _, ev := range []domain.Event{
		(*domain.CaseSubmitted)(nil), (*domain.WarningRaised)(nil), (*domain.ItemDecided)(nil),
		(*domain.ItemsWithdrawn)(nil), (*domain.CaseWithdrawn)(nil), (*domain.CaseTerminated)(nil),
		(*domain.BundleCompleted)(nil), (*domain.DubanIssued)(nil), (*domain.DubanClosed)(nil),
	} {
		out = append(out, ev.Type())
	}
	return out
}()

// Filter implements projections.Projection (invariant 4).
func (Projection) Filter() eventstore.Filter {
	return eventstore.Filter{Categories: []string{"case"}, Types: types}
}

// Warning is one warned item.
type Warning struct {
	Region     string              `json:"region"`
	Department string              `json:"department"`
	CaseID     string              `json:"case_id"`
	Item       string              `json:"item"`
	Level      domain.WarningLevel `json:"level"`
	Due        workday.Date        `json:"due"`
	On         workday.Date        `json:"on"`
}

// Duban is one open 督办.
type Duban struct {
	Region    string       `json:"region"`
	CaseID    string       `json:"case_id"`
	ID        string       `json:"id"`
	Item      string       `json:"item,omitempty"`
	Reason    string       `json:"reason"`
	Reference string       `json:"reference"`
	On        workday.Date `json:"on"`
}

// caseInfo is what later events of a case need (invariant 2).
type caseInfo struct {
	Region string            `json:"r"`
	Depts  map[string]string `json:"d"` // item code -> department
	Warned []string          `json:"w,omitempty"`
}

func key(parts ...string) []byte {
	return []byte(strings.Join(parts, "\x00"))
}

func warningKey(region, dept, caseID, item string) []byte {
	return key("w", region, dept, caseID, item)
}

// Apply implements projections.Projection.
func (Projection) Apply(tx *projections.Tx, e *eventstore.RecordedEvent) error {
	ev, err := domain.Decode(e.Type, e.Data, e.Metadata)
	if err != nil {
		return err
	}
	caseID := ev.Meta().CaseID
	on := workday.DateOf(ev.Meta().OccurredAt)
	if s, ok := ev.(*domain.CaseSubmitted); ok {
		info := caseInfo{Region: s.Region, Depts: map[string]string{}}
		for _, it := range s.Bundle.Items {
			info.Depts[it.Code] = it.Department
		}
		return put(tx, key("c", caseID), &info)
	}
	var info caseInfo
	if ok, err := get(tx, key("c", caseID), &info); err != nil || !ok {
		// An event of a case never submitted: history is fact, and there
		// is nothing this model could list it under.
		return err
	}
	switch e := ev.(type) {
	case *domain.WarningRaised:
		w := Warning{Region: info.Region, Department: info.Depts[e.Item], CaseID: caseID,
			Item: e.Item, Level: e.Level, Due: e.Due, On: e.On}
		k := warningKey(w.Region, w.Department, caseID, e.Item)
		var old Warning
		if ok, err := get(tx, k, &old); err != nil || (ok && old.Level == domain.WarningOverdue) {
			return err
		}
		if !slices.Contains(info.Warned, e.Item) {
			info.Warned = append(info.Warned, e.Item)
			if err := put(tx, key("c", caseID), &info); err != nil {
				return err
			}
		}
		return put(tx, k, &w)
	case *domain.ItemDecided:
		return unwarn(tx, caseID, &info, []string{e.Item})
	case *domain.ItemsWithdrawn:
		return unwarn(tx, caseID, &info, e.Items)
	case *domain.CaseWithdrawn, *domain.CaseTerminated, *domain.BundleCompleted:
		return unwarn(tx, caseID, &info, info.Warned)
	case *domain.DubanIssued:
		return put(tx, key("d", info.Region, caseID, e.DubanID), &Duban{Region: info.Region, CaseID: caseID,
			ID: e.DubanID, Item: e.Item, Reason: e.Reason, Reference: e.Reference, On: on})
	case *domain.DubanClosed:
		return tx.Delete(key("d", info.Region, caseID, e.DubanID))
	}
	return nil
}

// unwarn removes the warnings of items (invariant 3).
func unwarn(tx *projections.Tx, caseID string, info *caseInfo, items []string) error {
	var kept []string
	changed := false
	for _, item := range info.Warned {
		if !slices.Contains(items, item) {
			kept = append(kept, item)
			continue
		}
		changed = true
		if err := tx.Delete(warningKey(info.Region, info.Depts[item], caseID, item)); err != nil {
			return err
		}
	}
	if !changed {
		return nil
	}
	info.Warned = kept
	return put(tx, key("c", caseID), info)
}

func put(tx *projections.Tx, k []byte, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return tx.Set(k, b)
}

func get(tx *projections.Tx, k []byte, v any) (bool, error) {
	b, ok, err := tx.Get(k)
	if err != nil || !ok {
		return false, err
	}
	if err := json.Unmarshal(b, v); err != nil {
		return false, fmt.Errorf("supervision: stored %q: %w", bytes.ReplaceAll(k, []byte{0}, []byte("/")), err)
	}
	return true, nil
}

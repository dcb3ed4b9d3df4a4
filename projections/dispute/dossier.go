package dispute

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/caseledger/caseledger/domain"
	"github.com/caseledger/caseledger/domain/workday"
	"github.com/caseledger/caseledger/eventstore"
	"github.com/caseledger/caseledger/projections"
)

// Entry is one event of the case's timeline.
type Entry struct {
	Version    uint64       `json:"version"`
	Position   uint64       `json:"position"`
	EventID    string       `json:"event_id"`
	Type       string       `json:"type"`
	OccurredAt time.Time    `json:"occurred_at"`
	RecordedAt time.Time    `json:"recorded_at"`
	Actor      domain.Actor `json:"actor"`
	Item       string       `json:"item,omitempty"`
	// Disputed marks the disputed step, Filed the complaint or rating.
	Disputed bool `json:"disputed,omitempty"`
	Filed    bool `json:"filed,omitempty"`
}

// DeadlineState is where a dispute's deadline stands on the day asked.
type DeadlineState string

const (
	// DeadlineNone: no deadline runs (a rating before triage, or triaged
	// malicious).
	DeadlineNone    DeadlineState = "none"
	DeadlineRunning DeadlineState = "running"
	DeadlineOverdue DeadlineState = "overdue"
	DeadlineMet     DeadlineState = "met"
	DeadlineMissed  DeadlineState = "missed"
)

// Deadline is the dispute's deadline as of a day (design 3).
type Deadline struct {
	Due   workday.Date  `json:"due,omitzero"`
	State DeadlineState `json:"state"`
	// WorkingDaysLeft is set while the deadline runs: negative once
	// overdue.
	WorkingDaysLeft *int `json:"working_days_left,omitempty"`
}

// Dossier is everything about one dispute (design 5).
type Dossier struct {
	Dispute  Dispute  `json:"dispute"`
	Deadline Deadline `json:"deadline"`
	Timeline []Entry  `json:"timeline"`
	// AtStep is the case as it stood right after the disputed step.
	AtStep domain.State `json:"-"`
}

// DeadlineOf returns d's deadline on day today.
func DeadlineOf(d *Dispute, today workday.Date, cal *workday.Calendar) Deadline {
	switch {
	case d.Deadline.IsZero():
		return Deadline{State: DeadlineNone}
	case !d.MetOn.IsZero() && d.MetOn.After(d.Deadline):
		return Deadline{Due: d.Deadline, State: DeadlineMissed}
	case !d.MetOn.IsZero():
		return Deadline{Due: d.Deadline, State: DeadlineMet}
	}
	state, left := cal.StateAt(today, d.Deadline, today, workday.WarningPolicy{})
	out := Deadline{Due: d.Deadline, State: DeadlineRunning, WorkingDaysLeft: &left}
	if state == workday.Overdue {
		out.State = DeadlineOverdue
	}
	return out
}

// Get returns the dossier of dispute id: its index document once the projection
// reached minPosition, the case's stream from store, and the case folded
// up to the disputed step.
func Get(ctx context.Context, r *projections.Runner, store eventstore.Store, minPosition uint64, id string,
	today workday.Date, cal *workday.Calendar) (Dossier, error) {
	d, err := Find(ctx, r, minPosition, id)
	if err != nil {
		return Dossier{}, err
	}
	recs, err := store.ReadStream(ctx, "case-"+d.CaseID, eventstore.ReadStreamOptions{})
	if err != nil {
		return Dossier{}, fmt.Errorf("dispute: read case %s: %w", d.CaseID, err)
	}
	out := Dossier{Dispute: d, Deadline: DeadlineOf(&d, today, cal), Timeline: make([]Entry, len(recs))}
	evs := make([]domain.Event, 0, d.Disputed.Version+1)
	for i := range recs {
		rec := &recs[i]
		ev, err := domain.DecodeRecorded(*rec)
		if err != nil {
			return Dossier{}, fmt.Errorf("dispute: case %s version %d: %w", d.CaseID, rec.Version, err)
		}
		if rec.Version <= d.Disputed.Version {
			evs = append(evs, ev)
		}
		m := ev.Meta()
		var item struct {
			Item string `json:"item"`
		}
		// Only item events have the field; a failed peek leaves it empty.
		_ = json.Unmarshal(rec.Data, &item)
		out.Timeline[i] = Entry{Version: rec.Version, Position: rec.Position, EventID: rec.ID.String(), Type: rec.Type,
			OccurredAt: m.OccurredAt, RecordedAt: rec.RecordedAt, Actor: m.Actor, Item: item.Item,
			Disputed: rec.Version == d.Disputed.Version, Filed: rec.Version == d.Filed.Version}
	}
	out.AtStep = domain.Replay(evs)
	return out, nil
}

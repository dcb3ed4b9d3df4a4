package dispute

import (
	"context"
	"fmt"
	"time"

	"github.com/caseledger/caseledger/domain/workday"
	"github.com/caseledger/caseledger/eventstore"
	"github.com/caseledger/caseledger/projections"
	"github.com/caseledger/caseledger/projections/asof"
	"github.com/caseledger/caseledger/projections/timeline"
)

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
	// Timeline is the case's supervisor timeline: every step (step i is
	// stream version i, so Dispute.Filed and Dispute.Disputed index it) and
	// its items and departments as of the instant asked.
	Timeline timeline.Timeline `json:"timeline"`
	// AtStep is the case as it stood right after the disputed step.
	AtStep asof.Snapshot `json:"at_step"`
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

// Get returns the dossier of dispute id as of now: its index document
// and the case's timeline once both read models reached minPosition (r must
// run Projection and timeline.Projection), and the case as of the disputed
// step, folded from store by asof. Deadlines and working days count on cal.
func Get(ctx context.Context, r *projections.Runner, store eventstore.Store, minPosition uint64, id string,
	now time.Time, cal *workday.Calendar) (Dossier, error) {
	d, err := Find(ctx, r, minPosition, id)
	if err != nil {
		return Dossier{}, err
	}
	tl, err := timeline.Get(ctx, r, d.CaseID, minPosition, now, cal, nil)
	if err != nil {
		return Dossier{}, fmt.Errorf("dispute: timeline of case %s: %w", d.CaseID, err)
	}
	at, err := asof.Case(ctx, store, d.CaseID, asof.AtVersion(d.Disputed.Version))
	if err != nil {
		return Dossier{}, fmt.Errorf("dispute: case %s at version %d: %w", d.CaseID, d.Disputed.Version, err)
	}
	return Dossier{Dispute: d, Deadline: DeadlineOf(&d, workday.DateOf(now), cal), Timeline: tl, AtStep: at}, nil
}

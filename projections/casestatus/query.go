package casestatus

import (
	"context"
	"fmt"

	"github.com/caseledger/caseledger/domain"
	"github.com/caseledger/caseledger/domain/workday"
	"github.com/caseledger/caseledger/projections"
)

// Status is the applicant's answer for one case: the stored Doc plus what
// depends on the day it is asked (invariant 3).
type Status struct {
	Doc
	// Position is the log position the answer reflects.
	Position uint64
	// Remaining holds, per item in Doc.Items order, the working days left
	// until its due date: counted from today while its clock runs, from the
	// day it stopped while paused; negative when overdue; nil for an item
	// without a running due date (waiting or settled).
	Remaining []*int
	// Next lists what the applicant must do now; empty means nothing.
	Next []Action
}

// ActionKind names what the applicant must do.
type ActionKind string

const (
	// ActionSupplyMaterials: answer the open supplement notice.
	ActionSupplyMaterials ActionKind = "supply_materials"
	// ActionSupplyTolerance: hand in the materials owed after 容缺受理 by Due.
	ActionSupplyTolerance ActionKind = "supply_tolerance_materials"
	// ActionRate: rate the service (好差评) of a completed or refused case.
	ActionRate ActionKind = "rate"
)

// Action is one thing the applicant must do.
type Action struct {
	Kind      ActionKind   `json:"kind"`
	Materials []string     `json:"materials,omitempty"`
	Due       workday.Date `json:"due,omitzero"`
}

// Get returns the status of a case once the projection reached minPosition
// (read-your-writes), as of today on cal. A case the projection does not
// know fails with domain.CodeNotFound.
func Get(ctx context.Context, r *projections.Runner, caseID string, minPosition uint64, today workday.Date, cal *workday.Calendar) (Status, error) {
	var st Status
	var found bool
	err := r.Read(ctx, Name, minPosition, func(v *projections.View) (err error) {
		st, found, err = Load(v, caseID, today, cal)
		return err
	})
	if err != nil {
		return Status{}, err
	}
	if !found {
		return Status{}, domain.Errorf(domain.CodeNotFound, "no case %s", caseID)
	}
	return st, nil
}

// Load returns the status of a case in a view of this model: a runner's, or
// a projections.Replay copy's for the case as it stood earlier. It reports
// false for a case the view does not hold.
func Load(v *projections.View, caseID string, today workday.Date, cal *workday.Calendar) (Status, bool, error) {
	b, ok, err := v.Get(docKey(caseID))
	if err != nil || !ok {
		return Status{}, false, err
	}
	st := Status{Position: v.Position()}
	if err := decodeDoc(b, &st.Doc); err != nil {
		return Status{}, false, fmt.Errorf("casestatus: stored doc of %s: %w", caseID, err)
	}
	st.CaseID = caseID
	st.Remaining, st.Next = remaining(&st.Doc, today, cal), next(&st.Doc)
	return st, true, nil
}

func remaining(d *Doc, today workday.Date, cal *workday.Calendar) []*int {
	out := make([]*int, len(d.Items))
	for i, it := range d.Items {
		running := it.Status == domain.ItemSent || it.Status == domain.ItemInProgress
		if !running || it.Due.IsZero() {
			continue
		}
		from := today
		if it.Pause != "" {
			from = it.PausedOn
		}
		n := cal.WorkingDaysBetween(from, it.Due)
		out[i] = &n
	}
	return out
}

func next(d *Doc) []Action {
	var out []Action
	if s := d.Supplement; s != nil {
		out = append(out, Action{Kind: ActionSupplyMaterials, Materials: s.Missing})
	}
	if len(d.ToleranceMissing) > 0 && (d.Status == domain.StatusAccepted || d.Status == domain.StatusCompleted) {
		out = append(out, Action{Kind: ActionSupplyTolerance, Materials: d.ToleranceMissing, Due: d.ToleranceDue})
	}
	if !d.Rated && (d.Status == domain.StatusCompleted || d.Status == domain.StatusRefused) {
		out = append(out, Action{Kind: ActionRate})
	}
	return out
}

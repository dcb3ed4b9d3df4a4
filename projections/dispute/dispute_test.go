package dispute_test

import (
	"cmp"
	"context"
	"slices"
	"testing"
	"time"

	"github.com/caseledger/caseledger/domain"
	"github.com/caseledger/caseledger/domain/workday"
	"github.com/caseledger/caseledger/eventstore"
	"github.com/caseledger/caseledger/projections"
	"github.com/caseledger/caseledger/projections/dispute"
	"github.com/caseledger/caseledger/projections/timeline"
)

func checkDisputes(t *testing.T, r *projections.Runner, head uint64, want map[string]*expected) {
	t.Helper()
	kinds := map[dispute.Kind]int{}
	for id, w := range want {
		got, err := dispute.Find(context.Background(), r, head, id)
		if err != nil {
			t.Fatal(err)
		}
		kinds[got.Kind]++
		handling := make([]uint64, len(got.Handling))
		for i, h := range got.Handling {
			handling[i] = h.Version
		}
		if got.Kind != w.kind || got.CaseID != w.caseID || got.Region != w.region || got.Filed.Version != w.filed ||
			got.Disputed.Version != w.disputed || got.Closed != w.closed || got.Deadline != w.deadline || got.MetOn != w.metOn {
			t.Errorf("dispute %s: %s case %s region %s filed v%d disputed v%d closed %v due %s met %s, want %s %s %s v%d v%d %v %s %s",
				id, got.Kind, got.CaseID, got.Region, got.Filed.Version, got.Disputed.Version, got.Closed, got.Deadline, got.MetOn,
				w.kind, w.caseID, w.region, w.filed, w.disputed, w.closed, w.deadline, w.metOn)
		}
		if !slices.Equal(handling, w.handling) {
			t.Errorf("dispute %s: handling at versions %v, want %v", id, handling, w.handling)
		}
		if got.Label != w.label || !slices.Equal(got.Tags, w.tags) {
			t.Errorf("dispute %s: rating %s %v, want %s %v", id, got.Label, got.Tags, w.label, w.tags)
		}
	}
	if kinds[dispute.KindComplaint] == 0 || kinds[dispute.KindBadRating] == 0 {
		t.Fatalf("the history has disputes %v; both kinds are needed", kinds)
	}
}

func TestDisputesAgreeWithTheDomainFold(t *testing.T) {
	store := MustStore(t)
	head := MustAppend(t, store, MustAppends(t, historyCases()))
	r := MustViews(t, store, t.TempDir())
	want := oracle(t, store)
	checkDisputes(t, r, head, want)
	var closed, rectified int
	for _, w := range want {
		if w.closed {
			closed++
		}
		if w.kind == dispute.KindBadRating && !w.metOn.IsZero() {
			rectified++
		}
	}
	if closed == 0 || closed == len(want) || rectified == 0 {
		t.Errorf("%d of %d disputes closed, %d rectified: the history must have open, closed and rectified ones", closed, len(want), rectified)
	}
	t.Logf("%d disputes, %d closed, %d rectified", len(want), closed, rectified)
}

func TestRestartResumesFromItsCheckpoint(t *testing.T) {
	store := MustStore(t)
	as := MustAppends(t, historyCases())
	half := MustAppend(t, store, as[:len(as)/2])
	dir := t.TempDir()
	r, err := projections.Open(store, dir, projections.Options{}, dispute.Projection{})
	if err != nil {
		t.Fatal(err)
	}
	if err := r.WaitFor(context.Background(), dispute.Name, half); err != nil {
		t.Fatal(err)
	}
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	head := MustAppend(t, store, as[len(as)/2:])
	checkDisputes(t, MustViews(t, store, dir), head, oracle(t, store))
}

func TestListOpenPagesThroughEveryOpenDisputeOnce(t *testing.T) {
	store := MustStore(t)
	head := MustAppend(t, store, MustAppends(t, historyCases()))
	r := MustViews(t, store, t.TempDir())
	byRegion := map[string][]*expected{}
	for _, w := range oracle(t, store) {
		if !w.closed {
			byRegion[w.region] = append(byRegion[w.region], w)
		}
	}
	if len(byRegion) == 0 {
		t.Fatal("no open dispute in the history")
	}
	for region, want := range byRegion {
		slices.SortFunc(want, func(a, b *expected) int {
			return cmp.Or(a.filedOn.Compare(b.filedOn), cmp.Compare(a.id, b.id))
		})
		var got []string
		cursor, pages := "", 0
		for {
			page, err := dispute.ListOpen(context.Background(), r, head, region, cursor, 3)
			if err != nil {
				t.Fatal(err)
			}
			pages++
			for _, d := range page.Disputes {
				got = append(got, d.ID)
				if d.Closed || d.Region != region {
					t.Errorf("region %s lists %s (closed %v, region %s)", region, d.ID, d.Closed, d.Region)
				}
			}
			if page.Next == "" {
				break
			}
			cursor = page.Next
		}
		wantIDs := make([]string, len(want))
		for i, w := range want {
			wantIDs[i] = w.id
		}
		if !slices.Equal(got, wantIDs) {
			t.Errorf("region %s: open disputes %v over %d pages, want %v", region, got, pages, wantIDs)
		}
	}
}

func TestListOpenRefusesBadInput(t *testing.T) {
	store := MustStore(t)
	r := MustViews(t, store, t.TempDir())
	tests := []struct {
		name   string
		region string
		limit  int
	}{
		{"no region", "", 10},
		{"zero limit", "440300", 0},
		{"limit over the maximum", "440300", dispute.MaxPage + 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := dispute.ListOpen(context.Background(), r, 0, tt.region, "", tt.limit)
			if got, want := domain.ErrorCode(err), domain.CodeInvalid; got != want {
				t.Errorf("code %q (%v), want %q", got, err, want)
			}
		})
	}
}

func TestDossierShowsTheCaseAtTheDisputedStep(t *testing.T) {
	store := MustStore(t)
	head := MustAppend(t, store, MustAppends(t, historyCases()))
	r, err := projections.Open(store, t.TempDir(), projections.Options{}, dispute.Projection{}, timeline.Projection{})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	now := time.Date(2026, 7, 1, 9, 0, 0, 0, time.UTC)
	n := 0
	for id, w := range oracle(t, store) {
		if n++; n > 40 {
			break
		}
		got, err := dispute.Get(context.Background(), r, store, head, id, now, workday.Default())
		if err != nil {
			t.Fatal(err)
		}
		recs, err := store.ReadStream(context.Background(), "case-"+w.caseID, eventstore.ReadStreamOptions{})
		if err != nil {
			t.Fatal(err)
		}
		steps := got.Timeline.Steps
		if len(steps) != len(recs) {
			t.Fatalf("dispute %s: timeline of %d steps, the case has %d events", id, len(steps), len(recs))
		}
		if steps[w.disputed].Version != w.disputed || steps[w.filed].Type != recs[w.filed].Type {
			t.Errorf("dispute %s: steps v%d and v%d are not the disputed and filed events", id, w.disputed, w.filed)
		}
		evs := make([]domain.Event, w.disputed+1)
		for i := range evs {
			if evs[i], err = domain.DecodeRecorded(recs[i]); err != nil {
				t.Fatal(err)
			}
		}
		want := domain.Replay(evs)
		at := got.AtStep.State
		if got.AtStep.Version != w.disputed || at.Version != want.Version || at.Status != want.Status || len(at.Items) != len(want.Items) {
			t.Errorf("dispute %s: case at step v%d (%d events) %s, want v%d (%d events) %s", id,
				got.AtStep.Version, at.Version, at.Status, w.disputed, want.Version, want.Status)
			continue
		}
		for i := range want.Items {
			if at.Items[i].Status != want.Items[i].Status || at.Items[i].Due != want.Items[i].Due {
				t.Errorf("dispute %s item %s: %s due %s at the step, want %s due %s", id, want.Items[i].Code,
					at.Items[i].Status, at.Items[i].Due, want.Items[i].Status, want.Items[i].Due)
			}
		}
		if got.Dispute.ID != id || got.Deadline.State == "" {
			t.Errorf("dispute %s: dossier of %q with deadline %+v", id, got.Dispute.ID, got.Deadline)
		}
	}
}

func TestFindUnknownDisputeIsNotFound(t *testing.T) {
	store := MustStore(t)
	r := MustViews(t, store, t.TempDir())
	_, err := dispute.Find(context.Background(), r, 0, "no-such-dispute")
	if got, want := domain.ErrorCode(err), domain.CodeNotFound; got != want {
		t.Errorf("code %q (%v), want %q", got, err, want)
	}
}

func TestDeadlineOf(t *testing.T) {
	cal := workday.Default()
	due := workday.NewDate(2025, 6, 10) // a Tuesday
	left := func(n int) *int { return &n }
	tests := []struct {
		name  string
		d     dispute.Dispute
		today workday.Date
		want  dispute.Deadline
	}{
		{"no deadline", dispute.Dispute{}, due, dispute.Deadline{State: dispute.DeadlineNone}},
		{"met on the day", dispute.Dispute{Deadline: due, MetOn: due}, due.AddDays(5),
			dispute.Deadline{Due: due, State: dispute.DeadlineMet}},
		{"met late", dispute.Dispute{Deadline: due, MetOn: due.AddDays(1)}, due.AddDays(5),
			dispute.Deadline{Due: due, State: dispute.DeadlineMissed}},
		{"running", dispute.Dispute{Deadline: due}, workday.NewDate(2025, 6, 6),
			dispute.Deadline{Due: due, State: dispute.DeadlineRunning, WorkingDaysLeft: left(2)}},
		{"due today", dispute.Dispute{Deadline: due}, due,
			dispute.Deadline{Due: due, State: dispute.DeadlineRunning, WorkingDaysLeft: left(0)}},
		{"overdue", dispute.Dispute{Deadline: due}, workday.NewDate(2025, 6, 12),
			dispute.Deadline{Due: due, State: dispute.DeadlineOverdue, WorkingDaysLeft: left(-2)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := dispute.DeadlineOf(&tt.d, tt.today, cal)
			if got.Due != tt.want.Due || got.State != tt.want.State ||
				(got.WorkingDaysLeft == nil) != (tt.want.WorkingDaysLeft == nil) ||
				(got.WorkingDaysLeft != nil && *got.WorkingDaysLeft != *tt.want.WorkingDaysLeft) {
				t.Errorf("DeadlineOf = %+v (left %v), want %+v (left %v)", got, deref(got.WorkingDaysLeft), tt.want, deref(tt.want.WorkingDaysLeft))
			}
		})
	}
}

func deref(p *int) any {
	if p == nil {
		return nil
	}
	return *p
}

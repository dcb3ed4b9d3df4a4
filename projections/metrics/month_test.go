package metrics_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/caseledger/caseledger/domain"
	"github.com/caseledger/caseledger/domain/catalogue"
	"github.com/caseledger/caseledger/domain/workday"
	"github.com/caseledger/caseledger/projections/metrics"
	"github.com/caseledger/caseledger/projections/projectiontest"
	"github.com/google/uuid"
)

// TestFactsAreCountedInTheMonthTheyHappened refuses one case on each day
// listed, across the ends of the years whose month names the fold keeps
// ready (2000 to 2099) and beyond them, and checks each refusal lands in
// its own month.
func TestFactsAreCountedInTheMonthTheyHappened(t *testing.T) {
	days := []workday.Date{
		workday.NewDate(1999, 12, 31), workday.NewDate(2000, 1, 3), workday.NewDate(2026, 7, 1),
		workday.NewDate(2026, 10, 30), workday.NewDate(2099, 12, 31), workday.NewDate(2100, 1, 4),
	}
	store := MustStore(t)
	var head uint64
	for i, day := range days {
		id := fmt.Sprintf("m-%d", i)
		meta := func() domain.EventMeta {
			return domain.EventMeta{ID: uuid.New(), CaseID: id, CommandID: uuid.NewString(),
				Actor:      domain.Actor{Role: domain.RoleWindow, PersonID: "w-1", Unit: "centre", Region: "440300"},
				OccurredAt: day.Start().Add(10 * time.Hour)}
		}
		head = projectiontest.MustAppendEvents(t, store, id,
			&domain.CaseSubmitted{EventMeta: meta(), Region: "440300", Applicant: domain.Subject{Ref: "s", Kind: domain.Person},
				Bundle: catalogue.Bundle{Code: "newborn", Items: []catalogue.Item{{Code: "a", Department: "police"}}}},
			&domain.CaseRefused{EventMeta: meta(), Reason: "r", NoticeNumber: "n"})
	}
	r := MustViews(t, store, t.TempDir())
	got, err := metrics.Query(context.Background(), r, head, metrics.Filter{}, metrics.ByMonth)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(days) {
		t.Fatalf("%d months, want %d: %+v", len(got), len(days), got)
	}
	for i, g := range got {
		if want := fmt.Sprintf("%04d-%02d", days[i].Year, int(days[i].Month)); g.Key != want {
			t.Errorf("month %d is %s, want %s", i, g.Key, want)
		}
		if n := g.Cases[domain.StatusRefused]; n != 1 {
			t.Errorf("%s: %d refused cases, want 1", g.Key, n)
		}
	}
}

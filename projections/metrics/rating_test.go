package metrics_test

import (
	"context"
	"fmt"
	"maps"
	"testing"
	"time"

	"github.com/caseledger/caseledger/domain"
	"github.com/caseledger/caseledger/domain/catalogue"
	"github.com/caseledger/caseledger/domain/workday"
	"github.com/caseledger/caseledger/projections/metrics"
	"github.com/caseledger/caseledger/projections/projectiontest"
	"github.com/google/uuid"
)

// TestAnUpheldAppealTakesItsRatingBack rates cases and appeals some
// ratings: a rating taken back leaves no count behind, not even a zero one
// (design 1: the domain voids it for statistics).
func TestAnUpheldAppealTakesItsRatingBack(t *testing.T) {
	tests := []struct {
		name    string
		appeals []bool // one case per entry; true: an upheld appeal, false: a dismissed one
		want    map[domain.RatingLabel]int
	}{
		{"a dismissed appeal keeps the rating", []bool{false}, map[domain.RatingLabel]int{domain.Dissatisfied: 1}},
		{"an upheld appeal leaves no rating", []bool{true}, map[domain.RatingLabel]int{}},
		{"an upheld appeal takes back its own rating only", []bool{true, false, true}, map[domain.RatingLabel]int{domain.Dissatisfied: 1}},
	}
	day := workday.NewDate(2026, 7, 1)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			store := MustStore(t)
			var head uint64
			for i, upheld := range tt.appeals {
				id := fmt.Sprintf("r-%d", i)
				meta := func() domain.EventMeta {
					return domain.EventMeta{ID: uuid.New(), CaseID: id, CommandID: uuid.NewString(),
						Actor:      domain.Actor{Role: domain.RoleWindow, PersonID: "w-1", Unit: "centre", Region: "440300"},
						OccurredAt: day.Start().Add(10 * time.Hour)}
				}
				head = projectiontest.MustAppendEvents(t, store, id,
					&domain.CaseSubmitted{EventMeta: meta(), Region: "440300", Applicant: domain.Subject{Ref: "s", Kind: domain.Person},
						Bundle: catalogue.Bundle{Code: "newborn", Items: []catalogue.Item{{Code: "a", Department: "police"}}}},
					&domain.CaseRefused{EventMeta: meta(), Reason: "r", NoticeNumber: "n"},
					&domain.CaseRated{EventMeta: meta(), Label: domain.Dissatisfied, Channel: domain.ChannelWeb},
					&domain.AppealDecided{EventMeta: meta(), Upheld: upheld, Reason: "r"})
			}
			r := MustViews(t, store, t.TempDir())
			got, err := metrics.Query(context.Background(), r, head, metrics.Filter{}, metrics.ByMonth)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != 1 {
				t.Fatalf("%d months, want 1: %+v", len(got), got)
			}
			if got, want := got[0].Ratings, tt.want; !maps.Equal(got, want) {
				t.Errorf("ratings %v, want %v", got, want)
			}
		})
	}
}

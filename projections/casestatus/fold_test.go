package casestatus_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/caseledger/caseledger/domain"
	"github.com/caseledger/caseledger/domain/workday"
	"github.com/caseledger/caseledger/projections/casestatus"
)

// TestItemsShowTheDepartmentTheyWereDispatchedTo: the catalogue names an
// item's department, and a dispatch may send it to another (the fold keeps
// the catalogue's copy when they are equal).
func TestItemsShowTheDepartmentTheyWereDispatchedTo(t *testing.T) {
	tests := []struct {
		name       string
		dispatched []string // departments dispatched to, in turn; none: never dispatched
		want       string
	}{
		{"an item not dispatched yet", nil, "police"},
		{"an item dispatched to the catalogue's department", []string{"police"}, "police"},
		{"an item dispatched to another department", []string{"public-security-bureau"}, "public-security-bureau"},
		{"an item dispatched again, back to the catalogue's", []string{"public-security-bureau", "police"}, "police"},
	}
	store, r := mustRunner(t)
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			id := fmt.Sprintf("dispatch-%d", i)
			evs := []domain.Event{submitted(id, march(2), window, "s-1", "")}
			for _, dept := range tt.dispatched {
				evs = append(evs, &domain.ItemDispatched{EventMeta: metaOf(id, march(3), window), Item: "a",
					Department: dept, Due: march(20)})
			}
			head := appendCase(t, store, id, evs...)
			got, err := casestatus.Get(context.Background(), r, id, head, march(4), workday.Default())
			if err != nil {
				t.Fatal(err)
			}
			if len(got.Items) != 1 {
				t.Fatalf("%d items, want 1", len(got.Items))
			}
			if got, want := got.Items[0].Department, tt.want; got != want {
				t.Errorf("department %q, want %q", got, want)
			}
		})
	}
}

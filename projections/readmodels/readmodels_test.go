package readmodels_test

import (
	"testing"

	"github.com/caseledger/caseledger/eventstore/embedded"
	"github.com/caseledger/caseledger/projections"
	"github.com/caseledger/caseledger/projections/readmodels"
)

// TestTheServersReadModelsOpenTogether: the set must open as one runner
// (distinct names, valid names and versions), as serve and loadgen open it.
func TestTheServersReadModelsOpenTogether(t *testing.T) {
	store, err := embedded.Open(t.TempDir(), embedded.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	r, err := projections.Open(store, t.TempDir(), projections.Options{}, readmodels.All()...)
	if err != nil {
		t.Fatalf("opening the server's read models: %v", err)
	}
	defer r.Close()
	seen := map[string]bool{}
	for _, p := range readmodels.All() {
		if seen[p.Name()] {
			t.Errorf("read model %q is listed twice", p.Name())
		}
		seen[p.Name()] = true
	}
}

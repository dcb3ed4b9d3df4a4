package embedded_test

import (
	"testing"

	"github.com/caseledger/caseledger/eventstore"
	"github.com/caseledger/caseledger/eventstore/embedded"
	"github.com/caseledger/caseledger/eventstore/storetest"
)

// The embedded store keeps the strict contract, gapless positions included,
// so it declares no differences.
func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) eventstore.Store {
		s, err := embedded.Open(t.TempDir(), embedded.Options{})
		if err != nil {
			t.Fatalf("Open: %v", err)
		}
		return s
	})
}

package decider_test

import (
	"testing"

	"github.com/caseledger/caseledger/eventstore"
	"github.com/caseledger/caseledger/eventstore/embedded"
)

// newStore opens a real embedded store in a temp dir: the loop's retry and
// replay rest on the store's version checks and atomic appends, which a
// stand-in could get subtly wrong.
func newStore(tb testing.TB) eventstore.Store {
	tb.Helper()
	s, err := embedded.Open(tb.TempDir(), embedded.Options{})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		if err := s.Close(); err != nil {
			tb.Error(err)
		}
	})
	return s
}

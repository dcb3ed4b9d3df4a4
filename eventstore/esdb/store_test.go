package esdb_test

import (
	"os"
	"testing"

	"github.com/caseledger/caseledger/eventstore"
	"github.com/caseledger/caseledger/eventstore/esdb"
	"github.com/caseledger/caseledger/eventstore/esdbserver/esdbtest"
	"github.com/caseledger/caseledger/eventstore/storetest"
)

// openThroughEndpoint opens the backend on caseledger's own
// EventStoreDB-compatible endpoint over a fresh embedded store, with TLS and
// the service identity, as a scaled-out instance would reach another.
func openThroughEndpoint(t testing.TB, opts ...esdb.Options) (*esdb.Store, *esdbtest.Endpoint) {
	t.Helper()
	ep := esdbtest.Start(t, esdbtest.Config{TLS: true})
	var o esdb.Options
	if len(opts) > 0 {
		o = opts[0]
	}
	s, err := esdb.Open(t.Context(), ep.ConnectionString(esdbtest.ServiceUser, esdbtest.ServicePassword), o)
	if err != nil {
		t.Fatalf("Open(%s): %v", ep, err)
	}
	return s, ep
}

// Positions through the endpoint are the embedded store's, gapless, so the
// strict suite runs.
func TestConformanceThroughEndpoint(t *testing.T) {
	storetest.Run(t, func(t *testing.T) eventstore.Store {
		s, _ := openThroughEndpoint(t)
		return s
	})
}

// TestConformanceOnEventStoreDB runs the suite against a real EventStoreDB
// or KurrentDB named by CASELEDGER_TEST_ESDB (docs/scale-out.md says how to
// start one). Every subtest writes to streams of its own, so the server need
// not be empty; but the suite reads $all, so use a server for tests only.
func TestConformanceOnEventStoreDB(t *testing.T) {
	conn := os.Getenv("CASELEDGER_TEST_ESDB")
	if conn == "" {
		t.Skip("CASELEDGER_TEST_ESDB is not set")
	}
	storetest.Run(t, func(t *testing.T) eventstore.Store {
		s, err := esdb.Open(t.Context(), conn, esdb.Options{})
		if err != nil {
			t.Fatalf("Open: %v", err)
		}
		return s
	}, storetest.PositionGaps())
}

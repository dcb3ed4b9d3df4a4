package embedded_test

import (
	"testing"

	"github.com/caseledger/caseledger/eventstore"
	"github.com/caseledger/caseledger/eventstore/embedded"
	"github.com/caseledger/caseledger/eventstore/storetest"
)

// The embedded store keeps the strict contract, gapless positions included,
// so it declares no differences. It runs the suite twice: with the default
// options, and with log segments so small that most appends start a new one
// and a memtable so small that pending index entries move to pebble every
// few appends, so that every read, subscription and recovery path crosses
// segments and finds entries in both places.
func TestConformance(t *testing.T) {
	for _, tc := range []struct {
		name string
		opts embedded.Options
	}{
		{"default", embedded.Options{}},
		{"tiny segments and memtable", embedded.Options{SegmentSize: 2 << 10, MemTableSize: 16 << 10}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			storetest.Run(t, func(t *testing.T) eventstore.Store {
				s, err := embedded.Open(t.TempDir(), tc.opts)
				if err != nil {
					t.Fatalf("Open: %v", err)
				}
				return s
			})
		})
	}
}

package storetest

import (
	"testing"

	"github.com/caseledger/caseledger/eventstore"
)

// testVerify checks that eventstore.Verify accepts what the backend wrote
// and counts it right. (Every subtest also ends with a Verify of its store.)
func (su *suite) testVerify(t *testing.T) {
	t.Run("passes on a log of interleaved streams and reports its size", func(t *testing.T) {
		h := su.open(t)
		streams := []string{stream("case"), stream("case"), stream("bundle"), stream("audit")}
		for i := range 30 {
			h.mustAppend(streams[i%len(streams)], eventstore.Any, h.events(1+i%3, "Noted")...)
		}
		log := h.readAll()
		var pages int
		got, err := eventstore.Verify(h.ctx, h.s, eventstore.VerifyOptions{
			GaplessPositions: !h.cfg.positionGaps,
			PageSize:         7,
			Progress:         func(eventstore.VerifyReport) { pages++ },
		})
		if err != nil {
			t.Fatalf("Verify: %v", err)
		}
		want := eventstore.VerifyReport{Events: uint64(len(log)), Streams: len(streams), LastPosition: h.head()}
		if got != want {
			t.Errorf("Verify report = %+v, want %+v", got, want)
		}
		if want := (len(log) + 6) / 7; pages != want {
			t.Errorf("Verify reported progress %d times, want once per page (%d)", pages, want)
		}
	})
}

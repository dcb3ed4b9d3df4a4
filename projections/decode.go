package projections

import (
	"sync"

	"github.com/caseledger/caseledger/domain"
	"github.com/caseledger/caseledger/eventstore"
)

// decodeChunk decodes the events of items that want says are folded as
// domain events, the two halves side by side when there are enough of them
// (the runner folds on other goroutines meanwhile, so this is the stage
// that would otherwise cap a replay at one core's decoding speed).
func decodeChunk(items []item, want func(*eventstore.RecordedEvent) bool) {
	if len(items) < parallelDecode {
		decodeItems(items, want)
		return
	}
	var wg sync.WaitGroup
	half := len(items) / 2
	wg.Go(func() { decodeItems(items[:half], want) })
	decodeItems(items[half:], want)
	wg.Wait()
}

func decodeItems(items []item, want func(*eventstore.RecordedEvent) bool) {
	for i := range items {
		it := &items[i]
		if it.msg.Kind != eventstore.MessageEvent || !want(&it.msg.Event) {
			continue
		}
		e := &it.msg.Event
		it.ev, it.err = domain.Decode(e.Type, e.Data, e.Metadata)
	}
}

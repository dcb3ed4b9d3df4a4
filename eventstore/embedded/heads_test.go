package embedded_test

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/cockroachdb/pebble/v2/vfs"

	"github.com/caseledger/caseledger/eventstore"
	"github.com/caseledger/caseledger/eventstore/embedded"
)

// TestSmallHeadCacheKeepsChains appends to many more streams than the head
// cache holds, concurrently, with exact expected versions: every head the
// cache drops must be reloaded from disk with its version and hash, or the
// expected versions fail, versions repeat or chains break.
func TestSmallHeadCacheKeepsChains(t *testing.T) {
	ctx := context.Background()
	s, err := embedded.Open("/db", embedded.Options{FS: vfs.NewMem(), HeadCacheSize: 4})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	writers, streams, rounds := 8, 40, 6
	if testing.Short() {
		rounds = 3
	}
	var wg sync.WaitGroup
	errs := make(chan error, writers)
	for w := range writers {
		wg.Go(func() {
			for r := range rounds {
				for i := w; i < streams; i += writers {
					stream := fmt.Sprintf("case-%d", i)
					expected := eventstore.NoStream
					if r > 0 {
						expected = eventstore.Exact(uint64(2*r - 1))
					}
					if _, err := s.Append(ctx, stream, expected, newEvent("Noted", r), newEvent("Noted", r)); err != nil {
						errs <- err
						return
					}
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	all := MustReadAll(t, s)
	if got, want := len(all), streams*rounds*2; got != want {
		t.Fatalf("%d events, want %d", got, want)
	}
	checkLog(t, all)
}

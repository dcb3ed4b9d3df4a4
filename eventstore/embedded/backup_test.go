package embedded_test

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cockroachdb/pebble/v2/vfs"

	"github.com/caseledger/caseledger/eventstore"
	"github.com/caseledger/caseledger/eventstore/embedded"
)

// TestBackupWhileAppendingOpensAndVerifies takes backups while writers keep
// appending: each copy must open as a store, verify (chains, gapless
// positions) and hold every append acknowledged before Backup was called.
// With tiny segments the copy spans many segment files.
func TestBackupWhileAppendingOpensAndVerifies(t *testing.T) {
	for _, tc := range []struct {
		name    string
		segment int64
	}{{"default segments", 0}, {"tiny segments and memtable", 4 << 10}} {
		t.Run(tc.name, func(t *testing.T) { testBackupWhileAppending(t, tc.segment) })
	}
}

func testBackupWhileAppending(t *testing.T, segment int64) {
	ctx := context.Background()
	fs := vfs.NewMem()
	opts := embedded.Options{FS: fs, SegmentSize: segment}
	if segment > 0 {
		opts.MemTableSize = 16 << 10
	}
	s := MustOpenWith(t, "/db", opts)
	writers, perWriter, backups := 4, 150, 3
	if testing.Short() {
		perWriter = 60
	}
	var acked atomic.Uint64 // the highest position acknowledged so far
	var wg sync.WaitGroup
	errs := make(chan error, writers)
	for w := range writers {
		wg.Go(func() {
			stream := fmt.Sprintf("case-w%d", w)
			for i := range perWriter {
				res, err := s.Append(ctx, stream, eventstore.Any, newEvent("Noted", i))
				if err != nil {
					errs <- err
					return
				}
				for {
					cur := acked.Load()
					if res.LastPosition <= cur || acked.CompareAndSwap(cur, res.LastPosition) {
						break
					}
				}
			}
		})
	}
	var mustHave []uint64
	for i := range backups {
		// Let some appends happen before each backup.
		for acked.Load() < uint64((i+1)*writers*perWriter/(backups+1)) {
			select {
			case err := <-errs:
				t.Fatal(err)
			default:
				time.Sleep(time.Millisecond)
			}
		}
		mustHave = append(mustHave, acked.Load())
		if err := s.Backup(ctx, fmt.Sprintf("/backup%d", i)); err != nil {
			t.Fatalf("backup %d: %v", i, err)
		}
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}

	for i, want := range mustHave {
		b := MustOpen(t, fs, fmt.Sprintf("/backup%d", i))
		rep, err := eventstore.Verify(ctx, b, eventstore.VerifyOptions{GaplessPositions: true})
		if err != nil {
			t.Fatalf("backup %d does not verify: %v", i, err)
		}
		if rep.LastPosition < want {
			t.Fatalf("backup %d ends at position %d, but %d was acknowledged before it", i, rep.LastPosition, want)
		}
		// The copy is a store in its own right: it takes appends.
		MustAppend(t, b, "case-after-restore", eventstore.NoStream, newEvent("Restored", i))
	}
	if err := s.Backup(ctx, "/backup0"); err == nil {
		t.Fatal("backup into an existing directory succeeded")
	}
}

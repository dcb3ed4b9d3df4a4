package projections

import (
	"context"
	"errors"
	"fmt"

	"github.com/caseledger/caseledger/eventstore"
)

// delivery is one result of Subscription.Next, passed from the goroutine
// that blocks in Next to the feed.
type delivery struct {
	msg eventstore.Message
	err error
}

// run folds w's copy from its checkpoint, as its feed hands it the log,
// until ctx ends or it fails.
func (r *Runner) run(ctx context.Context, s *slot, w *worker) {
	f := newFolder(w.c, w.p)
	caughtUp, flushed := false, false
	var c *chunk // the chunk being folded; nil when all of it is
	next := 0    // its first item not folded yet
	for {
		if c == nil {
			select {
			case <-ctx.Done():
				f.discard()
				return
			case c = <-w.in:
				next = 0
			}
		}
		limit := r.catchUpSize
		if caughtUp {
			limit = r.batchSize
		}
	batch:
		for n := 0; n < limit && !f.full(); {
			if next == len(c.items) {
				if c.err != nil {
					f.discard()
					if ctx.Err() == nil && !errors.Is(c.err, context.Canceled) {
						r.fail(s, w, fmt.Errorf("projections: %s: %w", w.c.id.dir(), c.err))
					}
					return
				}
				// Folded whole: the items' events are in the batch or
				// skipped, and nothing points into the chunk any more.
				c.release()
				if caughtUp {
					select {
					case c = <-w.in:
						next = 0
						continue
					default:
						c = nil
						break batch
					}
				}
				// Catching up, more is on its way even when the feed is
				// momentarily behind: waiting for it keeps batches large.
				select {
				case <-ctx.Done():
					f.discard()
					return
				case c = <-w.in:
					next = 0
					continue
				}
			}
			if err := handle(f, &c.items[next], &caughtUp); err != nil {
				f.discard()
				r.fail(s, w, err)
				return
			}
			next++
			n++
		}
		if err := f.commit(); err != nil {
			r.fail(s, w, err)
			return
		}
		if err := r.committed(s, w, caughtUp); err != nil {
			r.fail(s, w, err)
			return
		}
		if caughtUp && !flushed {
			// The catch-up's writes are in the memtable; a restart after a
			// crash would fold them all again from the store.
			flushed = true
			if _, err := w.c.db.AsyncFlush(); err != nil {
				r.fail(s, w, fmt.Errorf("projections: flush copy %s: %w", w.c.id.dir(), err))
				return
			}
		}
	}
}

func handle(f *folder, it *item, caughtUp *bool) error {
	switch it.msg.Kind {
	case eventstore.MessageEvent:
		return f.apply(it)
	case eventstore.MessageCaughtUp:
		*caughtUp = true
		f.advance(it.msg.Position)
	case eventstore.MessageCheckpoint:
		f.advance(it.msg.Position)
	}
	return nil
}

package projections

import (
	"context"
	"errors"
	"fmt"

	"github.com/caseledger/caseledger/eventstore"
)

// delivery is one result of Subscription.Next, passed from the goroutine
// that blocks in Next to the folding loop.
type delivery struct {
	msg eventstore.Message
	err error
}

// run folds w's copy from its checkpoint until ctx ends or it fails.
func (r *Runner) run(ctx context.Context, s *slot, w *worker) {
	// Cancelled on any return, so the goroutine calling Next never stays
	// blocked handing over a message nobody will take.
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	// The subscription is unfiltered on purpose (invariant 5).
	sub, err := r.store.Subscribe(ctx, eventstore.SubscribeOptions{After: w.c.position.Load()})
	if err != nil {
		if ctx.Err() == nil {
			r.fail(s, w, fmt.Errorf("projections: %s: subscribe: %w", w.c.id.dir(), err))
		}
		return
	}
	defer sub.Close()
	// Next blocks, so it runs apart: the loop below can then tell whether
	// more is ready and commit as soon as nothing is (Options.BatchSize).
	ch := make(chan delivery, r.batchSize)
	go func() {
		for {
			m, err := sub.Next()
			select {
			case ch <- delivery{m, err}:
			case <-ctx.Done():
				return
			}
			if err != nil {
				return
			}
		}
	}()

	f := newFolder(w.c, w.p)
	caughtUp := false
	for {
		var d delivery
		select {
		case <-ctx.Done():
			f.discard()
			return
		case d = <-ch:
		}
		for n := 1; ; n++ {
			if d.err != nil {
				f.discard()
				if ctx.Err() == nil && !errors.Is(d.err, context.Canceled) {
					r.fail(s, w, fmt.Errorf("projections: %s: subscription: %w", w.c.id.dir(), d.err))
				}
				return
			}
			if err := handle(f, d.msg, &caughtUp); err != nil {
				f.discard()
				r.fail(s, w, err)
				return
			}
			if n >= r.batchSize {
				break
			}
			select {
			case d = <-ch:
				continue
			default:
			}
			break
		}
		if err := f.commit(); err != nil {
			r.fail(s, w, err)
			return
		}
		if err := r.committed(s, w, caughtUp); err != nil {
			r.fail(s, w, err)
			return
		}
	}
}

func handle(f *folder, m eventstore.Message, caughtUp *bool) error {
	switch m.Kind {
	case eventstore.MessageEvent:
		return f.apply(&m.Event)
	case eventstore.MessageCaughtUp:
		*caughtUp = true
		f.advance(m.Position)
	case eventstore.MessageCheckpoint:
		f.advance(m.Position)
	}
	return nil
}

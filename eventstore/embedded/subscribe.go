package embedded

import (
	"context"
	"sync"

	"github.com/caseledger/caseledger/eventstore"
)

// Subscription pages: a page keeps at most subPage events and examines at
// most subScan records, so a filtered subscription far behind the head
// reports progress (a checkpoint) instead of scanning the whole log at once.
const (
	subPage = 256
	subScan = 4096
)

// Subscribe starts a catch-up subscription (rule 10). It is pull-based: each
// Next reads the log in pages after the last position it examined and, at
// the head, waits for the store's notification. It holds no goroutine and
// nothing the writer waits for, so a slow subscriber never blocks appends
// (see "Concurrency" in the package comment).
func (s *Store) Subscribe(ctx context.Context, opts eventstore.SubscribeOptions) (eventstore.Subscription, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	select {
	case <-s.closed:
		return nil, eventstore.ErrClosed
	default:
	}
	sub := &subscription{s: s, ctx: ctx, filter: opts.Filter, after: opts.After, done: make(chan struct{})}
	sub.arena.chunks = &sub.chunks
	return sub, nil
}

type subscription struct {
	s      *Store
	ctx    context.Context
	filter eventstore.Filter

	// Used by Next only; Next is not called concurrently with itself.
	after    uint64 // the last position examined
	buf      []eventstore.RecordedEvent
	caughtUp bool
	// page is the last page read. Next hands out copies of its events, so
	// the next page is read into the same array; arena holds the events'
	// data, in chunks the caller may recycle.
	page  []eventstore.RecordedEvent
	arena byteArena

	chunks arenaPool // shared with Recycle

	done      chan struct{}
	closeOnce sync.Once
}

// Next returns the next message; see eventstore.Subscription.
func (sub *subscription) Next() (eventstore.Message, error) {
	for {
		if err := sub.ended(); err != nil {
			sub.buf = nil
			return eventstore.Message{}, err
		}
		if len(sub.buf) > 0 {
			e := sub.buf[0]
			sub.buf = sub.buf[1:]
			return eventstore.Message{Kind: eventstore.MessageEvent, Event: e, Position: e.Position}, nil
		}
		// Take the notification channel before reading head: an append
		// published after the read closes this channel, so none is missed.
		wake := sub.s.notifyChan()
		head := sub.s.head.Load()
		if sub.after < head {
			events, last, err := sub.read(head)
			if err != nil {
				return eventstore.Message{}, err
			}
			if last <= sub.after {
				// Invariant 5: a log with no gap has a record after
				// every position below head.
				return eventstore.Message{}, corruptAt(sub.after+1, errCorrupt)
			}
			sub.after = last
			if len(events) > 0 {
				sub.buf = events
				continue
			}
			if !sub.filter.IsZero() {
				return eventstore.Message{Kind: eventstore.MessageCheckpoint, Position: last}, nil
			}
			continue
		}
		if !sub.caughtUp {
			sub.caughtUp = true
			return eventstore.Message{Kind: eventstore.MessageCaughtUp, Position: head}, nil
		}
		select {
		case <-wake:
		case <-sub.ctx.Done():
		case <-sub.done:
		case <-sub.s.closed:
		}
	}
}

// read reads the page after sub.after into sub.page.
func (sub *subscription) read(head uint64) ([]eventstore.RecordedEvent, uint64, error) {
	if err := sub.s.acquire(); err != nil {
		return nil, 0, err
	}
	defer sub.s.release()
	events, last, err := sub.s.scan(sub.ctx, sub.after+1, eventstore.Forwards, subPage, subScan, sub.filter, head, sub.page[:0], &sub.arena)
	if len(events) < len(sub.page) {
		// A shorter page leaves the last one's tail: drop its references.
		clear(sub.page[len(events):])
	}
	sub.page = events
	return events, last, err
}

// Recycle lets the subscription write later events' data over the data of
// the events it delivered up to position through; see eventstore.Recycler.
// It may be called concurrently with Next.
func (sub *subscription) Recycle(through uint64) { sub.chunks.recycle(through) }

// Ready reports whether Next would return without waiting for an append;
// see eventstore.Readier.
func (sub *subscription) Ready() bool {
	return len(sub.buf) > 0 || !sub.caughtUp || sub.after < sub.s.head.Load() || sub.ended() != nil
}

// ended reports why the subscription can deliver no more, if it cannot.
// Next asks before every message: one select over both channels locked
// them both each time (70 ms per million events in a replay's profile),
// where a receive that finds an open channel empty takes no lock.
func (sub *subscription) ended() error {
	select {
	case <-sub.done:
		return eventstore.ErrClosed
	default:
	}
	select {
	case <-sub.s.closed:
		return eventstore.ErrClosed
	default:
	}
	select {
	case <-sub.ctx.Done():
		return sub.ctx.Err()
	default:
	}
	return nil
}

// Close ends the subscription; a Next blocked in another goroutine returns
// ErrClosed.
func (sub *subscription) Close() error {
	sub.closeOnce.Do(func() { close(sub.done) })
	return nil
}

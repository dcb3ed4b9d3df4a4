package projections

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"sync"

	"github.com/caseledger/caseledger/domain"
	"github.com/caseledger/caseledger/eventstore"
)

// DomainProjection is a Projection that folds decoded domain events. The
// runner decodes each event once (domain.Decode) for all the projections
// that want it, and calls ApplyEvent instead of Apply: decoding the JSON is
// most of the cost of a replay, and a server folds four read models or more
// from the same events. ev is shared with the other projections: ApplyEvent
// must neither change it nor keep slices of it that it changes later. Apply
// stays, for callers that hold only the recorded event.
type DomainProjection interface {
	Projection
	ApplyEvent(tx *Tx, e *eventstore.RecordedEvent, ev domain.Event) error
}

// item is one subscription message, with its event decoded when a member
// of the feed folds domain events of it.
type item struct {
	msg eventstore.Message
	ev  domain.Event
	err error // the decoding failed; the members that apply it stop on it
}

// chunk is consecutive messages of the log, shared read-only by every
// member of a feed. A chunk with err is the last: its items come first.
type chunk struct {
	items []item
	err   error
}

const (
	// chunkSize bounds the messages a feed hands over at a time: large
	// enough that handing over costs nothing beside folding, small enough
	// that a live event is not held back (a chunk also ends whenever the
	// subscription has nothing more ready).
	chunkSize = 512
	// memberLag is the chunks a member may fall behind the feed before the
	// feed waits for it, bounding what a slow member keeps in memory.
	memberLag = 8
	// shareGap is how far apart, in positions, copies may start and still
	// share one feed: those further ahead skip the events they folded
	// already. A copy built from zero beside others at the head gets its own
	// feed, so their live events never wait behind its catch-up.
	shareGap = 1 << 16
	// parallelDecode is the chunk length from which a feed decodes the two
	// halves of a chunk side by side.
	parallelDecode = 64
)

// feed reads the log once for a group of workers starting at about the
// same position and decodes each event once for all of them. Members fold
// at their own pace; the feed runs memberLag chunks ahead of the slowest.
// A member leaves when its worker ends; the feed ends with the last one.
type feed struct {
	after   uint64 // the subscription starts after it: the lowest checkpoint
	members []*worker
}

// startFeeds groups ws into feeds (shareGap) and starts them.
func (r *Runner) startFeeds(ws []*worker) {
	slices.SortFunc(ws, func(a, b *worker) int { return cmp.Compare(a.c.position.Load(), b.c.position.Load()) })
	for len(ws) > 0 {
		n := 1
		for n < len(ws) && ws[n].c.position.Load()-ws[0].c.position.Load() <= shareGap {
			n++
		}
		fd := &feed{after: ws[0].c.position.Load(), members: slices.Clone(ws[:n])}
		r.wg.Go(func() { r.runFeed(r.ctx, fd) })
		ws = ws[n:]
	}
}

// runFeed reads the subscription into chunks, decodes them and hands them
// to every member until ctx ends, the subscription fails or no member is
// left.
func (r *Runner) runFeed(ctx context.Context, fd *feed) {
	// Cancelled on any return, so the goroutine calling Next never stays
	// blocked handing over a message nobody will take.
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	// The subscription is unfiltered on purpose (invariant 5).
	sub, err := r.store.Subscribe(ctx, eventstore.SubscribeOptions{After: fd.after})
	if err != nil {
		fd.send(ctx, &chunk{err: fmt.Errorf("subscribe: %w", err)})
		return
	}
	defer sub.Close()
	// Next blocks, so it runs apart: the loop below can then tell whether
	// more is ready and hand over a chunk as soon as nothing is.
	raw := make(chan delivery, chunkSize)
	go func() {
		for {
			m, err := sub.Next()
			select {
			case raw <- delivery{m, err}:
			case <-ctx.Done():
				return
			}
			if err != nil {
				return
			}
		}
	}()
	// Chunks are often short (the subscription is the slower side), so
	// messages are gathered here and each chunk gets exactly their number
	// of items.
	msgs := make([]eventstore.Message, 0, chunkSize)
	for {
		var d delivery
		select {
		case <-ctx.Done():
			return
		case d = <-raw:
		}
		c := &chunk{}
		msgs = msgs[:0]
	gather:
		for {
			if d.err != nil {
				c.err = fmt.Errorf("subscription: %w", d.err)
				break
			}
			msgs = append(msgs, d.msg)
			if len(msgs) == chunkSize {
				break
			}
			select {
			case d = <-raw:
			default:
				break gather
			}
		}
		c.items = make([]item, len(msgs))
		for i := range msgs {
			c.items[i].msg = msgs[i]
		}
		clear(msgs) // drop the events' references until overwritten
		decodeChunk(c.items, fd.wants)
		if !fd.send(ctx, c) || c.err != nil {
			return
		}
	}
}

// wants reports whether a member folds e as a domain event.
func (fd *feed) wants(e *eventstore.RecordedEvent) bool {
	for _, w := range fd.members {
		if w.decoded && (w.filter.IsZero() || w.filter.Matches(e)) {
			return true
		}
	}
	return false
}

// send hands c to every member, dropping those whose worker has ended. It
// reports whether any member is left.
func (fd *feed) send(ctx context.Context, c *chunk) bool {
	left := fd.members[:0]
	for _, w := range fd.members {
		select {
		case w.in <- c:
			left = append(left, w)
		case <-w.done:
		case <-ctx.Done():
			return false
		}
	}
	clear(fd.members[len(left):])
	fd.members = left
	return len(left) > 0
}

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

package projections

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"sync/atomic"

	"github.com/caseledger/caseledger/domain"
	"github.com/caseledger/caseledger/eventstore"
)

// DomainProjection is a Projection that folds decoded domain events. The
// runner decodes each event once (domain.Decode) for all the projections
// that want it, and calls ApplyEvent instead of Apply: decoding the JSON is
// most of the cost of a replay, and a server folds four read models or more
// from the same events. ev is shared with the other projections: ApplyEvent
// must neither change it nor keep slices of it that it changes later; e is
// valid only during the call, as for Apply. Apply stays, for callers that
// hold only the recorded event.
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
	// readers counts the members that have not finished with the chunk;
	// the last to finish gives it back to free, for the feed to fill
	// again (the chunks' items were 7 % of a replay's allocations). A
	// member that stops midway never gives it back: it is then left to
	// the garbage collector, which is always safe.
	readers atomic.Int32
	free    chan *chunk
	// last is the position of the chunk's last message; once every member
	// has released the chunk, the subscription may write later events over
	// the data of the events up to it (eventstore.Recycler), which spares
	// a replay an allocation for every event's data.
	last     uint64
	recycler eventstore.Recycler
}

// release is a member's word that it is done with c: it neither reads c
// nor keeps pointers into its items afterwards.
func (c *chunk) release() {
	if c.readers.Add(-1) != 0 {
		return
	}
	if c.recycler != nil {
		// Members release their chunks in order, so every chunk before
		// this one is released already.
		c.recycler.Recycle(c.last)
	}
	if c.free != nil {
		select {
		case c.free <- c:
		default: // enough spare chunks already
		}
	}
}

const (
	// chunkSize bounds the messages a feed hands over at a time: large
	// enough that handing over costs little beside folding (each hand-over
	// may wake a parked thread), small enough that the decoded events of a
	// chunk are still in the processor's caches when the last member folds
	// them, and that a live event is not held back (a chunk also ends
	// whenever the subscription has nothing more ready). Replaying the four
	// read models from 1M events, alternated runs on an idle machine: with
	// the feed taking messages through a channel, 2048 beat 512 by 10 % in
	// median; since the feed gathers them itself (gatherReady), 1024 gave
	// 352k-392k events/s at 7.6-8.7 s of CPU in six runs (three more, as
	// the machine slowed, 281k-328k), 2048 322k-380k at 8.2-8.8 s in six,
	// 512 about as 1024 (362k-398k in four), 4096 as 2048 (335k-351k).
	chunkSize = 1024
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
	// free holds chunks every member has released, to be filled again.
	free chan *chunk
}

// startFeeds groups ws into feeds (shareGap) and starts them.
func (r *Runner) startFeeds(ws []*worker) {
	slices.SortFunc(ws, func(a, b *worker) int { return cmp.Compare(a.c.position.Load(), b.c.position.Load()) })
	for len(ws) > 0 {
		n := 1
		for n < len(ws) && ws[n].c.position.Load()-ws[0].c.position.Load() <= shareGap {
			n++
		}
		fd := &feed{after: ws[0].c.position.Load(), members: slices.Clone(ws[:n]),
			free: make(chan *chunk, 2*memberLag)}
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
	// A subscription that can reuse the memory of the events it delivered
	// is told when every member is done with a chunk.
	recycler, _ := sub.(eventstore.Recycler)
	if rd, ok := sub.(eventstore.Readier); ok {
		fd.gatherReady(ctx, sub, rd, recycler)
		return
	}
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
	// messages are gathered here first; chunks are made full size once and
	// reused (feed.free).
	msgs := make([]eventstore.Message, 0, chunkSize)
	for {
		var d delivery
		select {
		case <-ctx.Done():
			return
		case d = <-raw:
		}
		c := fd.newChunk()
		c.recycler = recycler
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
		c.fill(msgs)
		if !fd.deliver(ctx, c) {
			return
		}
	}
}

// gatherReady is runFeed for a subscription that tells when Next would
// wait (eventstore.Readier): it gathers messages while Next has more at
// hand and hands them over as soon as it has not, with no goroutine and no
// channel between Next and the chunk. The other way cost two channel
// operations a message, about 0.15 s of CPU per million events replayed.
// Messages go straight into the chunk's items: gathering them apart first
// copied every message once more (0.1 s per million).
func (fd *feed) gatherReady(ctx context.Context, sub eventstore.Subscription, rd eventstore.Readier, recycler eventstore.Recycler) {
	for {
		// Nothing gathered waits while Next does: the last chunk went out
		// when Ready turned false. Next ends on ctx (the subscription's).
		m, err := sub.Next()
		c := fd.newChunk()
		c.recycler = recycler
		items := c.items[:0]
		if items == nil {
			items = make([]item, 0, chunkSize)
		}
		for {
			if err != nil {
				c.err = fmt.Errorf("subscription: %w", err)
				break
			}
			items = append(items, item{msg: m})
			if len(items) == chunkSize || !rd.Ready() {
				break
			}
			m, err = sub.Next()
		}
		c.setItems(items)
		if !fd.deliver(ctx, c) {
			return
		}
	}
}

// fill makes msgs c's items; msgs is cleared.
func (c *chunk) fill(msgs []eventstore.Message) {
	items := c.items[:0]
	if items == nil {
		items = make([]item, 0, chunkSize)
	}
	for i := range msgs {
		items = append(items, item{msg: msgs[i]})
	}
	clear(msgs) // drop the events' references until overwritten
	c.setItems(items)
}

// setItems makes items, written over c.items' array, c's items. Every
// field of every item is written, and the rest of the array cleared: a
// reused chunk keeps nothing of the events it held.
func (c *chunk) setItems(items []item) {
	if len(items) < len(c.items) {
		clear(c.items[len(items):])
	}
	c.items = items
	c.last = 0
	if n := len(items); n > 0 {
		c.last = items[n-1].msg.Position
	}
}

// deliver decodes c's events and sends c to the members. It reports
// whether the feed goes on: some member is left and c held no error.
func (fd *feed) deliver(ctx context.Context, c *chunk) bool {
	decodeChunk(c.items, fd.wants)
	return fd.send(ctx, c) && c.err == nil
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

// newChunk returns a released chunk, or a new one.
func (fd *feed) newChunk() *chunk {
	select {
	case c := <-fd.free:
		c.err = nil
		return c
	default:
		return &chunk{free: fd.free}
	}
}

// send hands c to every member, dropping those whose worker has ended. It
// reports whether any member is left.
func (fd *feed) send(ctx context.Context, c *chunk) bool {
	// Counted before the first member may release it; a member that does
	// not take it is released for here.
	c.readers.Store(int32(len(fd.members)))
	left := fd.members[:0]
	for _, w := range fd.members {
		select {
		case w.in <- c:
			left = append(left, w)
		case <-w.done:
			c.release()
		case <-ctx.Done():
			return false
		}
	}
	clear(fd.members[len(left):])
	fd.members = left
	return len(left) > 0
}

package esdb

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"sync/atomic"
	"time"

	kdb "github.com/EventStore/EventStore-Client-Go/v4/esdb"
	"github.com/caseledger/caseledger/domain"
	"github.com/caseledger/caseledger/eventstore"
)

const (
	minBackoff = 50 * time.Millisecond
	maxBackoff = 5 * time.Second
)

// subscription is a catch-up subscription that survives dropped
// connections (rules 7 to 9 of the package comment). Next is not safe for
// concurrent use; Close is safe from any goroutine.
type subscription struct {
	s      *Store
	ctx    context.Context // the caller's
	inner  context.Context // ends on Close too
	cancel context.CancelFunc
	filter eventstore.Filter
	server *kdb.SubscriptionFilter
	closed atomic.Bool

	// Owned by Next.
	head     uint64 // the head when the subscription started
	last     uint64 // delivered, skipped or checkpointed up to here
	caughtUp bool
	cur      *kdb.Subscription
	backoff  time.Duration
}

// Subscribe starts a catch-up subscription. Its first connection is made
// here, so that a server that cannot be reached fails the call; later drops
// are retried by Next.
func (s *Store) Subscribe(ctx context.Context, opts eventstore.SubscribeOptions) (eventstore.Subscription, error) {
	head, err := s.Head(ctx)
	if err != nil {
		return nil, err
	}
	inner, cancel := context.WithCancel(ctx)
	sub := &subscription{
		s: s, ctx: ctx, inner: inner, cancel: cancel,
		filter: opts.Filter, server: serverFilter(opts.Filter),
		head: head, last: opts.After,
	}
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		cancel()
		return nil, eventstore.ErrClosed
	}
	s.subs[sub] = struct{}{}
	s.mu.Unlock()
	if err := sub.open(); err != nil {
		sub.Close()
		return nil, err
	}
	return sub, nil
}

// serverFilter narrows what the server sends (rule 7). Categories become
// stream prefixes ("case-" matches exactly the category "case"); types
// alone become an anchored alternation; no filter still excludes system
// events, so that the server sends checkpoints.
func serverFilter(f eventstore.Filter) *kdb.SubscriptionFilter {
	switch {
	case len(f.Categories) > 0:
		prefixes := make([]string, len(f.Categories))
		for i, c := range f.Categories {
			prefixes[i] = c + "-"
		}
		return &kdb.SubscriptionFilter{Type: kdb.StreamFilterType, Prefixes: prefixes}
	case len(f.Types) > 0:
		quoted := make([]string, len(f.Types))
		for i, t := range f.Types {
			quoted[i] = regexp.QuoteMeta(t)
		}
		return &kdb.SubscriptionFilter{Type: kdb.EventFilterType, Regex: "^(?:" + strings.Join(quoted, "|") + ")$"}
	}
	return kdb.ExcludeSystemEventsFilter()
}

func (sub *subscription) open() error {
	from := kdb.AllPosition(kdb.Start{})
	if sub.last > 0 {
		from = kdb.Position{Commit: sub.last, Prepare: sub.last}
	}
	return sub.s.call(sub.inner, func(c *kdb.Client) error {
		cur, err := c.SubscribeToAll(sub.inner, kdb.SubscribeToAllOptions{From: from, Filter: sub.server})
		sub.cur = cur
		return err
	})
}

// ended returns why the subscription can deliver no more, if it cannot.
func (sub *subscription) ended() error {
	if sub.closed.Load() {
		return eventstore.ErrClosed
	}
	return sub.ctx.Err()
}

// Next returns the next message (rules 8 and 9).
func (sub *subscription) Next() (eventstore.Message, error) {
	for {
		if err := sub.ended(); err != nil {
			sub.stop()
			return eventstore.Message{}, err
		}
		if !sub.caughtUp && sub.last >= sub.head {
			sub.caughtUp = true
			return eventstore.Message{Kind: eventstore.MessageCaughtUp, Position: sub.last}, nil
		}
		if sub.cur == nil {
			err := sub.open()
			if err != nil && sub.ended() == nil && domain.ErrorCode(err) != domain.CodeUnavailable {
				// Refused, not unreachable: retrying would not help.
				return eventstore.Message{}, err
			}
			if err != nil {
				sub.retryAfter(err)
				continue
			}
		}
		ev := sub.cur.Recv()
		switch {
		case ev.SubscriptionDropped != nil:
			sub.stop()
			sub.retryAfter(ev.SubscriptionDropped.Error)
		case ev.EventAppeared != nil:
			e := ev.EventAppeared.OriginalEvent()
			pos := e.Position.Prepare
			if pos <= sub.last {
				continue // already delivered before a resubscription
			}
			sub.backoff = 0
			sub.last = pos
			if system(e) {
				continue
			}
			r, err := recorded(e)
			if err != nil {
				return eventstore.Message{}, fmt.Errorf("esdb: event %s of %s: %w", e.EventID, e.StreamID, err)
			}
			if sub.filter.Matches(&r.RecordedEvent) {
				return eventstore.Message{Kind: eventstore.MessageEvent, Event: r.RecordedEvent, Position: pos}, nil
			}
		case ev.CheckPointReached != nil:
			if pos := ev.CheckPointReached.Prepare; pos > sub.last {
				sub.backoff = 0
				sub.last = pos
				return eventstore.Message{Kind: eventstore.MessageCheckpoint, Position: pos}, nil
			}
		case ev.CaughtUp != nil:
			if !sub.caughtUp {
				sub.caughtUp = true
				sub.last = max(sub.last, sub.head)
				return eventstore.Message{Kind: eventstore.MessageCaughtUp, Position: sub.last}, nil
			}
		}
	}
}

// retryAfter waits before the next attempt to resubscribe, doubling the
// wait each time nothing came through; Close or the context cut it short.
func (sub *subscription) retryAfter(err error) {
	if sub.ended() != nil {
		return
	}
	sub.backoff = min(max(2*sub.backoff, minBackoff), maxBackoff)
	sub.s.log.Warn("esdb: subscription dropped; resubscribing", "after_position", sub.last, "in", sub.backoff, "err", err)
	t := time.NewTimer(sub.backoff)
	defer t.Stop()
	select {
	case <-t.C:
	case <-sub.inner.Done():
	}
}

func (sub *subscription) stop() {
	if sub.cur != nil {
		sub.cur.Close()
		sub.cur = nil
	}
}

// Close ends the subscription; a Next blocked in the client returns as the
// call's context ends.
func (sub *subscription) Close() error {
	if sub.closed.Swap(true) {
		return nil
	}
	sub.cancel()
	sub.s.mu.Lock()
	delete(sub.s.subs, sub)
	sub.s.mu.Unlock()
	return nil
}

package http

import (
	"container/list"
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/google/uuid"

	"github.com/caseledger/caseledger/domain"
	"github.com/caseledger/caseledger/eventstore"
	"github.com/caseledger/caseledger/eventstore/decider"
)

// caseCacheSize bounds the cases whose folded state is remembered: fewer
// than the owners cache holds, since a state's size grows with its case's
// history (the bookkeeping maps hold every command and event ID), and only
// cases acted on recently need one.
const caseCacheSize = 16384

// cachedCase is a case folded up to head. A command takes it out of the
// cache (take) and so owns it alone: it folds the newer events into it in
// place (domain.State.Apply) and puts the result back. Only peek, for tests,
// reads an entry that stays in the cache.
type cachedCase struct {
	state domain.State
	head  decider.Head
}

// caseCache remembers the folded state of recently commanded cases, so a
// command need not read and decode the whole stream. An entry is never
// wrong, only old: a command decides on it as it is, and the append's
// expected version (the entry's head) fails if the stream moved on, or it
// reads the events after the head first (see runCase). Least recently used
// entries go first.
type caseCache struct {
	mu    sync.Mutex
	size  int
	order *list.List // of *caseEntry, most recently used first
	m     map[string]*list.Element
}

type caseEntry struct {
	stream string
	c      cachedCase
}

func newCaseCache(size int) *caseCache {
	return &caseCache{size: size, order: list.New(), m: make(map[string]*list.Element)}
}

// take removes stream's entry and returns it: the caller owns the state
// and may fold into it. A concurrent command on the same case finds no
// entry and reads the whole stream, which costs a read, never a wrong
// answer; before, every command copied the state's bookkeeping maps
// (domain.Evolve) so that it could share it, and at the load benchmark's
// rate that copy cost more than the rare miss does.
func (c *caseCache) take(stream string) (cachedCase, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.m[stream]
	if !ok {
		return cachedCase{}, false
	}
	c.order.Remove(e)
	delete(c.m, stream)
	return e.Value.(*caseEntry).c, true
}

// peek returns stream's entry and leaves it in place; its state must not
// be changed.
func (c *caseCache) peek(stream string) (cachedCase, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.m[stream]
	if !ok {
		return cachedCase{}, false
	}
	return e.Value.(*caseEntry).c, true
}

// put remembers cc unless the entry holds a later version already (a
// concurrent command on the same case that finished first).
func (c *caseCache) put(stream string, cc cachedCase) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.m[stream]; ok {
		old := e.Value.(*caseEntry)
		if old.c.head.Exists && old.c.head.Version > cc.head.Version {
			return
		}
		old.c = cc
		c.order.MoveToFront(e)
		return
	}
	c.m[stream] = c.order.PushFront(&caseEntry{stream: stream, c: cc})
	for c.order.Len() > c.size {
		last := c.order.Back()
		delete(c.m, last.Value.(*caseEntry).stream)
		c.order.Remove(last)
	}
}

func (c *caseCache) len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.order.Len()
}

// cases returns s's case cache.
func (s *Server) cases() *caseCache { return s.caseCache }

// errRecordedBefore says the command's first event is in the stream: the
// command was recorded before, and its original outcome must be told.
var errRecordedBefore = errors.New("http: command recorded before")

type caseResult = decider.Result[domain.State, domain.Event]

// errUnverified says a command was refused, or changed nothing, on a
// cached state that was not checked against the store: the refusal may be
// due to events recorded after it (by another server), so it is decided
// again after reading them.
var errUnverified = errors.New("http: decided on an unverified cached state")

// runCase is caseLoop().Run with the case cache: the same load, decide and
// save, retried on the same conflicts, but on the cached state. The first
// attempt decides on it without reading the stream: if another writer
// recorded events after it, the append's expected version fails and the
// next attempt reads them (fresh); a refusal on it is decided again on a
// fresh state before it is told. With one server, the usual deployment, a
// command costs no read of its stream; reading an empty tail was 8 % of
// the CPU per command at the load benchmark (100,000 cases). A command
// found recorded in the stream (a retried request) is rare and needs the
// events it recorded, so it goes to the full loop, which reads the whole
// stream.
func (s *Server) runCase(ctx context.Context, cmd decider.Command[domain.State, domain.Event]) (caseResult, error) {
	cache := s.cases()
	var lastConflict error
	fresh := false
	for n := 1; n <= decider.DefaultMaxAttempts; n++ {
		res, err := s.attemptCase(ctx, cache, cmd, fresh)
		if errors.Is(err, errUnverified) {
			fresh = true
			res, err = s.attemptCase(ctx, cache, cmd, true)
		}
		if errors.Is(err, errRecordedBefore) {
			return s.caseLoop().Run(ctx, cmd)
		}
		res.Attempts = n
		// The retryable errors of decider.Loop: another writer moved the
		// stream, or a twin of this command recorded first. The loser put
		// back the state it loaded, a true fold at its head; the next
		// attempt reads what the winner recorded after it.
		if err == nil || !(errors.Is(err, eventstore.ErrWrongVersion) || errors.Is(err, eventstore.ErrDuplicateEventID)) {
			return res, err
		}
		fresh = true
		lastConflict = err
	}
	return caseResult{Attempts: decider.DefaultMaxAttempts}, fmt.Errorf("%w: %d attempts on %s: %w",
		decider.ErrTooManyConflicts, decider.DefaultMaxAttempts, cmd.Stream, lastConflict)
}

// attemptCase is one load, decide and save; fresh reads the events after
// a cached state before deciding. It owns the state it loads (take) and
// puts it back whatever the outcome: with the recorded events folded in
// after a successful append, as loaded otherwise (a refused or failed
// command changes nothing, and Decide changes no state). Either is a fold
// of the stream up to the head it is put back with.
func (s *Server) attemptCase(ctx context.Context, cache *caseCache, cmd decider.Command[domain.State, domain.Event], fresh bool) (caseResult, error) {
	var res caseResult
	st, head, verified, err := s.loadCase(ctx, cache, cmd.Stream, fresh)
	if err != nil {
		return res, err
	}
	// Deferred so that every return below puts back st and head as they
	// are then; a case that does not exist yet has nothing to put back
	// unless the command created it.
	defer func() {
		if head.Exists {
			cache.put(cmd.Stream, cachedCase{state: st, head: head})
		}
	}()
	if _, ok := st.Events[cmd.EventID(0)]; ok {
		return res, errRecordedBefore
	}
	decided, err := cmd.Decide(st, head)
	if !verified && (err != nil || len(decided) == 0) {
		return res, errors.Join(errUnverified, err)
	}
	if err != nil {
		return res, err
	}
	res.State, res.Head = st, head
	if len(decided) == 0 {
		return res, nil
	}
	data := make([]eventstore.EventData, len(decided))
	for i, e := range decided {
		if data[i], err = domain.EventData(e); err != nil {
			return res, fmt.Errorf("decider: encode event %d for %s: %w", i, cmd.Stream, err)
		}
		if data[i].ID == uuid.Nil {
			data[i].ID = cmd.EventID(i)
		}
	}
	// On an unverified state a retried command is not seen as recorded,
	// and if its events come out exactly as the first time (the same clock
	// reading) the store answers the append as a replay of the first one
	// (eventstore rule 7) instead of refusing its expected version. Such a
	// replay's positions are the first append's, at or before the log's
	// head now; a new append's come after it.
	var before uint64
	if !verified {
		if before, err = s.store.Head(ctx); err != nil {
			return res, err
		}
	}
	ar, err := s.store.Append(ctx, cmd.Stream, head.Expected(), data...)
	if err != nil {
		return res, err
	}
	if !verified && ar.LastPosition <= before {
		return res, errRecordedBefore
	}
	res.Events = make([]eventstore.RecordedEvent, len(data))
	for i, d := range data {
		res.Events[i] = eventstore.RecordedEvent{ID: d.ID, Stream: cmd.Stream, Type: d.Type, Data: d.Data, Metadata: d.Metadata,
			Version: ar.FirstVersion + uint64(i), Position: ar.FirstPosition + uint64(i)}
	}
	res.Head = decider.Head{Version: ar.LastVersion, Position: ar.LastPosition, Exists: true}
	// The recorded events are folded as a later read would decode them, so
	// the entry equals a fold of the whole stream. All are decoded before
	// any is folded: on a failure st is still the state at head.
	evs, err := decodeAll(res.Events)
	if err != nil {
		return res, fmt.Errorf("decider: fold %s: %w", cmd.Stream, err)
	}
	st.Apply(evs...)
	res.State, head = st, res.Head
	return res, nil
}

// loadCase returns the case for the caller alone: the cached state taken
// out of the cache as it is (verified false: the store may hold events
// after it), or, when fresh, with the events recorded after it folded in;
// the whole stream folded on a miss.
func (s *Server) loadCase(ctx context.Context, cache *caseCache, stream string, fresh bool) (st domain.State, head decider.Head, verified bool, err error) {
	cc, cached := cache.take(stream)
	if cached && !fresh {
		return cc.state, cc.head, false, nil
	}
	opts := eventstore.ReadStreamOptions{}
	if cached {
		opts.From = cc.head.Version + 1
	}
	recorded, err := s.store.ReadStream(ctx, stream, opts)
	switch {
	case errors.Is(err, eventstore.ErrStreamNotFound) && !cached:
		return domain.State{}, decider.Head{}, true, nil
	case err != nil:
		return domain.State{}, decider.Head{}, false, fmt.Errorf("decider: load %s: %w", stream, err)
	case len(recorded) == 0:
		return cc.state, cc.head, true, nil
	}
	evs, err := decodeAll(recorded)
	if err != nil {
		return domain.State{}, decider.Head{}, false, fmt.Errorf("decider: load %s: %w", stream, err)
	}
	st = cc.state
	st.Apply(evs...)
	last := recorded[len(recorded)-1]
	return st, decider.Head{Version: last.Version, Position: last.Position, Exists: true}, true, nil
}

// decodeAll decodes recorded events for folding.
func decodeAll(recorded []eventstore.RecordedEvent) ([]domain.Event, error) {
	evs := make([]domain.Event, len(recorded))
	for i := range recorded {
		ev, err := domain.DecodeRecorded(recorded[i])
		if err != nil {
			return nil, fmt.Errorf("decode version %d (%s): %w", recorded[i].Version, recorded[i].Type, err)
		}
		evs[i] = ev
	}
	return evs, nil
}

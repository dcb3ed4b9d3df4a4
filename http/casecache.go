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

// caseCacheSize bounds the cases whose folded state is remembered, as many
// as the owners cache: a state's size grows with its case's history (the
// bookkeeping maps hold every command and event ID).
const caseCacheSize = 16384

// cachedCase is a case folded up to head. Its state is shared by every
// request that takes it, so nobody folds into it: a newer state is folded
// into a fork (domain.Evolve) and put in its place (see foldFork).
type cachedCase struct {
	state domain.State
	head  decider.Head
}

// caseCache remembers the folded state of recently commanded cases, so a
// command reads and decodes only the events recorded since, instead of the
// whole stream. An entry is never wrong, only old: whoever takes it reads the
// events after its head. Least recently used entries go first.
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

func (c *caseCache) get(stream string) (cachedCase, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.m[stream]
	if !ok {
		return cachedCase{}, false
	}
	c.order.MoveToFront(e)
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

// drop forgets stream's entry, after a version conflict showed that it lost
// a race: the next command reads the stream in full.
func (c *caseCache) drop(stream string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.m[stream]; ok {
		c.order.Remove(e)
		delete(c.m, stream)
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

// runCase is caseLoop().Run with the case cache: the same load, decide and
// save, retried on the same conflicts, but the load starts from the cached
// state and reads only the events after it. A command found recorded in the
// stream (a retried request) is rare and needs the events it recorded, so it
// goes to the full loop, which reads the whole stream.
func (s *Server) runCase(ctx context.Context, cmd decider.Command[domain.State, domain.Event]) (caseResult, error) {
	cache := s.cases()
	var lastConflict error
	for n := 1; n <= decider.DefaultMaxAttempts; n++ {
		res, err := s.attemptCase(ctx, cache, cmd)
		if errors.Is(err, errRecordedBefore) {
			return s.caseLoop().Run(ctx, cmd)
		}
		res.Attempts = n
		// The retryable errors of decider.Loop: another writer moved the
		// stream, or a twin of this command recorded first.
		if err == nil || !(errors.Is(err, eventstore.ErrWrongVersion) || errors.Is(err, eventstore.ErrDuplicateEventID)) {
			return res, err
		}
		// The entry may be the loser's view; the next attempt reads in full.
		cache.drop(cmd.Stream)
		lastConflict = err
	}
	return caseResult{Attempts: decider.DefaultMaxAttempts}, fmt.Errorf("%w: %d attempts on %s: %w",
		decider.ErrTooManyConflicts, decider.DefaultMaxAttempts, cmd.Stream, lastConflict)
}

// attemptCase is one load, decide and save.
func (s *Server) attemptCase(ctx context.Context, cache *caseCache, cmd decider.Command[domain.State, domain.Event]) (caseResult, error) {
	var res caseResult
	st, head, err := s.loadCase(ctx, cache, cmd.Stream)
	if err != nil {
		return res, err
	}
	if _, ok := st.Events[cmd.EventID(0)]; ok {
		return res, errRecordedBefore
	}
	decided, err := cmd.Decide(st, head)
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
	ar, err := s.store.Append(ctx, cmd.Stream, head.Expected(), data...)
	if err != nil {
		return res, err
	}
	res.Events = make([]eventstore.RecordedEvent, len(data))
	for i, d := range data {
		res.Events[i] = eventstore.RecordedEvent{ID: d.ID, Stream: cmd.Stream, Type: d.Type, Data: d.Data, Metadata: d.Metadata,
			Version: ar.FirstVersion + uint64(i), Position: ar.FirstPosition + uint64(i)}
	}
	res.Head = decider.Head{Version: ar.LastVersion, Position: ar.LastPosition, Exists: true}
	// The recorded events are folded as a later read would decode them, so
	// the entry equals a fold of the whole stream.
	if res.State, err = foldFork(st, res.Events); err != nil {
		cache.drop(cmd.Stream)
		return res, fmt.Errorf("decider: fold %s: %w", cmd.Stream, err)
	}
	cache.put(cmd.Stream, cachedCase{state: res.State, head: res.Head})
	return res, nil
}

// loadCase returns the case as it stands: the cached state with the events
// recorded after it folded in, or the whole stream folded on a miss.
func (s *Server) loadCase(ctx context.Context, cache *caseCache, stream string) (domain.State, decider.Head, error) {
	cc, cached := cache.get(stream)
	opts := eventstore.ReadStreamOptions{}
	if cached {
		opts.From = cc.head.Version + 1
	}
	recorded, err := s.store.ReadStream(ctx, stream, opts)
	switch {
	case errors.Is(err, eventstore.ErrStreamNotFound) && !cached:
		return domain.State{}, decider.Head{}, nil
	case err != nil:
		return domain.State{}, decider.Head{}, fmt.Errorf("decider: load %s: %w", stream, err)
	case len(recorded) == 0:
		return cc.state, cc.head, nil
	}
	st, err := foldFork(cc.state, recorded)
	if err != nil {
		return st, decider.Head{}, fmt.Errorf("decider: load %s: %w", stream, err)
	}
	last := recorded[len(recorded)-1]
	head := decider.Head{Version: last.Version, Position: last.Position, Exists: true}
	cache.put(stream, cachedCase{state: st, head: head})
	return st, head, nil
}

// foldFork returns st with recorded folded in, leaving st as it was (others
// may hold it): Evolve forks it for the first event (copying what that event
// changes and the bookkeeping maps), and the fork is then the caller's own,
// so the rest fold into it in place.
func foldFork(st domain.State, recorded []eventstore.RecordedEvent) (domain.State, error) {
	evs := make([]domain.Event, len(recorded))
	for i := range recorded {
		ev, err := domain.DecodeRecorded(recorded[i])
		if err != nil {
			return st, fmt.Errorf("decode version %d (%s): %w", recorded[i].Version, recorded[i].Type, err)
		}
		evs[i] = ev
	}
	if st.Version == 0 && st.Processed == nil {
		// The zero state shares nothing: fold in place, as a replay does.
		st.Apply(evs...)
		return st, nil
	}
	st = domain.Evolve(st, evs[0])
	st.Apply(evs[1:]...)
	return st, nil
}

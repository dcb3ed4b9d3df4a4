package storetest_test

import (
	"context"
	"slices"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/caseledger/caseledger/eventstore"
)

// memStore is the contract at its plainest: one mutex, slices, maps. It
// exists so the suite can be checked against something simple enough to
// trust, apart from any real backend's bugs.
type memStore struct {
	mu      sync.Mutex
	log     []eventstore.RecordedEvent // position p at index p-1
	streams map[string][]int           // log indexes by version
	ids     map[uuid.UUID]int          // log index by event ID
	appends map[int]eventstore.AppendResult
	notify  chan struct{} // closed and replaced on every append
	closed  bool
	done    chan struct{} // closed by Close
}

func newMemStore() *memStore {
	return &memStore{
		streams: map[string][]int{},
		ids:     map[uuid.UUID]int{},
		appends: map[int]eventstore.AppendResult{},
		notify:  make(chan struct{}),
		done:    make(chan struct{}),
	}
}

func (s *memStore) Append(ctx context.Context, stream string, expected eventstore.ExpectedVersion, events ...eventstore.EventData) (eventstore.AppendResult, error) {
	if err := eventstore.ValidateAppend(stream, events); err != nil {
		return eventstore.AppendResult{}, err
	}
	if err := ctx.Err(); err != nil {
		return eventstore.AppendResult{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return eventstore.AppendResult{}, eventstore.ErrClosed
	}
	if res, retry, err := s.findRecorded(stream, events); retry || err != nil {
		return res, err
	}
	versions := s.streams[stream]
	var version uint64
	if len(versions) > 0 {
		version = uint64(len(versions) - 1)
	}
	if err := eventstore.CheckExpected(stream, expected, version, len(versions) > 0); err != nil {
		return eventstore.AppendResult{}, err
	}
	first := len(s.log)
	for _, d := range events {
		e := eventstore.RecordedEvent{
			ID: d.ID, Stream: stream, Version: uint64(len(s.streams[stream])), Position: uint64(len(s.log) + 1),
			Type: d.Type, Data: slices.Clone(d.Data), Metadata: slices.Clone(d.Metadata), RecordedAt: time.Now().UTC(),
		}
		var prev [32]byte
		if vs := s.streams[stream]; len(vs) > 0 {
			prev = s.log[vs[len(vs)-1]].Hash
		}
		e.Hash = eventstore.ChainHash(prev, &e)
		s.ids[d.ID] = len(s.log)
		s.streams[stream] = append(s.streams[stream], len(s.log))
		s.log = append(s.log, e)
	}
	last := s.log[len(s.log)-1]
	res := eventstore.AppendResult{FirstVersion: s.log[first].Version, LastVersion: last.Version,
		FirstPosition: s.log[first].Position, LastPosition: last.Position}
	s.appends[first] = res
	close(s.notify)
	s.notify = make(chan struct{})
	return res, nil
}

// findRecorded applies rule 7: a full re-send returns the original result.
func (s *memStore) findRecorded(stream string, events []eventstore.EventData) (eventstore.AppendResult, bool, error) {
	recorded := 0
	for _, d := range events {
		if _, ok := s.ids[d.ID]; ok {
			recorded++
		}
	}
	if recorded == 0 {
		return eventstore.AppendResult{}, false, nil
	}
	first := s.ids[events[0].ID]
	orig, ok := s.appends[first]
	if recorded < len(events) || !ok || int(orig.LastPosition-orig.FirstPosition)+1 != len(events) {
		return eventstore.AppendResult{}, false, eventstore.ErrDuplicateEventID
	}
	for i := range events {
		if s.ids[events[i].ID] != first+i || !eventstore.SameContent(&s.log[first+i], stream, &events[i]) {
			return eventstore.AppendResult{}, false, eventstore.ErrDuplicateEventID
		}
	}
	return orig, true, nil
}

func (s *memStore) ReadStream(ctx context.Context, stream string, opts eventstore.ReadStreamOptions) ([]eventstore.RecordedEvent, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	idx := s.streams[stream]
	if len(idx) == 0 {
		return nil, eventstore.ErrStreamNotFound
	}
	var out []eventstore.RecordedEvent
	take := func(i int) bool {
		out = append(out, s.log[idx[i]])
		return opts.Limit > 0 && len(out) == opts.Limit
	}
	if opts.Direction == eventstore.Backwards {
		for i := int(min(opts.From, uint64(len(idx)-1))); i >= 0 && !take(i); i-- {
		}
		return out, nil
	}
	for i := opts.From; i < uint64(len(idx)) && !take(int(i)); i++ {
	}
	return out, nil
}

func (s *memStore) ReadAll(ctx context.Context, opts eventstore.ReadAllOptions) ([]eventstore.RecordedEvent, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []eventstore.RecordedEvent
	take := func(i int) bool {
		if opts.Filter.Matches(&s.log[i]) {
			out = append(out, s.log[i])
		}
		return opts.Limit > 0 && len(out) == opts.Limit
	}
	if opts.Direction == eventstore.Backwards {
		for i := int(min(opts.From, uint64(len(s.log)))) - 1; i >= 0 && !take(i); i-- {
		}
		return out, nil
	}
	for i := max(opts.From, 1) - 1; i < uint64(len(s.log)) && !take(int(i)); i++ {
	}
	return out, nil
}

func (s *memStore) Head(ctx context.Context) (uint64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return uint64(len(s.log)), nil
}

func (s *memStore) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.closed {
		s.closed = true
		close(s.done)
	}
	return nil
}

func (s *memStore) Subscribe(ctx context.Context, opts eventstore.SubscribeOptions) (eventstore.Subscription, error) {
	return &memSub{s: s, ctx: ctx, pos: opts.After, filter: opts.Filter, closed: make(chan struct{})}, nil
}

// memSub is pull-based: Next scans the log from its position and, at the
// head, waits for the next append.
type memSub struct {
	s         *memStore
	ctx       context.Context
	pos       uint64
	filter    eventstore.Filter
	caughtUp  bool
	closeOnce sync.Once
	closed    chan struct{}
}

func (m *memSub) Next() (eventstore.Message, error) {
	for {
		if err := m.ctx.Err(); err != nil {
			return eventstore.Message{}, err
		}
		select {
		case <-m.closed:
			return eventstore.Message{}, eventstore.ErrClosed
		default:
		}
		m.s.mu.Lock()
		if m.s.closed {
			m.s.mu.Unlock()
			return eventstore.Message{}, eventstore.ErrClosed
		}
		for ; m.pos < uint64(len(m.s.log)); m.pos++ {
			if e := m.s.log[m.pos]; m.filter.Matches(&e) {
				m.pos++
				m.s.mu.Unlock()
				return eventstore.Message{Kind: eventstore.MessageEvent, Event: e, Position: e.Position}, nil
			}
		}
		notify := m.s.notify
		m.s.mu.Unlock()
		if !m.caughtUp {
			m.caughtUp = true
			return eventstore.Message{Kind: eventstore.MessageCaughtUp, Position: m.pos}, nil
		}
		select {
		case <-notify:
		case <-m.ctx.Done():
		case <-m.closed:
		case <-m.s.done:
		}
	}
}

func (m *memSub) Close() error {
	m.closeOnce.Do(func() { close(m.closed) })
	return nil
}

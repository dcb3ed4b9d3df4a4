package decider_test

import (
	"context"
	"sync"
	"testing"

	"github.com/caseledger/caseledger/eventstore"
)

// memStore keeps streams in memory with rule 4's version check; it stands in
// until the embedded store lands.
type memStore struct {
	mu      sync.Mutex
	streams map[string][]eventstore.RecordedEvent
	head    uint64
}

func newStore(tb testing.TB) eventstore.Store {
	return &memStore{streams: map[string][]eventstore.RecordedEvent{}}
}

func (m *memStore) Append(_ context.Context, stream string, expected eventstore.ExpectedVersion, events ...eventstore.EventData) (eventstore.AppendResult, error) {
	if err := eventstore.ValidateAppend(stream, events); err != nil {
		return eventstore.AppendResult{}, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	s := m.streams[stream]
	if err := eventstore.CheckExpected(stream, expected, uint64(len(s))-1, len(s) > 0); err != nil {
		return eventstore.AppendResult{}, err
	}
	res := eventstore.AppendResult{FirstVersion: uint64(len(s)), FirstPosition: m.head + 1}
	for _, e := range events {
		m.head++
		s = append(s, eventstore.RecordedEvent{ID: e.ID, Stream: stream, Version: uint64(len(s)), Position: m.head, Type: e.Type, Data: e.Data, Metadata: e.Metadata})
	}
	m.streams[stream] = s
	res.LastVersion, res.LastPosition = uint64(len(s))-1, m.head
	return res, nil
}

func (m *memStore) ReadStream(_ context.Context, stream string, _ eventstore.ReadStreamOptions) ([]eventstore.RecordedEvent, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	s := m.streams[stream]
	if len(s) == 0 {
		return nil, eventstore.ErrStreamNotFound
	}
	return append([]eventstore.RecordedEvent(nil), s...), nil
}

func (m *memStore) ReadAll(context.Context, eventstore.ReadAllOptions) ([]eventstore.RecordedEvent, error) {
	return nil, eventstore.ErrNotSupported
}

func (m *memStore) Subscribe(context.Context, eventstore.SubscribeOptions) (eventstore.Subscription, error) {
	return nil, eventstore.ErrNotSupported
}

func (m *memStore) Head(context.Context) (uint64, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.head, nil
}

func (m *memStore) Close() error { return nil }

// Package projectiontest holds the fixtures the read models' tests share:
// stores, runners, generated histories and the replay benchmark. Only tests
// import it. What differs between read models (the generator's rates and
// window, how a history is cut) stays in each package's own helpers, which
// call these with their configuration spelled out.
package projectiontest

import (
	"context"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/cockroachdb/pebble/v2/vfs"

	"github.com/caseledger/caseledger/domain"
	"github.com/caseledger/caseledger/domain/casegen"
	"github.com/caseledger/caseledger/eventstore"
	"github.com/caseledger/caseledger/eventstore/embedded"
	"github.com/caseledger/caseledger/projections"
)

// MustStore opens an embedded store in a temporary directory, closed when
// the test ends.
func MustStore(tb testing.TB) *embedded.Store {
	tb.Helper()
	return mustOpen(tb, tb.TempDir(), embedded.Options{})
}

// MustMemStore opens an embedded store on pebble's in-memory file system:
// for tests that never reopen it, and append faster without a disk.
func MustMemStore(tb testing.TB) *embedded.Store {
	tb.Helper()
	return mustOpen(tb, "store", embedded.Options{FS: vfs.NewMem()})
}

func mustOpen(tb testing.TB, dir string, opts embedded.Options) *embedded.Store {
	tb.Helper()
	s, err := embedded.Open(dir, opts)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { s.Close() })
	return s
}

// MustRunner opens a runner over dir with ps, closed when the test ends.
func MustRunner(tb testing.TB, store eventstore.Store, dir string, ps ...projections.Projection) *projections.Runner {
	tb.Helper()
	r, err := projections.Open(store, dir, projections.Options{}, ps...)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { r.Close() })
	return r
}

// MustAppend appends appends in order and returns the last position (0
// when there are none).
func MustAppend(tb testing.TB, store eventstore.Store, appends []casegen.Append) uint64 {
	tb.Helper()
	var head uint64
	for _, a := range appends {
		res, err := store.Append(context.Background(), a.Stream, a.Expected, a.Events...)
		if err != nil {
			tb.Fatal(err)
		}
		head = res.LastPosition
	}
	return head
}

// CaseIDs returns the cases appends submit (create their stream), in order.
func CaseIDs(appends []casegen.Append) []string {
	var ids []string
	for _, a := range appends {
		if a.Expected == eventstore.NoStream {
			ids = append(ids, a.CaseID)
		}
	}
	return ids
}

// MustGenerate returns every append of the history cfg generates.
func MustGenerate(tb testing.TB, cfg casegen.Config) []casegen.Append {
	tb.Helper()
	g, err := casegen.New(cfg)
	if err != nil {
		tb.Fatal(err)
	}
	var out []casegen.Append
	for a := range g.All() {
		out = append(out, a)
	}
	if err := g.Err(); err != nil {
		tb.Fatal(err)
	}
	return out
}

// Memo keeps what build returns for a key, so that the tests of a package
// share one generated history per size. It is sound only because
// generation is deterministic and the tests only read what it returns. The
// zero Memo is ready to use.
type Memo[K comparable, V any] struct {
	m sync.Map
}

// Get returns the value kept for key, building it first if there is none.
// Two tests racing on a new key may both build it; either result is kept,
// and they are equal.
func (m *Memo[K, V]) Get(tb testing.TB, key K, build func(testing.TB, K) V) V {
	tb.Helper()
	if v, ok := m.m.Load(key); ok {
		return v.(V)
	}
	v := build(tb, key)
	m.m.Store(key, v)
	return v
}

// MustAppendEvents appends evs to the case's stream one by one, whatever
// its version, and returns the last position: for hand-written histories.
func MustAppendEvents(tb testing.TB, store eventstore.Store, caseID string, evs ...domain.Event) uint64 {
	tb.Helper()
	var last uint64
	for _, ev := range evs {
		d, err := domain.EventData(ev)
		if err != nil {
			tb.Fatal(err)
		}
		res, err := store.Append(context.Background(), "case-"+caseID, eventstore.Any, d)
		if err != nil {
			tb.Fatal(err)
		}
		last = res.LastPosition
	}
	return last
}

// MustAppendCase appends evs to the case's stream as versions from,
// from+1, ... (each append expecting the one before), after giving the
// event at version v the metadata a command "cmd-<v-th letter>" by
// actor(v) at when(v) would have, and returns the last position: for
// hand-written histories whose actors and times matter.
func MustAppendCase(tb testing.TB, store eventstore.Store, caseID string, from int, evs []domain.Event, actor func(v int) domain.Actor, when func(v int) time.Time) uint64 {
	tb.Helper()
	var head uint64
	for i, ev := range evs {
		v := from + i
		cmd := "cmd-" + string(rune('a'+v))
		m := domain.EventMeta{ID: domain.EventID(caseID, cmd, 0), CaseID: caseID, CommandID: cmd, Actor: actor(v), OccurredAt: when(v)}
		// Every event type embeds EventMeta, which only the domain's deciders
		// set: a hand-written history sets it by reflection.
		reflect.ValueOf(ev).Elem().FieldByName("EventMeta").Set(reflect.ValueOf(m))
		data, err := domain.EventData(ev)
		if err != nil {
			tb.Fatal(err)
		}
		expected := eventstore.NoStream
		if v > 0 {
			expected = eventstore.Exact(uint64(v - 1))
		}
		res, err := store.Append(context.Background(), "case-"+caseID, expected, data)
		if err != nil {
			tb.Fatal(err)
		}
		head = res.LastPosition
	}
	return head
}

// MustReadCase returns a case's recorded events, decoded, and the domain's
// own fold of them: the oracle a read model's answer is checked against.
func MustReadCase(tb testing.TB, store eventstore.Store, caseID string) ([]eventstore.RecordedEvent, []domain.Event, domain.State) {
	tb.Helper()
	recs, err := store.ReadStream(context.Background(), "case-"+caseID, eventstore.ReadStreamOptions{})
	if err != nil {
		tb.Fatal(err)
	}
	evs := make([]domain.Event, len(recs))
	for i, r := range recs {
		if evs[i], err = domain.Decode(r.Type, r.Data, r.Metadata); err != nil {
			tb.Fatal(err)
		}
	}
	return recs, evs, domain.Replay(evs)
}

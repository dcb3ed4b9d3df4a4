package projections_test

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/caseledger/caseledger/eventstore"
	"github.com/caseledger/caseledger/eventstore/embedded"
	"github.com/caseledger/caseledger/projections"
	"github.com/google/uuid"
)

// MustStore opens a real embedded store in a fresh directory.
func MustStore(tb testing.TB, opts embedded.Options) *embedded.Store {
	tb.Helper()
	s, err := embedded.Open(tb.TempDir(), opts)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { s.Close() })
	return s
}

// MustOpen opens a runner over dir and closes it at the end of the test.
func MustOpen(tb testing.TB, store eventstore.Store, dir string, opts projections.Options, ps ...projections.Projection) *projections.Runner {
	tb.Helper()
	r, err := projections.Open(store, dir, opts, ps...)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { r.Close() })
	return r
}

// MustAppend appends n events of type typ, spread over streams, and returns
// the last position.
func MustAppend(tb testing.TB, store eventstore.Store, streams, n int, typ string) uint64 {
	tb.Helper()
	var last uint64
	for i := range n {
		stream := "case-" + strconv.Itoa(i%streams)
		res, err := store.Append(context.Background(), stream, eventstore.Any, eventstore.EventData{
			ID: uuid.New(), Type: typ, Data: json.RawMessage(`{"n":` + strconv.Itoa(i) + `}`),
		})
		if err != nil {
			tb.Fatal(err)
		}
		last = res.LastPosition
	}
	return last
}

// MustWait waits, with a generous deadline, for a projection to reach pos.
func MustWait(tb testing.TB, r *projections.Runner, name string, pos uint64) {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := r.WaitFor(ctx, name, pos); err != nil {
		tb.Fatal(err)
	}
}

// counter counts the events it sees, per stream and in total, and checks
// that every stream's versions arrive in order without a gap or a repeat: a
// double application would both inflate the count and trip that check.
type counter struct {
	name    string
	version int
	filter  eventstore.Filter
	applied atomic.Int64  // Apply calls made by this value, across restarts of the runner
	gate    chan struct{} // if set, every Apply waits for a send, or for abort
	abort   chan struct{} // closed: a waiting Apply fails
}

var errAborted = errors.New("aborted by the test")

func (c *counter) Name() string              { return c.name }
func (c *counter) Version() int              { return c.version }
func (c *counter) Filter() eventstore.Filter { return c.filter }
func (c *counter) Apply(tx *projections.Tx, e *eventstore.RecordedEvent) error {
	if c.gate != nil {
		select {
		case <-c.gate:
		case <-c.abort:
			return errAborted
		}
	}
	c.applied.Add(1)
	key := []byte("stream/" + e.Stream)
	prev, ok, err := tx.Get(key)
	if err != nil {
		return err
	}
	// Unfiltered, a stream's versions must follow one another exactly;
	// filtered, they must still only grow.
	var last uint64
	if ok {
		last = binary.BigEndian.Uint64(prev)
	}
	switch {
	case !ok && c.filter.IsZero() && e.Version != 0:
		return fmt.Errorf("stream %s: first event has version %d", e.Stream, e.Version)
	case ok && c.filter.IsZero() && e.Version != last+1:
		return fmt.Errorf("stream %s: got version %d after %d", e.Stream, e.Version, last)
	case ok && e.Version <= last:
		return fmt.Errorf("stream %s: got version %d after %d", e.Stream, e.Version, last)
	}
	if err := tx.Set(key, binary.BigEndian.AppendUint64(nil, e.Version)); err != nil {
		return err
	}
	return add(tx, []byte("total"), 1)
}

func add(tx *projections.Tx, key []byte, d uint64) error {
	v, ok, err := tx.Get(key)
	if err != nil {
		return err
	}
	n := uint64(0)
	if ok {
		n = binary.BigEndian.Uint64(v)
	}
	return tx.Set(key, binary.BigEndian.AppendUint64(nil, n+d))
}

// mustReplayState replays p from store into a new copy with opts and
// returns every key and value the copy ends with.
func mustReplayState(t *testing.T, store eventstore.Store, p projections.Projection, opts projections.ReplayOptions) map[string]string {
	t.Helper()
	c, err := projections.Replay(context.Background(), store, p, filepath.Join(t.TempDir(), "copy"), opts)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	return dump(t, c.Read)
}

// addObject adds d to the counter stored under key, keeping it decoded in
// the batch and the cache (Tx.Object, Tx.SetObject) rather than reading and
// writing its bytes as add does.
func addObject(tx *projections.Tx, key []byte, d uint64) error {
	n, ok := tx.Object(key)
	if !ok {
		b, found, err := tx.Get(key)
		if err != nil {
			return err
		}
		var v uint64
		if found {
			v = binary.BigEndian.Uint64(b)
		}
		n = &v
	}
	*n.(*uint64) += d
	tx.SetObject(key, n, func(dst []byte, v any) ([]byte, error) { return binary.BigEndian.AppendUint64(dst, *v.(*uint64)), nil })
	return nil
}

// total reads the counter's total from a view.
func total(tb testing.TB, v *projections.View) uint64 {
	tb.Helper()
	b, ok, err := v.Get([]byte("total"))
	if err != nil {
		tb.Fatal(err)
	}
	if !ok {
		return 0
	}
	return binary.BigEndian.Uint64(b)
}

// MustTotal reads the counter's total once the projection reached pos.
func MustTotal(tb testing.TB, r *projections.Runner, name string, pos uint64) (n uint64, version int) {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	err := r.Read(ctx, name, pos, func(v *projections.View) error {
		n, version = total(tb, v), v.Version()
		return nil
	})
	if err != nil {
		tb.Fatal(err)
	}
	return n, version
}

// failing fails (or panics) on the event at position at.
type failing struct {
	at     uint64
	panics bool
}

var errBroken = errors.New("broken handler")

func (f *failing) Name() string              { return "failing" }
func (f *failing) Version() int              { return 1 }
func (f *failing) Filter() eventstore.Filter { return eventstore.Filter{} }
func (f *failing) Apply(tx *projections.Tx, e *eventstore.RecordedEvent) error {
	if e.Position == f.at {
		if f.panics {
			panic("boom")
		}
		return errBroken
	}
	return add(tx, []byte("total"), 1)
}

// history appends a random but seeded history: streams in two categories,
// three event types, created and continued in an interleaved order.
type history struct {
	rng     *rand.Rand
	store   eventstore.Store
	streams []string
}

func newHistory(store eventstore.Store, seed uint64) *history {
	return &history{rng: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)), store: store}
}

func (h *history) append(tb testing.TB, n int) uint64 {
	tb.Helper()
	var last uint64
	types := []string{"Opened", "Noted", "Closed"}
	for range n {
		if len(h.streams) == 0 || h.rng.IntN(8) == 0 {
			cat := "case"
			if h.rng.IntN(4) == 0 {
				cat = "other"
			}
			h.streams = append(h.streams, fmt.Sprintf("%s-%d", cat, len(h.streams)))
		}
		stream := h.streams[h.rng.IntN(len(h.streams))]
		data := fmt.Sprintf(`{"amount":%d}`, h.rng.IntN(1000))
		res, err := h.store.Append(context.Background(), stream, eventstore.Any, eventstore.EventData{
			ID: uuid.New(), Type: types[h.rng.IntN(len(types))], Data: json.RawMessage(data),
		})
		if err != nil {
			tb.Fatal(err)
		}
		last = res.LastPosition
	}
	return last
}

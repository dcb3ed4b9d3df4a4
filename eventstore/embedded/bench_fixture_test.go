package embedded_test

import (
	"context"
	"encoding/binary"
	"fmt"
	"os"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/caseledger/caseledger/eventstore"
	"github.com/caseledger/caseledger/eventstore/embedded"
)

// The read benchmarks share one large store: 100,000 streams holding
// 1,000,000 events. 37,500 streams have 20 events (a case with a long
// history) and 62,500 have 4; the 20-event streams get their events in five
// appends of four, one per pass over all streams, so that a stream's events
// lie far apart in the log as a case's do in production.
const (
	fixtureLongStreams   = 37_500
	fixtureShortStreams  = 62_500
	fixtureEventsPerCall = 4
	fixtureLongLength    = 20
	fixturePasses        = fixtureLongLength / fixtureEventsPerCall
	fixtureEvents        = fixtureLongStreams*fixtureLongLength + fixtureShortStreams*fixtureEventsPerCall
)

// largeFixture is built at most once per process, by the first benchmark
// that needs it, and removed by TestMain when the benchmarks are done.
var largeFixture struct {
	once sync.Once
	dir  string
	s    *embedded.Store
	err  error
}

// TestMain removes the large fixture, which is too big (hundreds of
// megabytes) to leave behind in the temporary directory.
func TestMain(m *testing.M) {
	code := m.Run()
	if largeFixture.s != nil {
		largeFixture.s.Close()
	}
	if largeFixture.dir != "" {
		os.RemoveAll(largeFixture.dir)
	}
	os.Exit(code)
}

// largeStore returns the shared large store, building it on first use.
func largeStore(b *testing.B) *embedded.Store {
	b.Helper()
	largeFixture.once.Do(func() {
		start := time.Now()
		largeFixture.dir, largeFixture.err = os.MkdirTemp("", "caseledger-bench-")
		if largeFixture.err != nil {
			return
		}
		largeFixture.s, largeFixture.err = embedded.Open(largeFixture.dir, embedded.Options{})
		if largeFixture.err != nil {
			return
		}
		largeFixture.err = fillLargeStore(largeFixture.s)
		b.Logf("built the large fixture (%d events) in %s", fixtureEvents, time.Since(start).Round(time.Millisecond))
	})
	if largeFixture.err != nil {
		b.Fatalf("large fixture: %v", largeFixture.err)
	}
	return largeFixture.s
}

func longStream(i int) string  { return fmt.Sprintf("case-long%06d", i) }
func shortStream(i int) string { return fmt.Sprintf("case-short%06d", i) }

// fillLargeStore appends the fixture from many goroutines at once, so that
// group commit makes one sync serve many appends.
func fillLargeStore(s *embedded.Store) error {
	const workers = 128
	perPass := fixtureLongStreams + fixtureShortStreams/fixturePasses
	total := fixturePasses * perPass
	var next atomic.Int64
	var firstErr atomic.Pointer[error]
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			events := make([]eventstore.EventData, fixtureEventsPerCall)
			for {
				k := int(next.Add(1)) - 1
				if k >= total || firstErr.Load() != nil {
					return
				}
				pass, j := k/perPass, k%perPass
				stream := longStream(j)
				if j >= fixtureLongStreams {
					stream = shortStream(pass*(fixtureShortStreams/fixturePasses) + j - fixtureLongStreams)
				}
				for e := range events {
					events[e] = benchEvent(k*fixtureEventsPerCall + e)
				}
				if _, err := s.Append(context.Background(), stream, eventstore.Any, events...); err != nil {
					firstErr.CompareAndSwap(nil, &err)
					return
				}
			}
		})
	}
	wg.Wait()
	if err := firstErr.Load(); err != nil {
		return *err
	}
	head, err := s.Head(context.Background())
	if err != nil {
		return err
	}
	if head != fixtureEvents {
		return fmt.Errorf("the fixture holds %d events, want %d", head, fixtureEvents)
	}
	return nil
}

// reportLatency reports the median and the 99th percentile of lat.
func reportLatency(b *testing.B, lat []time.Duration) {
	if len(lat) == 0 {
		return
	}
	slices.Sort(lat)
	at := func(q float64) float64 {
		return float64(lat[int(q*float64(len(lat)-1))]) / float64(time.Microsecond)
	}
	b.ReportMetric(at(0.50), "p50-us")
	b.ReportMetric(at(0.99), "p99-us")
}

func benchStream(g int) string { return fmt.Sprintf("case-bench%06d", g) }

// benchPayloads are realistic item-decision events of about 400 bytes. They
// share their field names, as real events do, but differ in their
// identifiers, so that compression meets what it would in production rather
// than one value repeated.
var benchPayloads = func() [][]byte {
	out := make([][]byte, 256)
	for i := range out {
		id := uuid.NewSHA1(uuid.NameSpaceOID, binary.BigEndian.AppendUint32(nil, uint32(i)))
		out[i] = fmt.Appendf(nil, `{"case_id":%q,"bundle":"newborn","item":"hukou_birth_registration",`+
			`"department":"public_security","officer":"officer-%04d","action":"approve",`+
			`"opinion":"材料齐全，符合法定形式，准予办理。","certificate":{"name":"户口簿","number":"R%010d",`+
			`"valid_until":null},"paused_working_days":%d,"due":"2026-12-%02d","channel":"window",`+
			`"trace":%q}`,
			id, i*7919%10000, uint64(i)*2654435761%1e10, i%4, 1+i%28, uuid.NewSHA1(id, nil))
	}
	return out
}()

// benchEvent returns the i-th event of a benchmark: a fresh ID and one of
// benchPayloads.
func benchEvent(i int) eventstore.EventData {
	return eventstore.EventData{
		ID:       uuid.New(),
		Type:     "item_decided",
		Data:     benchPayloads[i%len(benchPayloads)],
		Metadata: []byte(`{"actor":"officer-0042","correlation_id":"req-3f1c","schema":1}`),
	}
}

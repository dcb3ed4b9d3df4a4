package embedded_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"sync"
	"sync/atomic"
	"testing"
	"time"

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

// BenchmarkReadStream reads a whole 20-event stream, picked at random, from
// the large store, and reports the latency of each read.
func BenchmarkReadStream(b *testing.B) {
	s := largeStore(b)
	ctx := context.Background()
	rng := rand.New(rand.NewPCG(1, 2))
	lat := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for range b.N {
		stream := longStream(rng.IntN(fixtureLongStreams))
		t0 := time.Now()
		events, err := s.ReadStream(ctx, stream, eventstore.ReadStreamOptions{})
		lat = append(lat, time.Since(t0))
		if err != nil {
			b.Fatal(err)
		}
		if len(events) != fixtureLongLength {
			b.Fatalf("%s holds %d events, want %d", stream, len(events), fixtureLongLength)
		}
	}
	b.StopTimer()
	reportLatency(b, lat)
}

// BenchmarkScanAll reads the whole log of the large store forwards in pages
// of 1,000, as a projection rebuilding from scratch does, without decoding
// the events' JSON.
func BenchmarkScanAll(b *testing.B) {
	const page = 1000
	s := largeStore(b)
	ctx := context.Background()
	b.ResetTimer()
	start := time.Now()
	for range b.N {
		n, from := 0, uint64(0)
		for {
			events, err := s.ReadAll(ctx, eventstore.ReadAllOptions{From: from, Limit: page})
			if err != nil {
				b.Fatal(err)
			}
			n += len(events)
			if len(events) < page {
				break
			}
			from = events[len(events)-1].Position + 1
		}
		if n != fixtureEvents {
			b.Fatalf("scanned %d events, want %d", n, fixtureEvents)
		}
	}
	elapsed := time.Since(start)
	b.StopTimer()
	b.ReportMetric(float64(b.N)*fixtureEvents/elapsed.Seconds(), "events/s")
}

package embedded_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/caseledger/caseledger/eventstore"
	"github.com/caseledger/caseledger/eventstore/embedded"
)

// The storage benchmarks. Run them with
//
//	go test -run '^$' -bench . ./eventstore/embedded/
//
// and read docs/benchmarks.md for the figures of the reference machine and
// the goals they are held to. Latencies are reported as p50-us and p99-us
// (microseconds) and throughput as events/s, through b.ReportMetric.
//
// The benchmarks are declared in the order they should run: the append
// benchmarks first, before the large fixture of the read benchmarks exists,
// since pebble compacts that fixture in the background for a while after it
// is written and would compete with them for the disk and the cores.

// appenderCounts are the concurrencies of BenchmarkAppend: one caller, a
// busy service, and a burst far beyond the cores.
var appenderCounts = []int{1, 16, 128}

// BenchmarkFsync measures the disk the other benchmarks run on: append
// 4 KiB to a file and fdatasync it. A durable append cannot be faster than
// one of these, so the 1-appender goal is stated against its p99.
func BenchmarkFsync(b *testing.B) {
	f, err := os.Create(filepath.Join(b.TempDir(), "fsync"))
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	block := make([]byte, 4096)
	lat := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for range b.N {
		t0 := time.Now()
		if _, err := f.Write(block); err != nil {
			b.Fatal(err)
		}
		if err := fdatasync(f); err != nil {
			b.Fatal(err)
		}
		lat = append(lat, time.Since(t0))
	}
	b.StopTimer()
	reportLatency(b, lat)
}

// BenchmarkFsyncFrame compares the two ways a log can take a frame the size
// of a 128-appender group (42 KB): appending it, so that each fdatasync
// also makes the file's new length and blocks durable (a journal commit on
// ext4), and overwriting blocks written and synced before, which is what
// the store's zeros ahead of the log (writer.zeroAhead) buy.
func BenchmarkFsyncFrame(b *testing.B) {
	const frame, region = 42_000, 16 << 20
	for _, overwrite := range []bool{false, true} {
		name := "append"
		if overwrite {
			name = "overwrite"
		}
		b.Run(name, func(b *testing.B) {
			f, err := os.Create(filepath.Join(b.TempDir(), "fsync"))
			if err != nil {
				b.Fatal(err)
			}
			defer f.Close()
			if overwrite {
				if _, err := f.Write(make([]byte, region)); err != nil {
					b.Fatal(err)
				}
				if err := f.Sync(); err != nil {
					b.Fatal(err)
				}
			}
			block := bytes.Repeat([]byte{0xCA}, frame)
			lat := make([]time.Duration, 0, b.N)
			var off int64
			b.ResetTimer()
			for range b.N {
				if overwrite && off+frame > region {
					off = 0
				}
				t0 := time.Now()
				if _, err := f.WriteAt(block, off); err != nil {
					b.Fatal(err)
				}
				if err := fdatasync(f); err != nil {
					b.Fatal(err)
				}
				lat = append(lat, time.Since(t0))
				off += frame
			}
			b.StopTimer()
			reportLatency(b, lat)
		})
	}
}

// BenchmarkAppend measures durable 1-event appends of about 400 bytes of
// JSON, each appender to its own stream, against the embedded store and
// against the ceiling, a bare log file doing the least a durable append
// needs (see ceilingLog). Both run in the same process, one after the other
// for each concurrency, so that they see the same disk and the same noise.
func BenchmarkAppend(b *testing.B) {
	for _, n := range appenderCounts {
		b.Run(fmt.Sprintf("appenders=%d/store=embedded", n), func(b *testing.B) {
			s := openBenchStore(b, b.TempDir())
			version := make([]eventstore.ExpectedVersion, n)
			for g := range version {
				version[g] = eventstore.NoStream
			}
			runAppenders(b, n, func(ctx context.Context, g, i int) error {
				r, err := s.Append(ctx, benchStream(g), version[g], benchEvent(i))
				if err != nil {
					return err
				}
				version[g] = eventstore.Exact(r.LastVersion)
				return nil
			})
		})
		b.Run(fmt.Sprintf("appenders=%d/store=ceiling", n), func(b *testing.B) {
			c := openCeiling(b, b.TempDir())
			runAppenders(b, n, func(_ context.Context, g, i int) error {
				e := benchEvent(i)
				return c.append(ceilingRecord(benchStream(g), &e))
			})
		})
	}
}

// runAppenders shares b.N appends among n goroutines and reports events/s,
// the latency of each append as its caller saw it, and the process's CPU
// time per event (cpu-us/event; it includes the benchmark's own work of
// making events, and background work an earlier run left, such as the
// store's compactions).
func runAppenders(b *testing.B, n int, appendOne func(ctx context.Context, g, i int) error) {
	ctx := context.Background()
	lat := make([][]time.Duration, n)
	var next atomic.Int64
	var wg sync.WaitGroup
	b.ResetTimer()
	start, cpu := time.Now(), processCPU()
	for g := range n {
		wg.Go(func() {
			for {
				i := int(next.Add(1)) - 1
				if i >= b.N {
					return
				}
				t0 := time.Now()
				if err := appendOne(ctx, g, i); err != nil {
					b.Error(err)
					return
				}
				lat[g] = append(lat[g], time.Since(t0))
			}
		})
	}
	wg.Wait()
	elapsed, cpu := time.Since(start), processCPU()-cpu
	b.StopTimer()
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "events/s")
	b.ReportMetric(float64(cpu.Microseconds())/float64(b.N), "cpu-us/event")
	reportLatency(b, slices.Concat(lat...))
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

// openBenchStore opens a store in dir, closed when b ends.
func openBenchStore(b *testing.B, dir string) *embedded.Store {
	s, err := embedded.Open(dir, embedded.Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() {
		if err := s.Close(); err != nil {
			b.Error(err)
		}
	})
	return s
}

// ceilingLog is the reference the store's append path is measured against:
// an append-only file of length-prefixed records, written by one goroutine
// that takes every request waiting, writes them with one write, makes them
// durable with one fdatasync and acknowledges them all. It has no index, no
// read path and no recovery; a store that keeps a large share of its
// throughput has little left to gain in its write path.
type ceilingLog struct {
	f    *os.File
	reqs chan ceilingReq
	done chan struct{}
}

type ceilingReq struct {
	rec []byte
	ack chan error
}

func openCeiling(b *testing.B, dir string) *ceilingLog {
	f, err := os.Create(filepath.Join(dir, "ceiling.log"))
	if err != nil {
		b.Fatal(err)
	}
	c := &ceilingLog{f: f, reqs: make(chan ceilingReq, 1024), done: make(chan struct{})}
	go c.run()
	b.Cleanup(func() {
		close(c.reqs)
		<-c.done
		if err := f.Close(); err != nil {
			b.Error(err)
		}
	})
	return c
}

func (c *ceilingLog) append(rec []byte) error {
	ack := make(chan error, 1)
	c.reqs <- ceilingReq{rec: rec, ack: ack}
	return <-ack
}

func (c *ceilingLog) run() {
	defer close(c.done)
	var buf []byte
	var group []ceilingReq
	for req := range c.reqs {
		group = append(group[:0], req)
	drain:
		for {
			select {
			case r, ok := <-c.reqs:
				if !ok {
					break drain
				}
				group = append(group, r)
			default:
				break drain
			}
		}
		buf = buf[:0]
		for _, r := range group {
			buf = binary.BigEndian.AppendUint32(buf, uint32(len(r.rec)))
			buf = append(buf, r.rec...)
		}
		_, err := c.f.Write(buf)
		if err == nil {
			err = fdatasync(c.f)
		}
		for _, r := range group {
			r.ack <- err
		}
	}
}

// ceilingRecord is what the ceiling writes for an event: no less than the
// store must keep of it.
func ceilingRecord(stream string, e *eventstore.EventData) []byte {
	rec := make([]byte, 0, 16+len(stream)+len(e.Type)+len(e.Data)+len(e.Metadata)+4)
	rec = append(rec, e.ID[:]...)
	rec = append(rec, stream...)
	rec = append(rec, e.Type...)
	rec = append(rec, e.Metadata...)
	return append(rec, e.Data...)
}

package replaybench_test

import (
	"context"
	"errors"
	"io/fs"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/caseledger/caseledger/domain"
	"github.com/caseledger/caseledger/eventstore"
	"github.com/caseledger/caseledger/eventstore/embedded"
	"github.com/caseledger/caseledger/projections"
	"github.com/caseledger/caseledger/projections/asof"
)

// mustProjected opens the fixture's read models in views/, waits until they
// hold the whole log and returns the runner; a reused fixture's read models
// are already there and only resume.
func mustProjected(b *testing.B, f *fixture) *projections.Runner {
	b.Helper()
	r, err := projections.Open(f.store, f.viewsDir(), projections.Options{}, readModels()...)
	if err != nil {
		b.Fatal(err)
	}
	for _, p := range readModels() {
		if err := r.WaitFor(context.Background(), p.Name(), f.Head); err != nil {
			r.Close()
			b.Fatal(err)
		}
	}
	return r
}

// BenchmarkRestart measures a restart with the whole log already projected:
// from opening the store to every read model serving at the head, as serve
// does it. Each iteration closes the store and the runner first.
func BenchmarkRestart(b *testing.B) {
	f := sharedFixture(b)
	if err := mustProjected(b, f).Close(); err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	var elapsed time.Duration
	for b.Loop() {
		if err := f.store.Close(); err != nil {
			b.Fatal(err)
		}
		start := time.Now()
		store, err := embedded.Open(f.storeDir(), embedded.Options{})
		if err != nil {
			b.Fatal(err)
		}
		f.store = store
		r, err := projections.Open(store, f.viewsDir(), projections.Options{}, readModels()...)
		if err != nil {
			b.Fatal(err)
		}
		for _, p := range readModels() {
			if err := r.WaitFor(ctx, p.Name(), f.Head); err != nil {
				b.Fatal(err)
			}
		}
		elapsed += time.Since(start)
		if err := r.Close(); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(elapsed.Milliseconds())/float64(b.N), "ms/restart")
}

// BenchmarkFootprint reports what each read model holds per case of the
// fixture: the bytes of its keys and values as a reader sees them, and its
// copy's size on disk (compressed by Pebble, plus its write-ahead log). An
// iteration is one scan of every read model.
func BenchmarkFootprint(b *testing.B) {
	f := sharedFixture(b)
	r := mustProjected(b, f)
	defer r.Close()
	cases := float64(len(f.Cases))
	logical := map[string]int{}
	for b.Loop() {
		for _, p := range readModels() {
			var n int
			err := r.Read(context.Background(), p.Name(), f.Head, func(v *projections.View) error {
				return v.Scan(nil, func(k, val []byte) error {
					n += len(k) + len(val)
					return nil
				})
			})
			if err != nil {
				b.Fatal(err)
			}
			logical[p.Name()] = n
		}
	}
	for _, p := range readModels() {
		b.ReportMetric(float64(logical[p.Name()])/cases, p.Name()+"-B/case")
		b.ReportMetric(float64(mustDiskSize(b, f.viewsDir(), p.Name()+"-v"))/cases, p.Name()+"-disk-B/case")
	}
	b.ReportMetric(cases, "cases")
}

// mustDiskSize sums the sizes of the files under the directories of dir
// whose names start with prefix.
func mustDiskSize(b *testing.B, dir, prefix string) int64 {
	b.Helper()
	var size int64
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dir, path) // path is under dir
		if !strings.HasPrefix(rel, prefix) {
			return nil
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		size += info.Size()
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	return size
}

// BenchmarkTimeTravel reads the fixture's case whose history is closest to
// 50 events as of its middle event, on each bound, and reports the latency
// percentiles of single calls, as projections/asof's BenchmarkCase does on
// its small store.
func BenchmarkTimeTravel(b *testing.B) {
	f := sharedFixture(b)
	ctx := context.Background()
	id, events := mustCaseNear(b, f, 50)
	mid := events[len(events)/2]
	ev, err := domain.DecodeRecorded(mid)
	if err != nil {
		b.Fatal(err)
	}
	for _, bm := range []struct {
		name string
		at   asof.At
	}{
		{"occurred_by", asof.OccurredBy(ev.Meta().OccurredAt)},
		{"recorded_by", asof.RecordedBy(mid.RecordedAt)},
		{"version", asof.AtVersion(mid.Version)},
	} {
		b.Run(bm.name, func(b *testing.B) {
			var lat []time.Duration
			for b.Loop() {
				start := time.Now()
				if _, err := asof.Case(ctx, f.store, id, bm.at); err != nil {
					b.Fatal(err)
				}
				lat = append(lat, time.Since(start))
			}
			slices.Sort(lat)
			at := func(q float64) float64 { return float64(lat[int(q*float64(len(lat)-1))].Nanoseconds()) }
			b.ReportMetric(at(0.50), "p50-ns")
			b.ReportMetric(at(0.99), "p99-ns")
			b.ReportMetric(float64(len(events)), "case-events")
		})
	}
}

// mustCaseNear returns the case among the fixture's first 2,000 whose
// stream length is closest to n, and its events.
func mustCaseNear(b *testing.B, f *fixture, n int) (string, []eventstore.RecordedEvent) {
	b.Helper()
	var bestID string
	var best []eventstore.RecordedEvent
	for _, id := range f.Cases[:min(len(f.Cases), 2000)] {
		evs, err := f.store.ReadStream(context.Background(), "case-"+id, eventstore.ReadStreamOptions{})
		if errors.Is(err, eventstore.ErrStreamNotFound) {
			continue // cut off by MaxEvents before its first append
		}
		if err != nil {
			b.Fatal(err)
		}
		if best == nil || abs(len(evs)-n) < abs(len(best)-n) {
			bestID, best = id, evs
		}
	}
	if best == nil {
		b.Fatal("the fixture holds no case")
	}
	return bestID, best
}

func abs(n int) int { return max(n, -n) }

package replaybench_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"hash/maphash"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/caseledger/caseledger/domain/casegen"
	"github.com/caseledger/caseledger/eventstore"
	"github.com/caseledger/caseledger/eventstore/embedded"
)

// The benchmarks share one generated history of CASELEDGER_BENCH_EVENTS
// events (default 1,000,000), built at most once per process. With
// CASELEDGER_BENCH_DIR set it lives there and is reused by later runs (it is
// several hundred megabytes and takes a minute or more to build); otherwise
// it is built in a temporary directory that TestMain removes.
const defaultEvents = 1_000_000

// manifestName marks a complete fixture: it is written last, so a directory
// without it is a build that was interrupted and is built again.
const manifestName = "manifest.json"

// fixture is a store holding a generated history, with what the benchmarks
// need to know about it.
type fixture struct {
	dir   string // root: store/ holds the log, views/ the projected read models
	store *embedded.Store
	manifest
}

type manifest struct {
	Events int      `json:"events"` // requested size
	Head   uint64   `json:"head"`
	Cases  []string `json:"cases"` // case IDs in order of submission
}

func (f *fixture) storeDir() string { return filepath.Join(f.dir, "store") }
func (f *fixture) viewsDir() string { return filepath.Join(f.dir, "views") }

var shared struct {
	once sync.Once
	f    *fixture
	tmp  string // removed by TestMain
	err  error
}

func TestMain(m *testing.M) {
	code := m.Run()
	if shared.f != nil {
		shared.f.store.Close()
	}
	if shared.tmp != "" {
		os.RemoveAll(shared.tmp)
	}
	os.Exit(code)
}

// sharedFixture returns the process's fixture, building or reopening it on
// first use.
func sharedFixture(b *testing.B) *fixture {
	b.Helper()
	shared.once.Do(func() {
		n := defaultEvents
		if s := os.Getenv("CASELEDGER_BENCH_EVENTS"); s != "" {
			if n, shared.err = strconv.Atoi(s); shared.err != nil {
				return
			}
		}
		dir := os.Getenv("CASELEDGER_BENCH_DIR")
		if dir == "" {
			if dir, shared.err = os.MkdirTemp("", "caseledger-replaybench-"); shared.err != nil {
				return
			}
			shared.tmp = dir
		}
		start := time.Now()
		var built bool
		shared.f, built, shared.err = openFixture(dir, n)
		if shared.err == nil && built {
			b.Logf("built a fixture of %d events (%d cases) in %v", shared.f.Head, len(shared.f.Cases), time.Since(start).Round(time.Millisecond))
		}
	})
	if shared.err != nil {
		b.Fatalf("fixture: %v", shared.err)
	}
	return shared.f
}

// openFixture reopens the fixture of n events in dir, or builds it there
// (reporting built) when dir holds no complete fixture of that size.
func openFixture(dir string, n int) (f *fixture, built bool, err error) {
	f = &fixture{dir: dir}
	raw, err := os.ReadFile(filepath.Join(dir, manifestName))
	if err == nil {
		if err := json.Unmarshal(raw, &f.manifest); err != nil {
			return nil, false, fmt.Errorf("%s: %w", manifestName, err)
		}
	}
	if err != nil || f.Events != n {
		// Absent, interrupted or of another size: start from nothing.
		for _, d := range []string{f.storeDir(), f.viewsDir(), filepath.Join(dir, manifestName)} {
			if err := os.RemoveAll(d); err != nil {
				return nil, false, err
			}
		}
		built = true
	}
	if f.store, err = embedded.Open(f.storeDir(), embedded.Options{}); err != nil {
		return nil, false, err
	}
	if !built {
		head, err := f.store.Head(context.Background())
		if err == nil && head != f.Head {
			err = fmt.Errorf("the store's head is %d, the manifest says %d", head, f.Head)
		}
		if err != nil {
			f.store.Close()
			return nil, false, err
		}
		return f, false, nil
	}
	if err := f.build(n); err != nil {
		f.store.Close()
		return nil, true, err
	}
	return f, true, nil
}

// appenders is how many appends are in flight while building: each append
// syncs, and group commit makes one sync serve many of them.
const appenders = 64

// build appends a generated history of about n events. The generator is
// pure and single-threaded; its appends are spread over appenders by
// stream, so each stream's appends stay in order (their expected versions
// require it) while many streams' appends share the store's syncs.
func (f *fixture) build(n int) error {
	cfg := casegen.DefaultConfig()
	// A case averages about 45 events (casegen's doc); a few more cases
	// than that and MaxEvents give an exact cap.
	cfg.Cases = n/40 + 1
	cfg.MaxEvents = n
	g, err := casegen.New(cfg)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithCancelCause(context.Background())
	defer cancel(nil)
	var wg sync.WaitGroup
	queues := make([]chan casegen.Append, appenders)
	for i := range queues {
		queues[i] = make(chan casegen.Append, 256)
		wg.Go(func() {
			for a := range queues[i] {
				if ctx.Err() != nil {
					continue // drain, so the generator never blocks
				}
				if _, err := f.store.Append(ctx, a.Stream, a.Expected, a.Events...); err != nil {
					cancel(fmt.Errorf("append to %s: %w", a.Stream, err))
				}
			}
		})
	}
	seed := maphash.MakeSeed()
	f.Events = n
	for a := range g.All() {
		if a.Expected == eventstore.NoStream {
			f.Cases = append(f.Cases, a.CaseID)
		}
		queues[maphash.String(seed, a.Stream)%appenders] <- a
	}
	for _, q := range queues {
		close(q)
	}
	wg.Wait()
	if err := errors.Join(g.Err(), context.Cause(ctx)); err != nil {
		return err
	}
	if f.Head, err = f.store.Head(context.Background()); err != nil {
		return err
	}
	raw, err := json.Marshal(f.manifest)
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(f.dir, manifestName), raw, 0o644)
}

package embedded_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/cockroachdb/pebble/v2/vfs"
	"github.com/google/uuid"

	"github.com/caseledger/caseledger/eventstore"
	"github.com/caseledger/caseledger/eventstore/embedded"
)

// powerLossDir is where the store lives inside each simulated file system.
const powerLossDir = "/ledger"

// TestPowerLossKeepsAcknowledgedAppendsWhole runs the store on a file system
// that can lose everything not yet synced, the way a machine loses its page
// cache when the power goes. While writers append concurrently, it takes
// crash images at random moments, each keeping a random share of the unsynced
// blocks and directory entries, opens each image as a store and checks it
// with checkRecovered: every append acknowledged before the image was taken
// is there byte for byte, chains verify, positions have no gap, and no append
// is half there. The next round goes on from the last image, so recovery is
// itself crashed.
//
// Goroutine scheduling is not seeded, so a seed reproduces the crash points
// and the choice of surviving blocks, not the interleaving; set
// CASELEDGER_CRASH_SEED to the logged seed to rerun with the same choices.
func TestPowerLossKeepsAcknowledgedAppendsWhole(t *testing.T) {
	seed := crashSeed(t)
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	rounds, images := 5, 4
	if testing.Short() {
		rounds, images = 2, 3
	}
	fs := vfs.NewCrashableMem()
	var survivors []crashAppend
	for round := range rounds {
		// Each round journals afresh: an append acknowledged in the last
		// round after its last image was taken is gone, and must be.
		j := newCrashJournal()
		for _, a := range survivors {
			j.ack(j.attempt(a.stream, a.ids), a.result)
		}
		image, kept := powerLossRound(t, rng, fs, j, images)
		t.Logf("round %d: the last image kept %d appends", round, len(kept))
		fs, survivors = image, kept
	}
}

// powerLossRound opens the store on fs, which holds the appends acknowledged
// in j, appends from several writers while it takes crash images, checks
// each, and returns the last image with the appends it held.
func powerLossRound(t *testing.T, rng *rand.Rand, fs *vfs.MemFS, j *crashJournal, images int) (*vfs.MemFS, []crashAppend) {
	t.Helper()
	ctx := context.Background()
	s, err := embedded.Open(powerLossDir, embedded.Options{FS: slowSyncFS{FS: fs, delay: 300 * time.Microsecond}})
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	w := startCrashWriters(s, j, 6, 60, rng.Uint64())

	// Crash points are drawn as counts of acknowledgements, so that they fall
	// while appends are in flight rather than all before the first one.
	points := make([]int, images)
	for i := range points {
		points[i] = rng.IntN(w.budget)
	}
	slices.Sort(points)
	// Images are taken first and checked after, so that checking, which is
	// slow, does not let the writers finish before the later images.
	type crash struct {
		at       int
		image    *vfs.MemFS
		mustHave []crashAppend
		percent  int
	}
	crashes := make([]crash, len(points))
	for i, p := range points {
		w.waitAcks(p)
		c := &crashes[i]
		c.at, c.mustHave, c.percent = p, j.acked(), rng.IntN(101)
		c.image = fs.CrashClone(vfs.CrashCloneCfg{UnsyncedDataPercent: c.percent, RNG: rand.New(rand.NewPCG(rng.Uint64(), rng.Uint64()))})
	}
	if err := w.stop(); err != nil {
		t.Fatalf("writer: %v", err)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("close: %v", err)
	}
	var kept []crashAppend
	for _, c := range crashes {
		t0 := time.Now()
		rec, err := checkImage(ctx, c.image, j, c.mustHave)
		if err != nil {
			t.Fatalf("image at %d acknowledgements, %d%% of unsynced data kept: %v", c.at, c.percent, err)
		}
		t.Logf("image at %d acknowledgements (%d appends to keep), %d%% of unsynced data kept: holds %d appends, checked in %s",
			c.at, len(c.mustHave), c.percent, len(rec), time.Since(t0))
		kept = rec
	}
	last := crashes[len(crashes)-1].image
	return last, kept
}

// checkImage opens a crash image as a store, checks it, closes it again,
// and returns the appends it holds, as acknowledged appends for the next
// round.
func checkImage(ctx context.Context, image *vfs.MemFS, j *crashJournal, mustHave []crashAppend) ([]crashAppend, error) {
	s, err := embedded.Open(powerLossDir, embedded.Options{FS: image})
	if err != nil {
		return nil, fmt.Errorf("reopen: %w", err)
	}
	rec, checkErr := checkRecovered(ctx, s, j, mustHave)
	if err := s.Close(); err != nil && checkErr == nil {
		checkErr = fmt.Errorf("close: %w", err)
	}
	if checkErr != nil {
		return nil, checkErr
	}
	return rec.appends(j), nil
}

// appends returns the appends the recovered log holds, with the results an
// acknowledgement would have carried.
func (r *recovery) appends(j *crashJournal) []crashAppend {
	var out []crashAppend
	for i := 0; i < len(r.events); {
		e := &r.events[i]
		a := *j.lookup(e.ID)
		n := uint64(len(a.ids))
		a.acked = true
		a.result = eventstore.AppendResult{
			FirstVersion: e.Version, LastVersion: e.Version + n - 1,
			FirstPosition: e.Position, LastPosition: e.Position + n - 1,
		}
		out = append(out, a)
		i += len(a.ids)
	}
	return out
}

// crashWriters append concurrently, each a bounded number of times, and
// journal every attempt and acknowledgement.
type crashWriters struct {
	budget   int // appends the writers make if nothing stops them
	wg       sync.WaitGroup
	cancel   context.CancelFunc
	mu       sync.Mutex
	writers  int // writers still running
	acks     int
	err      error
	progress *sync.Cond
}

// startCrashWriters starts n writers of at most perWriter appends each.
// Writer g appends to its own stream with Exact expected versions, to shared
// streams with Any, and now and then starts a new stream with NoStream;
// appends carry one to four events. seed drives those choices.
func startCrashWriters(s eventstore.Store, j *crashJournal, n, perWriter int, seed uint64) *crashWriters {
	ctx, cancel := context.WithCancel(context.Background())
	w := &crashWriters{budget: n * perWriter, writers: n, cancel: cancel}
	w.progress = sync.NewCond(&w.mu)
	own := uuid.NewString()[:8]
	for g := range n {
		w.wg.Go(func() {
			rng := rand.New(rand.NewPCG(uint64(g), seed))
			mine := fmt.Sprintf("case-%s-%d", own, g)
			expected := eventstore.Any
			for i := 0; i < perWriter && ctx.Err() == nil; i++ {
				stream, exp := mine, expected
				switch rng.IntN(6) {
				case 0:
					stream, exp = "shared-"+strconv.Itoa(rng.IntN(3)), eventstore.Any
				case 1:
					stream, exp = "case-"+uuid.NewString(), eventstore.NoStream
				}
				ids := make([]uuid.UUID, 1+rng.IntN(4))
				for k := range ids {
					ids[k] = uuid.New()
				}
				a := j.attempt(stream, ids)
				r, err := s.Append(ctx, stream, exp, crashEvents(ids)...)
				if err != nil {
					w.done(err)
					return
				}
				j.ack(a, r)
				if stream == mine {
					expected = eventstore.Exact(r.LastVersion)
				}
				w.acked()
			}
			w.done(nil)
		})
	}
	return w
}

func (w *crashWriters) acked() {
	w.mu.Lock()
	w.acks++
	w.mu.Unlock()
	w.progress.Broadcast()
}

// done ends a writer; it wakes waitAcks, which would otherwise wait for
// acknowledgements that will never come.
func (w *crashWriters) done(err error) {
	w.mu.Lock()
	w.writers--
	if err != nil && !errors.Is(err, context.Canceled) && w.err == nil {
		w.err = err
	}
	w.mu.Unlock()
	w.progress.Broadcast()
}

// waitAcks waits until n appends are acknowledged or every writer ended.
func (w *crashWriters) waitAcks(n int) {
	w.mu.Lock()
	defer w.mu.Unlock()
	for w.acks < n && w.writers > 0 {
		w.progress.Wait()
	}
}

// stop cancels the writers, waits for them and returns the first error
// other than the cancellation.
func (w *crashWriters) stop() error {
	w.cancel()
	w.wg.Wait()
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.err
}

// crashSeed returns the seed of this run's random choices, from
// CASELEDGER_CRASH_SEED if set, and logs it.
func crashSeed(t *testing.T) uint64 {
	t.Helper()
	seed := uint64(time.Now().UnixNano())
	if s := os.Getenv("CASELEDGER_CRASH_SEED"); s != "" {
		v, err := strconv.ParseUint(s, 10, 64)
		if err != nil {
			t.Fatalf("CASELEDGER_CRASH_SEED=%q: %v", s, err)
		}
		seed = v
	}
	t.Logf("seed %d (rerun with CASELEDGER_CRASH_SEED=%d)", seed, seed)
	return seed
}

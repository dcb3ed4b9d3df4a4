package projections

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"slices"
	"sync"

	"github.com/caseledger/caseledger/eventstore"
	"github.com/cockroachdb/pebble/v2"
)

// Options tune a Runner; the zero value is usable.
type Options struct {
	// Logger receives failures and switches; nil discards them.
	Logger *slog.Logger
	// BatchSize caps the events folded per commit; 0 means 1000 once a
	// copy has caught up with the head and 128k before. Once caught up, a
	// batch also ends whenever the subscription has nothing more ready, so
	// live events are committed at once.
	BatchSize int
	// CacheSize is the block cache shared by all copies, in bytes; 0 means
	// 32 MiB.
	CacheSize int64
}

// Runner keeps registered projections up to date, each from its own
// subscription, and serves reads of them.
type Runner struct {
	store     eventstore.Store
	dir       string
	log       *slog.Logger
	batchSize int // once caught up
	// catchUpSize is the batch size before: nobody reads a copy that is
	// catching up but waiters, and every commit re-encodes each object the
	// batch touched, so fewer, larger batches write far less.
	catchUpSize int
	cache       *pebble.Cache

	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup // workers and copy removals

	slots map[string]*slot
	names []string

	closeOnce sync.Once
	closeErr  error
}

// slot holds everything about one projection name. mu guards the fields
// below it; notify is closed and replaced whenever the serving copy commits
// or changes, or a worker fails, so waiters never miss a wake-up.
type slot struct {
	p Projection

	mu         sync.Mutex
	serving    *dbCopy
	servingRun *worker // nil when the serving copy is frozen (invariant 7)
	target     *worker // the copy being built while another serves
	notify     chan struct{}
	closed     bool
}

// worker is a running fold of one copy.
type worker struct {
	c        *dbCopy
	p        Projection
	filter   eventstore.Filter
	decoded  bool        // p is a DomainProjection
	in       chan *chunk // from its feed
	cancel   context.CancelFunc
	done     chan struct{}
	err      error          // guarded by slot.mu; set when the worker failed
	progress func(Progress) // for a rebuild; called from the worker goroutine
	switched chan struct{}  // closed when a building copy starts serving
}

// Open opens or creates the copies of every projection under dir, resolves
// version changes (invariant 7) and starts one worker per copy to fold.
func Open(store eventstore.Store, dir string, opts Options, ps ...Projection) (*Runner, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("projections: %w", err)
	}
	r := &Runner{store: store, dir: dir, log: opts.Logger, batchSize: opts.BatchSize, slots: map[string]*slot{}}
	if r.log == nil {
		r.log = slog.New(slog.DiscardHandler)
	}
	r.catchUpSize = r.batchSize
	if r.batchSize <= 0 {
		r.batchSize, r.catchUpSize = 1000, catchUpBatchSize
	}
	size := opts.CacheSize
	if size <= 0 {
		size = 32 << 20
	}
	r.cache = pebble.NewCache(size)
	r.ctx, r.cancel = context.WithCancel(context.Background())
	var ws []*worker
	for _, p := range ps {
		w, err := r.add(p)
		if err != nil {
			r.Close()
			return nil, err
		}
		ws = append(ws, w)
	}
	r.startFeeds(ws)
	return r, nil
}

// catchUpBatchSize is the default batch size of a copy catching up; a batch
// also ends once it holds maxPendingObjects decoded objects, which bounds
// its memory whatever the number of cases. 128k rather than 32k: the four
// read models replaying 1M events took 9.0-10.1 s user+sys against
// 10.6-11.2 (three alternated runs each), every case's objects being
// rewritten less often, and the process's peak RSS did not grow (690-699
// MB against 680-722). 32k had replaced 16k for the same reason.
const catchUpBatchSize = 128 << 10

// add opens the copies of p and starts the worker of the one to fold,
// which waits for a feed.
func (r *Runner) add(p Projection) (*worker, error) {
	name := p.Name()
	if !nameRE.MatchString(name) {
		return nil, fmt.Errorf("projections: name %q does not match [a-z][a-z0-9_]*", name)
	}
	if p.Version() < 0 {
		return nil, fmt.Errorf("projections: %s: negative version %d", name, p.Version())
	}
	if _, dup := r.slots[name]; dup {
		return nil, fmt.Errorf("projections: %s registered twice", name)
	}
	s := &slot{p: p, notify: make(chan struct{})}
	r.slots[name] = s
	r.names = append(r.names, name)

	ids, err := listCopies(r.dir, name)
	if err != nil {
		return nil, err
	}
	// Newest first: by version, then generation.
	slices.SortFunc(ids, func(a, b copyID) int {
		return cmp.Or(cmp.Compare(b.version, a.version), cmp.Compare(b.generation, a.generation))
	})
	targetID := copyID{name: name, version: p.Version(), generation: 1}
	for _, id := range ids {
		if id.version == p.Version() {
			targetID = id
			break
		}
	}
	target, err := openCopy(copyPath(r.dir, targetID), targetID, r.cache, r.log)
	if err != nil {
		return nil, err
	}
	var old *dbCopy
	if !target.live.Load() {
		for _, id := range ids {
			if id == targetID {
				continue
			}
			c, err := openCopy(copyPath(r.dir, id), id, r.cache, r.log)
			if err != nil {
				target.close()
				return nil, err
			}
			if c.live.Load() {
				old = c
				break
			}
			c.close()
		}
	}
	for _, id := range ids {
		if id != targetID && (old == nil || id != old.id) {
			if err := os.RemoveAll(copyPath(r.dir, id)); err != nil {
				r.log.Error("projections: remove stale copy", "copy", id.dir(), "err", err)
			}
		}
	}
	// Workers report to the slot under s.mu, so it is set up under it too.
	s.mu.Lock()
	defer s.mu.Unlock()
	if old == nil {
		if !target.live.Load() {
			if err := target.markLive(); err != nil {
				target.close()
				return nil, err
			}
		}
		s.serving = target
		s.servingRun = r.start(s, target, nil)
		return s.servingRun, nil
	}
	r.log.Info("projections: building new copy while the old one serves",
		"serving", old.id.dir(), "building", targetID.dir(), "from", target.position.Load())
	s.serving = old
	s.target = r.start(s, target, nil)
	return s.target, nil
}

// start starts a worker folding c; it folds once a feed (startFeeds) hands
// it the log.
func (r *Runner) start(s *slot, c *dbCopy, progress func(Progress)) *worker {
	ctx, cancel := context.WithCancel(r.ctx)
	_, decoded := s.p.(DomainProjection)
	w := &worker{c: c, p: s.p, filter: s.p.Filter(), decoded: decoded, in: make(chan *chunk, memberLag),
		cancel: cancel, done: make(chan struct{}), progress: progress, switched: make(chan struct{})}
	r.wg.Add(1)
	go func() {
		defer r.wg.Done()
		defer close(w.done)
		r.run(ctx, s, w)
	}()
	return w
}

// broadcast wakes every waiter of s; the caller holds s.mu.
func (s *slot) broadcast() {
	close(s.notify)
	s.notify = make(chan struct{})
}

// fail records a worker's fatal error and wakes waiters.
func (r *Runner) fail(s *slot, w *worker, err error) {
	s.mu.Lock()
	w.err = err
	s.broadcast()
	s.mu.Unlock()
	r.log.Error("projections: projection stopped", "copy", w.c.id.dir(), "err", err)
}

// committed publishes a worker's commit and, for a target that has caught up
// with both the head and the serving copy, swaps it in (invariant 7).
func (r *Runner) committed(s *slot, w *worker, caughtUp bool) error {
	s.mu.Lock()
	if s.target != w {
		if s.serving == w.c {
			s.broadcast()
		}
		s.mu.Unlock()
		return nil
	}
	swap := caughtUp && w.c.position.Load() >= s.serving.position.Load()
	s.mu.Unlock()
	if w.progress != nil {
		w.progress(Progress{Position: w.c.position.Load()})
	}
	if !swap {
		return nil
	}
	if err := w.c.markLive(); err != nil {
		return err
	}
	s.mu.Lock()
	old, oldRun := s.serving, s.servingRun
	s.serving, s.servingRun, s.target = w.c, w, nil
	s.broadcast()
	s.mu.Unlock()
	close(w.switched)
	r.log.Info("projections: switched", "from", old.id.dir(), "to", w.c.id.dir())
	r.wg.Add(1)
	go func() {
		defer r.wg.Done()
		if oldRun != nil {
			oldRun.cancel()
			<-oldRun.done
		}
		<-old.retire()
		if err := old.remove(); err != nil {
			r.log.Error("projections: remove old copy", "copy", old.id.dir(), "err", err)
		}
	}()
	return nil
}

// Close stops every worker, waits for reads in flight and closes the copies.
// It is safe to call more than once.
func (r *Runner) Close() error {
	r.closeOnce.Do(func() { r.closeErr = r.close() })
	return r.closeErr
}

func (r *Runner) close() error {
	r.cancel()
	r.wg.Wait()
	var errs []error
	for _, name := range r.names {
		s := r.slots[name]
		s.mu.Lock()
		s.closed = true
		copies := []*dbCopy{s.serving}
		if s.target != nil {
			copies = append(copies, s.target.c)
		}
		s.broadcast()
		s.mu.Unlock()
		for _, c := range copies {
			if c == nil {
				continue
			}
			<-c.retire()
			errs = append(errs, c.flush(), c.close())
		}
	}
	r.cache.Unref()
	return errors.Join(errs...)
}

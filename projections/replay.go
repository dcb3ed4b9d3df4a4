package projections

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"time"

	"github.com/caseledger/caseledger/domain"
	"github.com/caseledger/caseledger/eventstore"
	"github.com/cockroachdb/pebble/v2"
)

// Progress reports a replay or rebuild: the position folded so far and the
// position it is heading for (the head when it started, for a rebuild that
// then follows live events).
type Progress struct {
	Position uint64
	Target   uint64
}

// ReplayOptions bound a replay (invariant 10). With neither bound it runs to
// the head as of its start.
type ReplayOptions struct {
	// UpTo is the last position folded; 0 means the head.
	UpTo uint64
	// Until stops before the first event recorded after it; zero means no
	// time bound.
	Until time.Time
	// BatchSize is the events committed at a time; 0 means 128k. A batch
	// is committed sooner when it holds many decoded objects (SetObject),
	// which bounds the memory it takes. The log is read in pages of at most
	// 1000 events, ahead of the fold.
	BatchSize int
	// Progress, if set, is called after every batch.
	Progress func(Progress)
}

// Copy is a projection built by Replay, apart from any Runner.
type Copy struct {
	c     *dbCopy
	cache *pebble.Cache
}

// Replay folds a prefix of the log into a fresh copy of p in dir, which must
// not exist or be empty. The caller closes the copy and owns dir, which
// holds a partial copy when Replay fails.
func Replay(ctx context.Context, store eventstore.Store, p Projection, dir string, opts ReplayOptions) (*Copy, error) {
	if entries, err := os.ReadDir(dir); err == nil && len(entries) > 0 {
		return nil, fmt.Errorf("projections: replay into %s: directory not empty", dir)
	}
	size := opts.BatchSize
	if size <= 0 {
		size = catchUpBatchSize
	}
	target := opts.UpTo
	head, err := store.Head(ctx)
	if err != nil {
		return nil, fmt.Errorf("projections: replay: %w", err)
	}
	if target == 0 || target > head {
		target = head
	}
	cache := pebble.NewCache(8 << 20)
	id := copyID{name: p.Name(), version: p.Version(), generation: 1}
	c, err := openCopy(dir, id, cache, slog.New(slog.DiscardHandler))
	if err != nil {
		cache.Unref()
		return nil, err
	}
	out := &Copy{c: c, cache: cache}
	if err := replay(ctx, store, newFolder(c, p), target, opts.Until, size, opts.Progress); err != nil {
		out.Close()
		return nil, err
	}
	return out, nil
}

func replay(ctx context.Context, store eventstore.Store, f *folder, target uint64, until time.Time, size int, progress func(Progress)) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	commit := func() error {
		if err := f.commit(); err != nil {
			return err
		}
		if progress != nil {
			progress(Progress{Position: f.pos, Target: target})
		}
		return nil
	}
	n := 0
pages:
	for p := range readPages(ctx, store, f.pos+1, target, min(size, pageSize), f.wants) {
		if p.err != nil {
			f.discard()
			return fmt.Errorf("projections: replay: %w", p.err)
		}
		for i := range p.items {
			e := &p.items[i].msg.Event
			if e.Position > target || (!until.IsZero() && e.RecordedAt.After(until)) {
				break pages
			}
			if err := f.apply(&p.items[i]); err != nil {
				f.discard()
				return err
			}
			if n++; n >= size || f.full() {
				if err := commit(); err != nil {
					return err
				}
				n = 0
			}
		}
	}
	return commit()
}

// pageSize caps the events Replay reads at a time; it commits every
// ReplayOptions.BatchSize events, which may span pages.
const pageSize = 1000

type page struct {
	items []item
	err   error
}

// readPages reads the log from position from up to target, decoding the
// events want says are folded as domain events, one page ahead of the fold
// so that reading, decoding and folding overlap. It stops after an error,
// at the end of the log or when ctx ends.
func readPages(ctx context.Context, store eventstore.Store, from, target uint64, size int, want func(*eventstore.RecordedEvent) bool) <-chan page {
	ch := make(chan page, 1)
	go func() {
		defer close(ch)
		for from <= target {
			events, err := store.ReadAll(ctx, eventstore.ReadAllOptions{From: from, Limit: size})
			if len(events) == 0 && err == nil {
				return
			}
			items := make([]item, len(events))
			for i := range events {
				items[i].msg = eventstore.Message{Kind: eventstore.MessageEvent, Event: events[i], Position: events[i].Position}
			}
			decodeChunk(items, want)
			select {
			case ch <- page{items, err}:
			case <-ctx.Done():
				return
			}
			if err != nil {
				return
			}
			from = events[len(events)-1].Position + 1
		}
	}()
	return ch
}

// Position is the last log position the copy reflects.
func (c *Copy) Position() uint64 { return c.c.position.Load() }

// Read calls fn with a consistent view of the copy.
func (c *Copy) Read(fn func(*View) error) error { return c.c.view(fn) }

// Close closes the copy; its directory stays.
func (c *Copy) Close() error {
	err := c.c.close()
	c.cache.Unref()
	return err
}

// Rebuild builds a fresh copy of the named projection from position zero
// while the current one keeps serving and folding, then swaps it in
// (invariant 7). It reports progress and returns once the swap is done, or
// when ctx ends, in which case the rebuild goes on in the background.
func (r *Runner) Rebuild(ctx context.Context, name string, progress func(Progress)) error {
	s, err := r.slot(name)
	if err != nil {
		return err
	}
	head, err := r.store.Head(ctx)
	if err != nil {
		return fmt.Errorf("projections: rebuild: %w", err)
	}
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return &domain.Error{Code: domain.CodeUnavailable, Message: "the views are shut down"}
	}
	if s.target != nil {
		s.mu.Unlock()
		return domain.Errorf(domain.CodeConflict, "the %s view is already being rebuilt", name)
	}
	id := copyID{name: name, version: s.p.Version(), generation: 1}
	if s.serving.id.version == id.version {
		id.generation = s.serving.id.generation + 1
	}
	c, err := openCopy(copyPath(r.dir, id), id, r.cache, r.log)
	if err != nil {
		s.mu.Unlock()
		return err
	}
	var report func(Progress)
	if progress != nil {
		report = func(p Progress) {
			p.Target = head
			progress(p)
		}
	}
	w := r.start(s, c, report)
	s.target = w
	s.mu.Unlock()
	// Its own feed: it starts from zero, the others are at the head.
	r.startFeeds([]*worker{w})
	r.log.Info("projections: rebuilding", "copy", id.dir(), "head", head)
	select {
	case <-w.switched:
		return nil
	case <-w.done:
		select {
		case <-w.switched:
			return nil
		default:
		}
		s.mu.Lock()
		err := w.err
		s.mu.Unlock()
		if err == nil {
			err = &domain.Error{Code: domain.CodeUnavailable, Message: "the views are shut down"}
		}
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}

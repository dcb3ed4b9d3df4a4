package embedded

import (
	"fmt"

	"github.com/caseledger/caseledger/eventstore"
)

// Pipeline tuning: see "Concurrency" in the package comment.
const (
	// pipelineDepth is how many groups may be in flight (prepared and
	// written, being synced, or being indexed) at once.
	pipelineDepth = 2
	// recentGenerations bounds how many groups' event IDs the writer keeps
	// in memory for the caller-side ID check: between half and all of them
	// (see recentIDs).
	recentGenerations = 256
)

// syncLoop makes each unit's frames durable, in commit order, and hands
// its groups to the indexer. One fsync covers every frame written before it
// started, so a unit needs one, and a group an earlier fsync covered none.
func (s *Store) syncLoop(syncs <-chan []*group, indexes chan<- *group) {
	defer close(indexes)
	var synced int64 // the log offset up to which everything is durable
	for unit := range syncs {
		for _, g := range unit {
			if g.err != nil || g.idx == nil || g.end <= synced {
				continue
			}
			if f := s.failure.Load(); f != nil {
				g.err = *f
				continue
			}
			upto := g.seg.written.Load()
			if err := g.seg.f.SyncData(); err != nil {
				g.err = s.fail(err)
				continue
			}
			synced = upto
		}
		for _, g := range unit {
			indexes <- g
		}
	}
}

// indexLoop adds each durable group's stream and frame entries to the
// pending index, publishes the new head and wakes the group's appenders,
// then adds its ID entries and advances the applied generation, in commit
// order. Nothing is acknowledged before its frame is synced (rule 6), and
// no entry is indexed before its frame is durable (invariant 2). Since
// groups are acknowledged in order, an idempotent retry of an append still
// in flight in an earlier group is acknowledged only after that group is
// durable. When the active pending index is large enough it is sealed and
// handed to the flusher; on the way out what is left is flushed too.
func (s *Store) indexLoop(indexes <-chan *group, slots <-chan struct{}, done chan<- struct{}) {
	defer close(done)
	seals := make(chan *pendingIndex, maxSealed)
	flusherDone := make(chan struct{})
	go s.flushLoop(seals, flusherDone)
	defer func() {
		s.pending.mu.RLock()
		rest := s.pending.active
		s.pending.mu.RUnlock()
		if len(rest.frames) > 0 {
			s.seal(seals)
		}
		close(seals)
		<-flusherDone
	}()
	var broken error
	for g := range indexes {
		err := g.err
		indexed := false
		if g.idx != nil && err == nil && broken == nil {
			// The stream and frame entries before the wake-ups: an
			// appender may read its stream as soon as it returns.
			s.pending.mu.Lock()
			s.pending.active.add(g.idx)
			s.pending.mu.Unlock()
			indexed = true
		} else if g.idx != nil {
			// A failed group counts as applied: the writer waits on
			// generations, and a failed store wakes it anyway.
			s.setApplied(g.gen)
		}
		// Free the slot before waking the appenders, so that the writer
		// gathers the next unit while they wake.
		if g.lastOfUnit {
			<-slots
		}
		if err != nil && broken == nil {
			broken = err
		}
		switch {
		case broken != nil:
			// Later groups were prepared on top of a failed one; none
			// of them may be acknowledged.
			for _, r := range g.reqs {
				if r.err == nil {
					r.res, r.err = eventstore.AppendResult{}, broken
				}
			}
		case g.idx != nil:
			// Invariant 5: each group continues the log where the last
			// published one ended.
			head := s.head.Load()
			invariant(g.first == head+1, "group at positions %d..%d follows head %d", g.first, g.last, head)
			s.publish(g.last, g.end)
		}
		for _, r := range g.reqs {
			close(r.done)
		}
		if indexed {
			// The ID entries after the wake-ups, which they would delay
			// by a large map's cache misses: only the ID check of rule 7
			// reads them, and it finds a just-acknowledged ID in the
			// writer's recent window, then waits for the generation to be
			// applied (invariant 8), which it is only now. They go into
			// the same pending index as the group's other entries, so
			// that its tip covers them all (invariant 2): the seal comes
			// after.
			s.pending.mu.Lock()
			s.pending.active.addIDs(g.idx)
			full := s.pending.active.bytes >= s.sealBytes
			s.pending.mu.Unlock()
			s.setApplied(g.gen)
			if full {
				s.seal(seals)
			}
		}
	}
}

// seal hands the active pending index to the flusher and starts a new one.
// It waits only while maxSealed indexes are already waiting for the
// flusher.
func (s *Store) seal(seals chan<- *pendingIndex) {
	s.pending.mu.Lock()
	for len(s.pending.sealed) >= maxSealed && s.failure.Load() == nil {
		s.pending.flushed.Wait()
	}
	if s.failure.Load() != nil {
		// The flusher failed: everything stays pending, readable.
		s.pending.mu.Unlock()
		return
	}
	p := s.pending.active
	s.pending.sealed = append(s.pending.sealed, p)
	s.pending.active = newPendingIndex(p)
	s.pending.mu.Unlock()
	seals <- p
}

// flushLoop ingests each sealed pending index into pebble as one table, in
// order, then forgets it: readers that no longer find it in memory find it
// in pebble (see "Index" in the package comment).
func (s *Store) flushLoop(seals <-chan *pendingIndex, done chan<- struct{}) {
	defer close(done)
	for p := range seals {
		if s.failure.Load() != nil {
			continue // keep it pending; Open indexes it again
		}
		err := s.ingest(p)
		s.pending.mu.Lock()
		if err != nil {
			// The entries stay pending, so reads still find them; the
			// store takes no more appends, and Open indexes them again.
			s.fail(err)
		} else {
			invariant(s.pending.sealed[0] == p, "the flusher wrote a pending index out of order")
			s.pending.sealed[0] = nil
			s.pending.sealed = s.pending.sealed[1:]
		}
		s.pending.flushed.Broadcast()
		s.pending.mu.Unlock()
	}
}

// setApplied records that every group up to generation gen is applied to
// the index, so visible to lookups in it.
func (s *Store) setApplied(gen uint64) {
	s.appliedMu.Lock()
	s.applied.Store(gen)
	s.appliedCond.Broadcast()
	s.appliedMu.Unlock()
}

// waitApplied waits until every group up to generation gen is applied, or
// the store has failed.
func (s *Store) waitApplied(gen uint64) error {
	s.appliedMu.Lock()
	defer s.appliedMu.Unlock()
	for s.applied.Load() < gen {
		if f := s.failure.Load(); f != nil {
			return *f
		}
		s.appliedCond.Wait()
	}
	return nil
}

// fail puts the store into its failed state: after a failed write, fsync or
// index update the in-memory heads may be ahead of the disk, so no further
// append is taken.
func (s *Store) fail(err error) error {
	err = fmt.Errorf("embedded: commit failed, store no longer accepts appends: %w", err)
	if !s.failure.CompareAndSwap(nil, &err) {
		return *s.failure.Load()
	}
	s.logger.Error("event store commit failed", "dir", s.dir, "err", err)
	// Wake a writer waiting in waitApplied for a group that never will be.
	s.appliedMu.Lock()
	s.appliedCond.Broadcast()
	s.appliedMu.Unlock()
	return err
}

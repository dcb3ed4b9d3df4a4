package embedded

import (
	"fmt"

	"github.com/cockroachdb/pebble/v2"

	"github.com/caseledger/caseledger/eventstore"
)

// Pipeline tuning: see "Concurrency" in the package comment.
const (
	// pipelineDepth is how many groups may be in flight (prepared and
	// written, being synced, or being indexed) at once.
	pipelineDepth = 3
	// recentGenerations is how many groups' event IDs the writer keeps in
	// memory for the caller-side ID check (see recentIDs).
	recentGenerations = 256
)

// syncLoop makes each group's frame durable, in commit order, and hands the
// group to the indexer. One fsync covers every frame written before it
// started, so a group whose frame an earlier fsync covered needs none: with
// many appenders the writer writes the next frame while this one syncs, and
// the fsyncs of groups that arrive together fold into one.
func (s *Store) syncLoop(syncs <-chan *group, indexes chan<- *group) {
	defer close(indexes)
	var synced int64 // the log offset up to which everything is durable
	for g := range syncs {
		if g.err == nil && g.batch != nil && g.end > synced {
			if f := s.failure.Load(); f != nil {
				g.err = *f
			} else {
				upto := g.seg.written.Load()
				if err := g.seg.f.SyncData(); err != nil {
					g.err = s.fail(err)
				} else {
					synced = upto
				}
			}
		}
		indexes <- g
	}
}

// indexLoop applies each durable group's stream and frame entries to the
// index, publishes the new head and wakes the group's appenders, in commit
// order, then hands the group to the ID indexer. Nothing is acknowledged
// before its frame is synced (rule 6), and the index never names a frame
// that is not durable (invariant 2): pebble may flush a batch at any time
// once it is applied. Since groups are acknowledged in order, an idempotent
// retry of an append still in flight in an earlier group is acknowledged
// only after that group is durable.
func (s *Store) indexLoop(indexes <-chan *group, slots <-chan struct{}, done chan<- struct{}) {
	defer close(done)
	ids := make(chan *group, pipelineDepth)
	idsDone := make(chan struct{})
	go s.idLoop(ids, idsDone)
	defer func() {
		close(ids)
		<-idsDone
	}()
	var broken error
	for g := range indexes {
		err := g.err
		if g.batch != nil {
			if err == nil {
				// The index has no WAL: the log is its WAL (invariant 2).
				if aerr := s.db.Apply(g.batch, pebble.NoSync); aerr != nil {
					err = s.fail(aerr)
				}
			}
			g.batch.Close()
			if err != nil {
				g.ids.Close()
				g.ids = nil
			}
			ids <- g
		}
		// Free the slot before waking the appenders, so that the writer
		// gathers the next group while they wake.
		<-slots
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
		case g.batch != nil:
			// Invariant 5: each group continues the log where the last
			// published one ended.
			head := s.head.Load()
			invariant(g.first == head+1, "group at positions %d..%d follows head %d", g.first, g.last, head)
			s.publish(g.last, g.end)
		}
		for _, r := range g.reqs {
			close(r.done)
		}
	}
}

// idLoop applies each group's ID entries and tip to the index, after its
// appenders were acknowledged: no read needs them, and the ID check of rule
// 7 waits for them by generation (invariant 8). The tip goes last, so that
// a flushed index never claims a position whose entries it lacks.
func (s *Store) idLoop(ids <-chan *group, done chan<- struct{}) {
	defer close(done)
	for g := range ids {
		if g.ids != nil {
			if err := s.db.Apply(g.ids, pebble.NoSync); err != nil {
				s.fail(err)
			}
			g.ids.Close()
		}
		// Even a failed group counts as applied: the writer waits on
		// generations, and a failed store wakes it anyway.
		s.setApplied(g.gen)
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

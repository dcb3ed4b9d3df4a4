package embedded

import (
	"fmt"

	"github.com/cockroachdb/pebble/v2"

	"github.com/caseledger/caseledger/eventstore"
)

// Pipeline tuning: see "Concurrency" in the package comment.
const (
	// pipelineDepth is how many groups may be in flight (prepared, being
	// applied or waiting for their fsync) at once.
	pipelineDepth = 2
	// recentGenerations is how many groups' event IDs the writer keeps in
	// memory for the caller-side ID check (see recentIDs).
	recentGenerations = 256
)

// applyLoop applies each group's batch to pebble in commit order, without
// waiting for the fsync, and hands the group to the acker. It runs beside
// the writer so that the memtable insertions of one group overlap the
// preparation of the next.
func (s *Store) applyLoop(applies <-chan *group, acks chan<- *group) {
	defer close(acks)
	for g := range applies {
		if g.batch != nil {
			if f := s.failure.Load(); f != nil {
				// Invariant 5: a group prepared on top of a failed one
				// must not reach the disk, or its positions would
				// follow a gap.
				g.err = *f
			} else if err := s.db.ApplyNoSyncWait(g.batch, pebble.Sync); err != nil {
				g.err = s.fail(err)
			}
			// The acker still waits on the batch before closing it, as
			// pebble asks, whether or not it was applied.
			s.setApplied(g.gen)
		}
		acks <- g
	}
}

// ackLoop waits for each group's fsync, in commit order, publishes the new
// head and wakes the group's appenders. Nothing is acknowledged before its
// batch is synced (rule 6), and since groups are acknowledged in order, an
// idempotent retry of an append still in flight in an earlier group is
// acknowledged only after that group is durable.
func (s *Store) ackLoop(acks <-chan *group, slots <-chan struct{}, done chan<- struct{}) {
	defer close(done)
	var broken error
	for g := range acks {
		err := g.err
		if g.batch != nil {
			if serr := g.batch.SyncWait(); serr != nil && err == nil {
				err = s.fail(serr)
			}
			g.batch.Close()
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
			s.publish(g.last)
		}
		for _, r := range g.reqs {
			close(r.done)
		}
	}
}

// setApplied records that every group up to generation gen is applied to
// pebble, so visible to reads of the disk.
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

// fail puts the store into its failed state: after a failed commit the
// in-memory heads may be ahead of the disk, so no further append is taken.
func (s *Store) fail(err error) error {
	err = fmt.Errorf("embedded: commit failed, store no longer accepts appends: %w", err)
	if !s.failure.CompareAndSwap(nil, &err) {
		return *s.failure.Load()
	}
	s.log.Error("event store commit failed", "dir", s.dir, "err", err)
	// Wake a writer waiting in waitApplied for a group that never will be.
	s.appliedMu.Lock()
	s.appliedCond.Broadcast()
	s.appliedMu.Unlock()
	return err
}

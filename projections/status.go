package projections

import (
	"context"
	"fmt"
)

// State is a projection's health.
type State string

const (
	// StateRunning: the serving copy folds new events as they come.
	StateRunning State = "running"
	// StateRebuilding: a new copy is being built while another serves.
	StateRebuilding State = "rebuilding"
	// StateFailed: the projection stopped on an error (Status.Err); reads
	// up to its position still work.
	StateFailed State = "failed"
)

// Status reports one projection for health checks and metrics.
type Status struct {
	Name  string
	State State
	// Version is the version of the serving copy; Target the registered one.
	Version int
	Target  int
	// Position is the serving copy's checkpoint; Lag is Head minus Position.
	Position uint64
	Head     uint64
	Lag      uint64
	// Building is the checkpoint of the copy being built, when rebuilding.
	Building uint64
	Err      error
}

// Status reports every projection, in registration order.
func (r *Runner) Status(ctx context.Context) ([]Status, error) {
	head, err := r.store.Head(ctx)
	if err != nil {
		return nil, fmt.Errorf("projections: status: %w", err)
	}
	out := make([]Status, 0, len(r.names))
	for _, name := range r.names {
		s := r.slots[name]
		s.mu.Lock()
		st := Status{Name: name, State: StateRunning, Version: s.serving.id.version,
			Target: s.p.Version(), Position: s.serving.position.Load(), Head: head}
		if s.target != nil {
			st.State = StateRebuilding
			st.Building = s.target.c.position.Load()
		}
		if err := s.blocked(); err != nil {
			st.State, st.Err = StateFailed, err
		} else if s.target != nil && s.target.err != nil {
			// A failed rebuild while the old copy still runs: the old copy
			// serves fresh data, but the registered version is stuck.
			st.State, st.Err = StateFailed, s.target.err
		}
		s.mu.Unlock()
		if head > st.Position {
			st.Lag = head - st.Position
		}
		out = append(out, st)
	}
	return out, nil
}

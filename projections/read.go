package projections

import (
	"context"
	"fmt"

	"github.com/caseledger/caseledger/domain"
)

// WaitFor blocks until the serving copy of the named projection has
// committed position minPosition (invariant 9). It fails at once if the
// projection stopped on an error before getting there, and with a
// domain.CodeUnavailable error when ctx ends first.
func (r *Runner) WaitFor(ctx context.Context, name string, minPosition uint64) error {
	s, err := r.slot(name)
	if err != nil {
		return err
	}
	for {
		s.mu.Lock()
		pos := s.serving.position.Load()
		err := s.blocked()
		notify, closed := s.notify, s.closed
		s.mu.Unlock()
		if pos >= minPosition {
			return nil
		}
		if err != nil {
			return &domain.Error{Code: domain.CodeUnavailable,
				Message: fmt.Sprintf("the %s view is stopped before position %d", name, minPosition), Err: err}
		}
		if closed {
			return &domain.Error{Code: domain.CodeUnavailable, Message: "the views are shut down"}
		}
		select {
		case <-notify:
		case <-ctx.Done():
			return &domain.Error{Code: domain.CodeUnavailable,
				Message: fmt.Sprintf("the %s view has not reached position %d yet", name, minPosition), Err: ctx.Err()}
		}
	}
}

// blocked returns the error that keeps the serving copy from advancing: its
// own worker's, or, when it is frozen, the failure of the copy that was to
// replace it. The caller holds s.mu.
func (s *slot) blocked() error {
	if s.servingRun != nil {
		return s.servingRun.err
	}
	if s.target != nil {
		return s.target.err
	}
	return nil
}

// Read waits for minPosition like WaitFor, then calls fn with a consistent
// view of the serving copy (invariant 8). The copy stays open until fn
// returns, even if a blue/green switch retires it meanwhile.
func (r *Runner) Read(ctx context.Context, name string, minPosition uint64, fn func(*View) error) error {
	s, err := r.slot(name)
	if err != nil {
		return err
	}
	for {
		if err := r.WaitFor(ctx, name, minPosition); err != nil {
			return err
		}
		s.mu.Lock()
		c := s.serving
		ok := !s.closed && c.acquire()
		s.mu.Unlock()
		if !ok {
			return &domain.Error{Code: domain.CodeUnavailable, Message: "the views are shut down"}
		}
		// A swap between WaitFor and acquire only ever installs a copy at
		// least as far as the one it replaces, so this holds; checking it
		// keeps read-your-writes independent of that argument.
		if c.position.Load() >= minPosition {
			defer c.release()
			return c.view(fn)
		}
		c.release()
	}
}

func (r *Runner) slot(name string) (*slot, error) {
	s, ok := r.slots[name]
	if !ok {
		return nil, fmt.Errorf("projections: no projection named %q", name)
	}
	return s, nil
}

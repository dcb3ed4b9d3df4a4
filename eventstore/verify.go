package eventstore

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"

	"github.com/google/uuid"
)

// ErrChainBroken: Verify found an event whose position, version or hash does
// not follow. The concrete error is a *ChainError.
var ErrChainBroken = errors.New("eventstore: chain broken")

// ChainProblem names what is wrong with the first broken event.
type ChainProblem int

const (
	// ProblemPosition: the position is 0, not greater than the previous
	// event's, or (when gapless positions are promised) not exactly one more.
	ProblemPosition ChainProblem = iota + 1
	// ProblemVersion: the version is not the stream's previous version plus
	// one, or a stream does not start at version 0 (rule 2).
	ProblemVersion
	// ProblemHash: the recorded hash is not ChainHash of the previous hash and
	// the event (rule 11).
	ProblemHash
)

func (p ChainProblem) String() string {
	switch p {
	case ProblemPosition:
		return "position out of order"
	case ProblemVersion:
		return "version out of order"
	case ProblemHash:
		return "hash mismatch"
	}
	return fmt.Sprintf("ChainProblem(%d)", int(p))
}

// ChainError describes the first event Verify found broken.
type ChainError struct {
	Position uint64
	Stream   string
	Version  uint64
	ID       uuid.UUID
	Problem  ChainProblem
	Detail   string // what was found and what was expected
}

func (e *ChainError) Error() string {
	return fmt.Sprintf("eventstore: chain broken at position %d (stream %q, version %d, event %s): %s: %s",
		e.Position, e.Stream, e.Version, e.ID, e.Problem, e.Detail)
}

// Is makes errors.Is(err, ErrChainBroken) hold.
func (e *ChainError) Is(target error) bool { return target == ErrChainBroken }

// VerifyOptions tune Verify. The zero value checks the strict rules except
// gaplessness of positions, which only some backends promise.
type VerifyOptions struct {
	// GaplessPositions makes any gap between positions an error: the first
	// event must be at position 1 and each next one at the previous plus one.
	// Set it for backends that promise gapless positions (the embedded store).
	GaplessPositions bool
	// PageSize is the number of events per ReadAll call; 0 means 4096.
	PageSize int
	// Progress, when set, is called after each page with the totals so far.
	Progress func(VerifyReport)
}

// VerifyReport sums up what Verify read.
type VerifyReport struct {
	Events       uint64 // events checked
	Streams      int    // distinct streams seen
	LastPosition uint64 // position of the last event checked, 0 for an empty log
}

// streamTip is all Verify keeps per stream (40 bytes, plus the map entry
// and the name), so that a log of a million streams costs about a hundred
// megabytes, not the events themselves.
type streamTip struct {
	version uint64
	hash    [32]byte
}

// Verify walks the whole log of s forwards, in pages, and checks rules 2, 3
// and 11: every stream's versions start at 0 without gaps, positions strictly
// increase (and are gapless if opts says so), and every event's hash is the
// chain hash of the previous event of its stream and itself. It stops at the
// first broken event and returns a *ChainError for it together with the
// report of what was read before it. Events appended while Verify runs are
// checked too if their pages are reached; Verify ends at the first empty page.
func Verify(ctx context.Context, s Store, opts VerifyOptions) (VerifyReport, error) {
	pageSize := opts.PageSize
	if pageSize <= 0 {
		pageSize = 4096
	}
	var (
		rep  VerifyReport
		tips = make(map[string]*streamTip)
		from = uint64(1) // position 0 is never used (rule 3)
	)
	for {
		if err := ctx.Err(); err != nil {
			return rep, err
		}
		page, err := s.ReadAll(ctx, ReadAllOptions{Direction: Forwards, From: from, Limit: pageSize})
		if err != nil {
			return rep, fmt.Errorf("eventstore: verify: reading from position %d: %w", from, err)
		}
		if len(page) == 0 {
			return rep, nil
		}
		for i := range page {
			e := &page[i]
			if err := checkEvent(tips, rep.LastPosition, e, opts.GaplessPositions); err != nil {
				return rep, err
			}
			rep.Events++
			rep.LastPosition = e.Position
		}
		rep.Streams = len(tips)
		// Every event of the page passed the position check, so from strictly
		// grows and the loop cannot spin on a backend that repeats a page.
		from = rep.LastPosition + 1
		if opts.Progress != nil {
			opts.Progress(rep)
		}
	}
}

// checkEvent checks e against the previous position and its stream's tip,
// and on success advances the tip.
func checkEvent(tips map[string]*streamTip, lastPos uint64, e *RecordedEvent, gapless bool) error {
	broken := func(p ChainProblem, format string, args ...any) error {
		return &ChainError{Position: e.Position, Stream: e.Stream, Version: e.Version, ID: e.ID,
			Problem: p, Detail: fmt.Sprintf(format, args...)}
	}
	switch {
	case e.Position == 0:
		return broken(ProblemPosition, "position 0 is never used")
	case e.Position <= lastPos:
		return broken(ProblemPosition, "position %d follows position %d", e.Position, lastPos)
	case gapless && e.Position != lastPos+1:
		return broken(ProblemPosition, "position %d follows position %d, leaving a gap", e.Position, lastPos)
	}
	// One map lookup per event: tips hold pointers so that an existing
	// stream's tip is updated in place.
	tip := tips[e.Stream]
	var prev [32]byte
	switch {
	case tip == nil && e.Version != 0:
		return broken(ProblemVersion, "stream starts at version %d, want 0", e.Version)
	case tip != nil && e.Version != tip.version+1:
		return broken(ProblemVersion, "version %d follows version %d", e.Version, tip.version)
	case tip != nil:
		prev = tip.hash
	}
	if want := ChainHash(prev, e); e.Hash != want {
		return broken(ProblemHash, "recorded %s, computed %s", hex.EncodeToString(e.Hash[:]), hex.EncodeToString(want[:]))
	}
	if tip == nil {
		// A backend may hand out names that share memory with a whole page
		// (for example unsafe strings over a read buffer); keeping such a name
		// as a key would pin every page ever read.
		tips[strings.Clone(e.Stream)] = &streamTip{version: e.Version, hash: e.Hash}
		return nil
	}
	tip.version, tip.hash = e.Version, e.Hash
	return nil
}

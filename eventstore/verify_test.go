package eventstore_test

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/caseledger/caseledger/eventstore"
)

// logStore serves a fixed log through ReadAll, which is all Verify uses; the
// embedded nil Store makes any other call fail loudly.
type logStore struct {
	eventstore.Store
	log   []eventstore.RecordedEvent
	err   error // returned by every read when set
	reads int
}

func (s *logStore) ReadAll(ctx context.Context, opts eventstore.ReadAllOptions) ([]eventstore.RecordedEvent, error) {
	if opts.Direction != eventstore.Forwards || !opts.Filter.IsZero() {
		return nil, fmt.Errorf("logStore serves unfiltered forward reads only, got %+v", opts)
	}
	s.reads++
	if s.err != nil {
		return nil, s.err
	}
	// The log is sorted by position, except where a test swapped events to
	// break that order; a linear scan from the first event at or after From
	// serves both.
	i := sort.Search(len(s.log), func(i int) bool { return s.log[i].Position >= opts.From })
	page := make([]eventstore.RecordedEvent, 0, min(len(s.log)-i, max(opts.Limit, 0)))
	for _, e := range s.log[i:] {
		if opts.Limit > 0 && len(page) == opts.Limit {
			break
		}
		if e.Position >= opts.From {
			page = append(page, e)
		}
	}
	return page, ctx.Err()
}

// chainedLog returns a well-formed log of n events spread round-robin over
// streams, with positions 1..n, gapless versions and correct hashes.
func chainedLog(n, streams int) []eventstore.RecordedEvent {
	log := make([]eventstore.RecordedEvent, n)
	tips := map[string]*eventstore.RecordedEvent{}
	for i := range log {
		e := &log[i]
		e.ID = uuid.New()
		e.Stream = fmt.Sprintf("case-%d", i%streams)
		e.Position = uint64(i + 1)
		e.Type = "Noted"
		e.Data = []byte(fmt.Sprintf(`{"i":%d}`, i))
		e.RecordedAt = time.Unix(1_700_000_000, int64(i)).UTC()
		var prev [32]byte
		if tip := tips[e.Stream]; tip != nil {
			e.Version, prev = tip.Version+1, tip.Hash
		}
		e.Hash = eventstore.ChainHash(prev, e)
		tips[e.Stream] = e
	}
	return log
}

func TestVerifyAcceptsAWellFormedLog(t *testing.T) {
	tests := []struct {
		name     string
		events   int
		streams  int
		pageSize int
	}{
		{"empty log", 0, 1, 0},
		{"one stream in one page", 5, 1, 0},
		{"interleaved streams across pages", 50, 7, 8},
		{"page size dividing the log exactly", 48, 3, 8},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := &logStore{log: chainedLog(tt.events, tt.streams)}
			got, err := eventstore.Verify(context.Background(), s,
				eventstore.VerifyOptions{GaplessPositions: true, PageSize: tt.pageSize})
			if err != nil {
				t.Fatalf("Verify: %v", err)
			}
			want := eventstore.VerifyReport{Events: uint64(tt.events), Streams: min(tt.events, tt.streams), LastPosition: uint64(tt.events)}
			if got != want {
				t.Errorf("report = %+v, want %+v", got, want)
			}
		})
	}
}

func TestVerifyReportsTheFirstBrokenEvent(t *testing.T) {
	rehash := func(log []eventstore.RecordedEvent, i int) {
		// Recompute one hash so that only the intended problem remains.
		var prev [32]byte
		for j := i - 1; j >= 0; j-- {
			if log[j].Stream == log[i].Stream {
				prev = log[j].Hash
				break
			}
		}
		log[i].Hash = eventstore.ChainHash(prev, &log[i])
	}
	tests := []struct {
		name    string
		gapless bool
		tamper  func(log []eventstore.RecordedEvent)
		at      int // index of the event to be reported
		problem eventstore.ChainProblem
	}{
		{"tampered data", false, func(log []eventstore.RecordedEvent) {
			log[9].Data = []byte(`{"i":999}`)
		}, 9, eventstore.ProblemHash},
		{"tampered metadata", false, func(log []eventstore.RecordedEvent) {
			log[4].Metadata = []byte(`{"actor":"mallory"}`)
		}, 4, eventstore.ProblemHash},
		{"tampered recorded at", false, func(log []eventstore.RecordedEvent) {
			log[12].RecordedAt = log[12].RecordedAt.Add(time.Nanosecond)
		}, 12, eventstore.ProblemHash},
		{"wrong hash", false, func(log []eventstore.RecordedEvent) {
			log[7].Hash[0] ^= 1
		}, 7, eventstore.ProblemHash},
		{"first tampering wins over a later one", false, func(log []eventstore.RecordedEvent) {
			log[15].Hash[0] ^= 1
			log[3].Type = "Forged"
		}, 3, eventstore.ProblemHash},
		{"event removed from a stream leaves a version gap", false, func(log []eventstore.RecordedEvent) {
			// Stream case-1 holds indexes 1, 4, 7, ...; renumber index 7 as if
			// index 4 had never been there.
			log[4].Stream = "case-9"
			log[4].Version = 0
			rehash(log, 4)
		}, 7, eventstore.ProblemVersion},
		{"stream not starting at version 0", false, func(log []eventstore.RecordedEvent) {
			log[2].Version = 1
			rehash(log, 2)
		}, 2, eventstore.ProblemVersion},
		{"duplicated version", false, func(log []eventstore.RecordedEvent) {
			log[6].Version = log[3].Version
			rehash(log, 6)
		}, 6, eventstore.ProblemVersion},
		{"position going backwards", false, func(log []eventstore.RecordedEvent) {
			log[5].Position, log[6].Position = log[6].Position, log[5].Position
			log[5], log[6] = log[6], log[5]
			log[5].Position, log[6].Position = log[6].Position, log[5].Position
		}, 6, eventstore.ProblemPosition},
		{"position gap when gapless is promised", true, func(log []eventstore.RecordedEvent) {
			for i := 10; i < len(log); i++ {
				log[i].Position += 5
			}
		}, 10, eventstore.ProblemPosition},
		{"first position not 1 when gapless is promised", true, func(log []eventstore.RecordedEvent) {
			for i := range log {
				log[i].Position++
			}
		}, 0, eventstore.ProblemPosition},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			log := chainedLog(20, 3)
			tt.tamper(log)
			s := &logStore{log: log}
			rep, err := eventstore.Verify(context.Background(), s,
				eventstore.VerifyOptions{GaplessPositions: tt.gapless, PageSize: 4})
			if !errors.Is(err, eventstore.ErrChainBroken) {
				t.Fatalf("Verify = %v, want ErrChainBroken", err)
			}
			var ce *eventstore.ChainError
			if !errors.As(err, &ce) {
				t.Fatalf("errors.As(%v, *ChainError) = false", err)
			}
			bad := log[tt.at]
			got := [4]any{ce.Position, ce.Stream, ce.Version, ce.Problem}
			want := [4]any{bad.Position, bad.Stream, bad.Version, tt.problem}
			if got != want {
				t.Errorf("ChainError (position, stream, version, problem) = %v, want %v (%v)", got, want, err)
			}
			if ce.ID != bad.ID {
				t.Errorf("ChainError.ID = %s, want %s", ce.ID, bad.ID)
			}
			if rep.Events != uint64(tt.at) {
				t.Errorf("report.Events = %d, want the %d events before the broken one", rep.Events, tt.at)
			}
		})
	}
}

func TestVerifyAcceptsPositionGapsUnlessGaplessIsPromised(t *testing.T) {
	log := chainedLog(10, 2)
	for i := range log {
		log[i].Position = uint64(100 * (i + 1))
	}
	s := &logStore{log: log}
	rep, err := eventstore.Verify(context.Background(), s, eventstore.VerifyOptions{PageSize: 3})
	if err != nil {
		t.Fatalf("Verify without GaplessPositions: %v", err)
	}
	if got, want := rep.LastPosition, uint64(1000); got != want {
		t.Errorf("LastPosition = %d, want %d", got, want)
	}
}

func TestVerifyReportsProgressAfterEachPage(t *testing.T) {
	s := &logStore{log: chainedLog(10, 2)}
	var got []uint64
	_, err := eventstore.Verify(context.Background(), s, eventstore.VerifyOptions{
		PageSize: 4,
		Progress: func(r eventstore.VerifyReport) { got = append(got, r.Events) },
	})
	if err != nil {
		t.Fatalf("Verify: %v", err)
	}
	if want := []uint64{4, 8, 10}; fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("progress events = %v, want %v", got, want)
	}
}

func TestVerifyStopsWhenTheContextIsCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	s := &logStore{log: chainedLog(100, 2)}
	_, err := eventstore.Verify(ctx, s, eventstore.VerifyOptions{
		PageSize: 10,
		Progress: func(r eventstore.VerifyReport) {
			if r.Events == 20 {
				cancel()
			}
		},
	})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Verify = %v, want context.Canceled", err)
	}
	if got, want := s.reads, 2; got != want {
		t.Errorf("pages read = %d, want %d", got, want)
	}
}

func TestVerifyPassesOnReadErrors(t *testing.T) {
	boom := errors.New("disk on fire")
	_, err := eventstore.Verify(context.Background(), &logStore{err: boom}, eventstore.VerifyOptions{})
	if !errors.Is(err, boom) {
		t.Errorf("Verify = %v, want it to wrap %v", err, boom)
	}
	if errors.Is(err, eventstore.ErrChainBroken) {
		t.Errorf("Verify = %v: a read error is not a broken chain", err)
	}
}

// BenchmarkVerify measures Verify's own cost (hashing and the per-stream
// map) over an in-memory log, without any backend's read cost.
func BenchmarkVerify(b *testing.B) {
	const events, streams = 1_000_000, 100_000
	s := &logStore{log: chainedLog(events, streams)}
	b.ResetTimer()
	for b.Loop() {
		rep, err := eventstore.Verify(context.Background(), s, eventstore.VerifyOptions{GaplessPositions: true})
		if err != nil || rep.Events != events {
			b.Fatalf("Verify = %+v, %v", rep, err)
		}
	}
	b.ReportMetric(float64(events)*float64(b.N)/b.Elapsed().Seconds(), "events/s")
}

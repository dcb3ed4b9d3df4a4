package embedded_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"os"
	"strconv"
	"sync"

	"github.com/google/uuid"

	"github.com/caseledger/caseledger/eventstore"
)

// The crash and power-loss tests share this file: the event content that
// both sides of a crash can derive from an event ID alone, the record of
// attempted and acknowledged appends, and the check run after recovery.

// crashEvent returns the event whose ID is id. Its type, data and metadata
// are a pure function of the ID, so a parent process that only learned the
// IDs of a child's appends can still check the recovered bytes exactly. The
// data length varies from a few bytes to over two 4 KiB blocks so that torn
// writes can cut an event, or a batch, in the middle.
func crashEvent(id uuid.UUID) eventstore.EventData {
	seed := binary.BigEndian.Uint64(id[:8])
	padLen := int(seed % 600)
	if seed%4 == 0 {
		padLen = 4000 + int(seed%5000)
	}
	data := make([]byte, 0, padLen+64)
	data = append(data, `{"id":"`...)
	data = append(data, id.String()...)
	data = append(data, `","pad":"`...)
	data = append(data, bytes.Repeat([]byte{byte('a' + seed%26)}, padLen)...)
	data = append(data, `"}`...)
	e := eventstore.EventData{
		ID:   id,
		Type: "crash_tested_" + strconv.Itoa(int(seed%5)),
		Data: data,
	}
	if seed%3 != 0 {
		// The space after the comma checks that metadata is kept byte for
		// byte, not re-encoded.
		e.Metadata = []byte(`{"actor":"officer-` + strconv.Itoa(int(seed%97)) + `", "schema": 1}`)
	}
	return e
}

// crashEvents returns the events of one append, from their IDs.
func crashEvents(ids []uuid.UUID) []eventstore.EventData {
	events := make([]eventstore.EventData, len(ids))
	for i, id := range ids {
		events[i] = crashEvent(id)
	}
	return events
}

// crashAppend is one append a test attempted. acked is set once Append
// returned without error, with the result it returned.
type crashAppend struct {
	stream string
	ids    []uuid.UUID
	acked  bool
	result eventstore.AppendResult
}

// crashJournal records every append a test attempts before it is sent, and
// its acknowledgement after. It is safe for concurrent use.
type crashJournal struct {
	mu   sync.Mutex
	byID map[uuid.UUID]*crashAppend
	all  []*crashAppend
	// out, when set, receives each record as a line (attemptLine, ackLine),
	// so that a child process tells its parent what it did before it is
	// killed.
	out io.Writer
}

func newCrashJournal() *crashJournal {
	return &crashJournal{byID: make(map[uuid.UUID]*crashAppend)}
}

// attempt records an append about to be sent and returns it.
func (j *crashJournal) attempt(stream string, ids []uuid.UUID) *crashAppend {
	a := &crashAppend{stream: stream, ids: ids}
	j.mu.Lock()
	defer j.mu.Unlock()
	for _, id := range ids {
		j.byID[id] = a
	}
	j.all = append(j.all, a)
	if j.out != nil {
		j.write(attemptLine(a))
	}
	return a
}

// ack marks a as acknowledged with result r.
func (j *crashJournal) ack(a *crashAppend, r eventstore.AppendResult) {
	j.mu.Lock()
	defer j.mu.Unlock()
	a.acked, a.result = true, r
	if j.out != nil {
		j.write(ackLine(a))
	}
}

// write sends one line to out. A child that cannot reach its parent any
// more has nobody to report to, so it stops.
func (j *crashJournal) write(line string) {
	if _, err := io.WriteString(j.out, line); err != nil {
		os.Exit(3)
	}
}

// acked returns copies of the appends acknowledged so far. A crash taken
// after this call must keep every one of them.
func (j *crashJournal) acked() []crashAppend {
	j.mu.Lock()
	defer j.mu.Unlock()
	var out []crashAppend
	for _, a := range j.all {
		if a.acked {
			out = append(out, *a)
		}
	}
	return out
}

// lookup returns the append that sent event id, or nil.
func (j *crashJournal) lookup(id uuid.UUID) *crashAppend {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.byID[id]
}

// recovery is what a store holds after a crash.
type recovery struct {
	events  []eventstore.RecordedEvent // the whole log, in position order
	streams map[string]uint64          // stream -> version
}

// checkRecovered reads the whole of s and checks it against what was
// attempted and what was acknowledged before the crash:
//
//   - positions run 1, 2, 3, ... up to Head, with no gap (rule 3);
//   - every stream's versions run from 0 with no gap and its chain hashes
//     follow (rules 2 and 11), and eventstore.Verify agrees;
//   - every recorded event was sent by some attempted append, with exactly
//     the bytes sent (rule 8), and that append is wholly there, with
//     contiguous versions and positions (rule 5): nothing is half-visible;
//   - every append in mustHave is there with the result it acknowledged
//     (rule 6);
//   - ReadStream of every stream returns the same events as the log.
func checkRecovered(ctx context.Context, s eventstore.Store, j *crashJournal, mustHave []crashAppend) (*recovery, error) {
	events, err := readWholeLog(ctx, s)
	if err != nil {
		return nil, err
	}
	head, err := s.Head(ctx)
	if err != nil {
		return nil, fmt.Errorf("head: %w", err)
	}
	if got, want := head, uint64(len(events)); got != want {
		return nil, fmt.Errorf("head is %d, but the log holds %d events", got, want)
	}
	for i := range events {
		if got, want := events[i].Position, uint64(i+1); got != want {
			return nil, fmt.Errorf("event %d of the log has position %d, want %d", i, got, want)
		}
	}
	rec := &recovery{events: events, streams: make(map[string]uint64)}
	if err := checkChains(events, rec.streams); err != nil {
		return nil, err
	}
	rep, err := eventstore.Verify(ctx, s, eventstore.VerifyOptions{GaplessPositions: true})
	if err != nil {
		return nil, fmt.Errorf("eventstore.Verify: %w", err)
	}
	if got, want := rep.Events, uint64(len(events)); got != want {
		return nil, fmt.Errorf("eventstore.Verify checked %d events, the log holds %d", got, want)
	}
	if err := checkWholeAppends(events, j); err != nil {
		return nil, err
	}
	if err := checkAcknowledged(events, mustHave); err != nil {
		return nil, err
	}
	if err := checkStreamReads(ctx, s, events, rec.streams); err != nil {
		return nil, err
	}
	return rec, nil
}

// readWholeLog reads the log forwards in pages, as a consumer would.
func readWholeLog(ctx context.Context, s eventstore.Store) ([]eventstore.RecordedEvent, error) {
	const page = 500
	var all []eventstore.RecordedEvent
	from := uint64(0)
	for {
		got, err := s.ReadAll(ctx, eventstore.ReadAllOptions{From: from, Limit: page})
		if err != nil {
			return nil, fmt.Errorf("read all from %d: %w", from, err)
		}
		all = append(all, got...)
		if len(got) < page {
			return all, nil
		}
		from = got[len(got)-1].Position + 1
	}
}

// checkChains recomputes every chain hash and fills versions with each
// stream's last version.
func checkChains(events []eventstore.RecordedEvent, versions map[string]uint64) error {
	prev := make(map[string][32]byte)
	for i := range events {
		e := &events[i]
		last, exists := versions[e.Stream]
		want := uint64(0)
		if exists {
			want = last + 1
		}
		if e.Version != want {
			return fmt.Errorf("position %d: %s has version %d, want %d", e.Position, e.Stream, e.Version, want)
		}
		if got, want := e.Hash, eventstore.ChainHash(prev[e.Stream], e); got != want {
			return fmt.Errorf("position %d: %s@%d has hash %x, want %x", e.Position, e.Stream, e.Version, got, want)
		}
		versions[e.Stream] = e.Version
		prev[e.Stream] = e.Hash
	}
	return nil
}

// checkWholeAppends checks that each recorded event was sent, byte for byte,
// and that the append which sent it is recorded whole and contiguous.
func checkWholeAppends(events []eventstore.RecordedEvent, j *crashJournal) error {
	for i := 0; i < len(events); {
		e := &events[i]
		a := j.lookup(e.ID)
		if a == nil {
			return fmt.Errorf("position %d: event %s was never sent", e.Position, e.ID)
		}
		if e.ID != a.ids[0] {
			return fmt.Errorf("position %d: event %s is not the first of its append, which begins with %s: the append is torn", e.Position, e.ID, a.ids[0])
		}
		for k, id := range a.ids {
			if i+k >= len(events) {
				return fmt.Errorf("append at position %d: only %d of its %d events are recorded", e.Position, k, len(a.ids))
			}
			r := &events[i+k]
			d := crashEvent(id)
			if !eventstore.SameContent(r, a.stream, &d) {
				return fmt.Errorf("position %d: recorded %s %s in %s (%d data bytes), sent %s %s in %s (%d data bytes): torn or interleaved append",
					r.Position, r.ID, r.Type, r.Stream, len(r.Data), d.ID, d.Type, a.stream, len(d.Data))
			}
			if r.Version != e.Version+uint64(k) {
				return fmt.Errorf("position %d: version %d is not contiguous in its append", r.Position, r.Version)
			}
		}
		i += len(a.ids)
	}
	return nil
}

// checkAcknowledged checks that every acknowledged append is recorded where
// its result said.
func checkAcknowledged(events []eventstore.RecordedEvent, mustHave []crashAppend) error {
	for _, a := range mustHave {
		r := a.result
		if r.FirstPosition == 0 || r.FirstPosition > r.LastPosition {
			return fmt.Errorf("acknowledged append %s reported positions %d..%d", a.stream, r.FirstPosition, r.LastPosition)
		}
		if r.LastPosition > uint64(len(events)) {
			return fmt.Errorf("acknowledged append %s@%d..%d at positions %d..%d is lost: the log ends at %d",
				a.stream, r.FirstVersion, r.LastVersion, r.FirstPosition, r.LastPosition, len(events))
		}
		if got, want := r.LastPosition-r.FirstPosition+1, uint64(len(a.ids)); got != want {
			return fmt.Errorf("acknowledged append of %d events reported %d positions", want, got)
		}
		for k, id := range a.ids {
			e := &events[r.FirstPosition-1+uint64(k)]
			if e.ID != id || e.Stream != a.stream || e.Version != r.FirstVersion+uint64(k) {
				return fmt.Errorf("acknowledged event %s (%s@%d, position %d) is lost: that position holds %s (%s@%d)",
					id, a.stream, r.FirstVersion+uint64(k), e.Position, e.ID, e.Stream, e.Version)
			}
		}
	}
	return nil
}

// checkStreamReads checks that each stream reads back as the log has it.
func checkStreamReads(ctx context.Context, s eventstore.Store, events []eventstore.RecordedEvent, versions map[string]uint64) error {
	byStream := make(map[string][]*eventstore.RecordedEvent, len(versions))
	for i := range events {
		byStream[events[i].Stream] = append(byStream[events[i].Stream], &events[i])
	}
	for stream, want := range byStream {
		got, err := s.ReadStream(ctx, stream, eventstore.ReadStreamOptions{})
		if err != nil {
			return fmt.Errorf("read stream %s: %w", stream, err)
		}
		if len(got) != len(want) {
			return fmt.Errorf("stream %s reads %d events, the log holds %d", stream, len(got), len(want))
		}
		for k := range got {
			if !sameRecorded(&got[k], want[k]) {
				return fmt.Errorf("stream %s version %d reads differently from the log", stream, k)
			}
		}
	}
	return nil
}

func sameRecorded(a, b *eventstore.RecordedEvent) bool {
	return a.ID == b.ID && a.Stream == b.Stream && a.Version == b.Version &&
		a.Position == b.Position && a.Type == b.Type && bytes.Equal(a.Data, b.Data) &&
		bytes.Equal(a.Metadata, b.Metadata) && a.RecordedAt.Equal(b.RecordedAt) && a.Hash == b.Hash
}

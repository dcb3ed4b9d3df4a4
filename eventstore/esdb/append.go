package esdb

import (
	"context"
	"errors"
	"fmt"

	kdb "github.com/EventStore/EventStore-Client-Go/v4/esdb"
	"github.com/caseledger/caseledger/eventstore"
	"github.com/caseledger/caseledger/eventstore/esdb/envelope"
	"github.com/google/uuid"
)

// maxAttempts bounds how often an append starts over because another
// writer appended between its read and its write (rule 4 of the package
// comment). Each attempt means some other append succeeded.
const maxAttempts = 64

// Append records events (package comment, rules 4 to 6).
func (s *Store) Append(ctx context.Context, stream string, expected eventstore.ExpectedVersion, events ...eventstore.EventData) (eventstore.AppendResult, error) {
	if err := eventstore.ValidateAppend(stream, events); err != nil {
		return eventstore.AppendResult{}, err
	}
	var lastErr error
	for range maxAttempts {
		tail, err := s.tail(ctx, stream, s.opts.TailWindow+len(events))
		if err != nil {
			return eventstore.AppendResult{}, err
		}
		exists := len(tail) > 0
		var version uint64
		var prev [32]byte
		if exists {
			version, prev = tail[0].Version, tail[0].Hash
		}
		next := uint64(0)
		var rev kdb.ExpectedRevision = kdb.NoStream{}
		if exists {
			next, rev = version+1, kdb.Revision(version)
		}
		res, verdict, err := s.resent(ctx, stream, expected, tail, events)
		switch verdict {
		case original:
			return res, err
		case askServer:
			// The server decides with the caller's own expectation; the
			// endpoint's store keeps rule 7 whole.
			rev = revision(expected)
		case fresh:
			if err := eventstore.CheckExpected(stream, expected, version, exists); err != nil {
				return eventstore.AppendResult{}, err
			}
		}
		res, err = s.write(ctx, stream, rev, next, prev, events)
		if code(err) == kdb.ErrorCodeWrongExpectedVersion {
			if verdict == askServer {
				return res, &eventstore.WrongVersionError{Stream: stream, Expected: expected, Actual: version, Exists: exists}
			}
			lastErr = err
			continue
		}
		return res, err
	}
	return eventstore.AppendResult{}, fmt.Errorf("esdb: append to %s kept losing races to other writers: %w", stream, lastErr)
}

func revision(e eventstore.ExpectedVersion) kdb.ExpectedRevision {
	switch {
	case e.IsExact():
		return kdb.Revision(uint64(e))
	case e == eventstore.NoStream:
		return kdb.NoStream{}
	case e == eventstore.StreamExists:
		return kdb.StreamExists{}
	}
	return kdb.Any{}
}

// tail returns the stream's last n events, newest first; none when the
// stream does not exist.
func (s *Store) tail(ctx context.Context, stream string, n int) ([]rec, error) {
	events, err := s.readStream(ctx, stream, eventstore.ReadStreamOptions{Direction: eventstore.Backwards, From: eventstore.End, Limit: n})
	if errors.Is(err, eventstore.ErrStreamNotFound) {
		return nil, nil
	}
	return events, err
}

type verdict int

const (
	fresh     verdict = iota // no event of the append is recorded
	original                 // a re-send, or a refused reuse: return what resent returned
	askServer                // recorded events without their place in an append
)

// resent looks for events already recorded by an earlier send of this
// append (rule 5 of the package comment) in tail and, for Exact(n), in the
// events right after n.
func (s *Store) resent(ctx context.Context, stream string, expected eventstore.ExpectedVersion, tail []rec, events []eventstore.EventData) (eventstore.AppendResult, verdict, error) {
	byID := make(map[uuid.UUID]*rec, len(tail))
	for i := range tail {
		byID[tail[i].ID] = &tail[i]
	}
	if expected.IsExact() && len(tail) > 0 && tail[len(tail)-1].Version > uint64(expected)+1 {
		after, err := s.readStream(ctx, stream, eventstore.ReadStreamOptions{From: uint64(expected) + 1, Limit: len(events)})
		if err != nil {
			return eventstore.AppendResult{}, original, err
		}
		for i := range after {
			byID[after[i].ID] = &after[i]
		}
	}
	var found []*rec
	for i := range events {
		if r, ok := byID[events[i].ID]; ok {
			found = append(found, r)
		}
	}
	if len(found) == 0 {
		return eventstore.AppendResult{}, fresh, nil
	}
	for _, r := range found {
		if r.size == 0 {
			return eventstore.AppendResult{}, askServer, nil
		}
	}
	dup := fmt.Errorf("%w: %d of %d events of an append to %s were recorded before, not as this append", eventstore.ErrDuplicateEventID, len(found), len(events), stream)
	if len(found) != len(events) {
		return eventstore.AppendResult{}, original, dup
	}
	for i, r := range found {
		same := eventstore.SameContent(&r.RecordedEvent, stream, &events[i])
		if !same || r.index != i || r.size != len(events) || r.Version != found[0].Version+uint64(i) {
			return eventstore.AppendResult{}, original, dup
		}
	}
	last := found[len(found)-1]
	return eventstore.AppendResult{
		FirstVersion: found[0].Version, LastVersion: last.Version,
		FirstPosition: found[0].Position, LastPosition: last.Position,
	}, original, nil
}

// write appends events as versions next, next+1, ... chained from prev.
func (s *Store) write(ctx context.Context, stream string, rev kdb.ExpectedRevision, next uint64, prev [32]byte, events []eventstore.EventData) (eventstore.AppendResult, error) {
	at := s.opts.Clock().UTC()
	data := make([]kdb.EventData, len(events))
	for i := range events {
		e := &events[i]
		r := eventstore.RecordedEvent{ID: e.ID, Stream: stream, Version: next + uint64(i), Type: e.Type, Data: e.Data, Metadata: e.Metadata, RecordedAt: at}
		prev = eventstore.ChainHash(prev, &r)
		data[i] = kdb.EventData{
			EventID:     e.ID,
			EventType:   e.Type,
			ContentType: kdb.ContentTypeJson,
			Data:        e.Data,
			Metadata: envelope.Encode(envelope.Fields{
				RecordedAt: at.UnixNano(), Hash: prev, Metadata: e.Metadata,
				AppendIndex: i, AppendSize: len(events),
			}),
		}
	}
	var wr *kdb.WriteResult
	err := s.call(ctx, func(c *kdb.Client) error {
		var err error
		wr, err = c.AppendToStream(ctx, stream, kdb.AppendToStreamOptions{ExpectedRevision: rev}, data...)
		return err
	})
	if err != nil {
		return eventstore.AppendResult{}, err
	}
	n := uint64(len(events))
	res := eventstore.AppendResult{
		FirstVersion: wr.NextExpectedVersion + 1 - n, LastVersion: wr.NextExpectedVersion,
		FirstPosition: wr.PreparePosition, LastPosition: wr.PreparePosition,
	}
	if n == 1 {
		return res, nil
	}
	// One position per append comes back; read the events' own (rule 6).
	got, err := s.ReadStream(ctx, stream, eventstore.ReadStreamOptions{From: res.FirstVersion, Limit: len(events)})
	if err != nil {
		return eventstore.AppendResult{}, fmt.Errorf("esdb: reading back positions of an acknowledged append: %w", err)
	}
	if len(got) != len(events) || got[0].ID != events[0].ID {
		return eventstore.AppendResult{}, fmt.Errorf("esdb: the acknowledged append to %s is not at versions %d to %d", stream, res.FirstVersion, res.LastVersion)
	}
	res.FirstPosition, res.LastPosition = got[0].Position, got[len(got)-1].Position
	return res, nil
}

package esdb

import (
	"context"
	"errors"
	"io"
	"strings"
	"time"

	kdb "github.com/EventStore/EventStore-Client-Go/v4/esdb"
	"github.com/caseledger/caseledger/eventstore"
	"github.com/caseledger/caseledger/eventstore/esdb/envelope"
)

func eofIsNil(err error) error {
	if errors.Is(err, io.EOF) {
		return nil
	}
	return err
}

// system reports whether e is EventStoreDB's own (rule 1).
func system(e *kdb.RecordedEvent) bool {
	return strings.HasPrefix(e.StreamID, "$") || strings.HasPrefix(e.EventType, "$")
}

// rec is a recorded event and its place in its append, when known.
type rec struct {
	eventstore.RecordedEvent
	index, size int // size is 0 when unknown
}

// recorded converts a client event. Events without an envelope were written
// by another client: their time is the server's and they have no hash, which
// Verify reports.
func recorded(e *kdb.RecordedEvent) (rec, error) {
	r := eventstore.RecordedEvent{
		ID:       e.EventID,
		Stream:   e.StreamID,
		Version:  e.EventNumber,
		Position: e.Position.Prepare,
		Type:     e.EventType,
		Data:     e.Data,
	}
	f, err := envelope.Decode(e.UserMetadata)
	switch {
	case errors.Is(err, envelope.ErrNotEnvelope):
		r.RecordedAt = e.CreatedDate.UTC()
		if len(e.UserMetadata) > 0 {
			r.Metadata = e.UserMetadata
		}
		return rec{RecordedEvent: r}, nil
	case err != nil:
		return rec{}, err
	}
	r.RecordedAt = time.Unix(0, f.RecordedAt).UTC()
	r.Hash = f.Hash
	if len(f.Metadata) > 0 {
		r.Metadata = f.Metadata
	}
	return rec{RecordedEvent: r, index: f.AppendIndex, size: f.AppendSize}, nil
}

func count(limit int) uint64 {
	if limit <= 0 {
		return ^uint64(0)
	}
	return uint64(limit)
}

// ReadStream reads one stream.
func (s *Store) ReadStream(ctx context.Context, stream string, opts eventstore.ReadStreamOptions) ([]eventstore.RecordedEvent, error) {
	recs, err := s.readStream(ctx, stream, opts)
	if err != nil {
		return nil, err
	}
	out := make([]eventstore.RecordedEvent, len(recs))
	for i := range recs {
		out[i] = recs[i].RecordedEvent
	}
	return out, nil
}

func (s *Store) readStream(ctx context.Context, stream string, opts eventstore.ReadStreamOptions) ([]rec, error) {
	if err := eventstore.ValidateStreamName(stream); err != nil {
		return nil, err
	}
	ro := kdb.ReadStreamOptions{From: kdb.Revision(opts.From)}
	if opts.Direction == eventstore.Backwards {
		ro.Direction = kdb.Backwards
		if opts.From == eventstore.End {
			ro.From = kdb.End{}
		}
	} else if opts.From == eventstore.End {
		ro.From = kdb.End{}
	}
	var out []rec
	err := s.call(ctx, func(c *kdb.Client) error {
		out = out[:0]
		rs, err := c.ReadStream(ctx, stream, ro, count(opts.Limit))
		if err != nil {
			return err
		}
		defer rs.Close()
		for {
			ev, err := rs.Recv()
			if err != nil {
				return eofIsNil(err)
			}
			r, err := recorded(ev.OriginalEvent())
			if err != nil {
				return err
			}
			out = append(out, r)
		}
	})
	return out, err
}

// ReadAll reads the global log, skipping system events (rule 1) and those
// the filter refuses. A backwards read from a position must include the
// event at it: it is read forwards first, then the events before it
// backwards, so that the result does not depend on whether the server
// counts the start position in a backwards read.
func (s *Store) ReadAll(ctx context.Context, opts eventstore.ReadAllOptions) ([]eventstore.RecordedEvent, error) {
	var out []eventstore.RecordedEvent
	keep := func(e *kdb.RecordedEvent, below uint64) (bool, error) {
		if system(e) || e.Position.Prepare > below {
			return false, nil
		}
		r, err := recorded(e)
		if err != nil {
			return false, err
		}
		if !opts.Filter.Matches(&r.RecordedEvent) {
			return false, nil
		}
		out = append(out, r.RecordedEvent)
		return opts.Limit > 0 && len(out) >= opts.Limit, nil
	}
	scan := func(c *kdb.Client, ro kdb.ReadAllOptions, below uint64) error {
		rs, err := c.ReadAll(ctx, ro, ^uint64(0))
		if err != nil {
			return err
		}
		defer rs.Close()
		for {
			ev, err := rs.Recv()
			if err != nil {
				return eofIsNil(err)
			}
			if done, err := keep(ev.OriginalEvent(), below); done || err != nil {
				return err
			}
		}
	}
	err := s.call(ctx, func(c *kdb.Client) error {
		out = out[:0]
		switch {
		case opts.Direction == eventstore.Forwards:
			ro := kdb.ReadAllOptions{From: kdb.Start{}}
			if opts.From > 0 {
				ro.From = kdb.Position{Commit: opts.From, Prepare: opts.From}
			}
			return scan(c, ro, eventstore.End)
		case opts.From == eventstore.End:
			return scan(c, kdb.ReadAllOptions{Direction: kdb.Backwards, From: kdb.End{}}, eventstore.End)
		case opts.From == 0:
			return nil
		}
		at := kdb.Position{Commit: opts.From, Prepare: opts.From}
		first, err := c.ReadAll(ctx, kdb.ReadAllOptions{From: at}, 1)
		if err != nil {
			return err
		}
		ev, err := first.Recv()
		first.Close()
		if err = eofIsNil(err); err != nil {
			return err
		}
		if ev != nil && ev.OriginalEvent().Position.Prepare == opts.From {
			if done, err := keep(ev.OriginalEvent(), opts.From); done || err != nil {
				return err
			}
		}
		return scan(c, kdb.ReadAllOptions{Direction: kdb.Backwards, From: at}, opts.From-1)
	})
	return out, err
}

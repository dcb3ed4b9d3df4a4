package esdbserver

import (
	"context"
	"errors"
	"math"

	"github.com/EventStore/EventStore-Client-Go/v4/protos/streams"
	"github.com/caseledger/caseledger/domain"
	"github.com/caseledger/caseledger/eventstore"
)

// page is how many events one store read returns; a long read is sent as
// it is read, never held whole.
const page = 256

// Read implements Streams.Read: a plain read, or a subscription when the
// request asks for one.
func (s *Server) Read(req *streams.ReadReq, srv streams.Streams_ReadServer) error {
	o := req.GetOptions()
	if o == nil {
		return s.status(domain.Errorf(domain.CodeInvalid, "a read needs options"))
	}
	var err error
	switch {
	case o.GetSubscription() != nil:
		err = s.subscribe(srv.Context(), o, srv)
	case o.GetStream() != nil:
		err = s.readStream(srv.Context(), o, srv)
	default:
		err = s.readAll(srv.Context(), o, srv)
	}
	return s.status(err)
}

// limit turns a request count into a number of events to send.
func limit(count uint64) int {
	if count > math.MaxInt32 {
		return math.MaxInt32
	}
	return int(count)
}

// readStream sends events of one stream, or one stream-not-found (rule 7).
func (s *Server) readStream(ctx context.Context, o *streams.ReadReq_Options, srv streams.Streams_ReadServer) error {
	so := o.GetStream()
	name := string(so.GetStreamIdentifier().GetStreamName())
	if eventstore.ValidateStreamName(name) != nil {
		return srv.Send(streamNotFound(name))
	}
	dir := eventstore.Forwards
	if o.GetReadDirection() == streams.ReadReq_Options_Backwards {
		dir = eventstore.Backwards
	}
	var from uint64
	switch so.GetRevisionOption().(type) {
	case *streams.ReadReq_Options_StreamOptions_Revision:
		from = so.GetRevision()
	case *streams.ReadReq_Options_StreamOptions_End:
		from = eventstore.End
	}
	left := limit(o.GetCount())
	asString := wantsStringUUIDs(o)
	for first := true; ; first = false {
		// A read of nothing still tells a missing stream apart.
		n := max(1, min(page, left))
		events, err := s.store.ReadStream(ctx, name, eventstore.ReadStreamOptions{Direction: dir, From: from, Limit: n})
		if errors.Is(err, eventstore.ErrStreamNotFound) && first {
			return srv.Send(streamNotFound(name))
		}
		if err != nil {
			return err
		}
		if dir == eventstore.Forwards && from == eventstore.End {
			return nil
		}
		for i := range events {
			if left == 0 {
				return nil
			}
			if err := srv.Send(readEvent(&events[i], asString)); err != nil {
				return err
			}
			left--
		}
		if len(events) < n || left == 0 {
			return nil
		}
		last := events[len(events)-1].Version
		if dir == eventstore.Backwards {
			if last == 0 {
				return nil
			}
			from = last - 1
		} else {
			from = last + 1
		}
	}
}

// readAll sends events of $all that pass the request's filter.
func (s *Server) readAll(ctx context.Context, o *streams.ReadReq_Options, srv streams.Streams_ReadServer) error {
	f, err := filterFromProto(o)
	if err != nil {
		return err
	}
	backwards := o.GetReadDirection() == streams.ReadReq_Options_Backwards
	var from uint64
	ao := o.GetAll()
	switch ao.GetAllOption().(type) {
	case *streams.ReadReq_Options_AllOptions_Position:
		from = ao.GetPosition().GetCommitPosition()
		if backwards {
			// Backwards reads start just before the position (rule 4).
			if from <= 1 {
				return nil
			}
			from--
		}
	case *streams.ReadReq_Options_AllOptions_End:
		if !backwards {
			return nil
		}
		from = eventstore.End
	default: // start
		if backwards {
			return nil
		}
	}
	dir := eventstore.Forwards
	if backwards {
		dir = eventstore.Backwards
	}
	left := limit(o.GetCount())
	asString := wantsStringUUIDs(o)
	for left > 0 {
		events, err := s.store.ReadAll(ctx, eventstore.ReadAllOptions{Direction: dir, From: from, Limit: page})
		if err != nil {
			return err
		}
		for i := range events {
			if !f.match(&events[i]) {
				continue
			}
			if err := srv.Send(readEvent(&events[i], asString)); err != nil {
				return err
			}
			if left--; left == 0 {
				return nil
			}
		}
		if len(events) < page {
			return nil
		}
		last := events[len(events)-1].Position
		if backwards {
			if last <= 1 {
				return nil
			}
			from = last - 1
		} else {
			from = last + 1
		}
	}
	return nil
}

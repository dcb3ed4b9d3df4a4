package esdbserver

import (
	"context"
	"errors"

	"github.com/EventStore/EventStore-Client-Go/v4/protos/streams"
	"github.com/caseledger/caseledger/eventstore"
	"github.com/google/uuid"
)

// subscribe runs a catch-up subscription until the call ends. Its first
// message is the confirmation (rule 7).
func (s *Server) subscribe(ctx context.Context, o *streams.ReadReq_Options, srv streams.Streams_ReadServer) error {
	f, err := filterFromProto(o)
	if err != nil {
		return err
	}
	if err := srv.Send(confirmation(uuid.NewString())); err != nil {
		return err
	}
	out := &sender{srv: srv, asString: wantsStringUUIDs(o)}
	if so := o.GetStream(); so != nil {
		return s.subscribeStream(ctx, so, out)
	}
	return s.subscribeAll(ctx, o.GetAll(), f, out)
}

type sender struct {
	srv      streams.Streams_ReadServer
	asString bool
}

func (o *sender) event(e *eventstore.RecordedEvent) error {
	return o.srv.Send(readEvent(e, o.asString))
}

// subscribeStream delivers one stream's events after the requested revision:
// its history by stream reads, then live events from a store subscription
// that starts where the history ended.
func (s *Server) subscribeStream(ctx context.Context, so *streams.ReadReq_Options_StreamOptions, out *sender) error {
	name := string(so.GetStreamIdentifier().GetStreamName())
	// Taken before the history is read: every event of the stream at or
	// before head is then in that history.
	head, err := s.store.Head(ctx)
	if err != nil {
		return err
	}
	after := head
	var next uint64
	switch so.GetRevisionOption().(type) {
	case *streams.ReadReq_Options_StreamOptions_End:
		next = eventstore.End
	case *streams.ReadReq_Options_StreamOptions_Revision:
		next = so.GetRevision() + 1
		if next == 0 || next == eventstore.End {
			next = eventstore.End // after the last possible revision: live only
		}
	}
	valid := eventstore.ValidateStreamName(name) == nil
	for valid && next != eventstore.End {
		events, err := s.store.ReadStream(ctx, name, eventstore.ReadStreamOptions{From: next, Limit: page})
		if errors.Is(err, eventstore.ErrStreamNotFound) {
			break
		}
		if err != nil {
			return err
		}
		for i := range events {
			if err := out.event(&events[i]); err != nil {
				return err
			}
			after = max(after, events[i].Position)
			next = events[i].Version + 1
		}
		if len(events) < page {
			break
		}
	}
	if !valid {
		// No event can ever be recorded in it: say so and wait.
		if err := out.srv.Send(caughtUp()); err != nil {
			return err
		}
		<-ctx.Done()
		return ctx.Err()
	}
	sub, err := s.store.Subscribe(ctx, eventstore.SubscribeOptions{After: after, Filter: eventstore.Filter{Categories: []string{eventstore.Category(name)}}})
	if err != nil {
		return err
	}
	defer sub.Close()
	for {
		m, err := sub.Next()
		if err != nil {
			return err
		}
		switch m.Kind {
		case eventstore.MessageEvent:
			if m.Event.Stream == name {
				if err := out.event(&m.Event); err != nil {
					return err
				}
			}
		case eventstore.MessageCaughtUp:
			if err := out.srv.Send(caughtUp()); err != nil {
				return err
			}
		}
	}
}

// subscribeAll delivers $all after the requested position, through f, with
// a checkpoint every f.interval events examined and at the caught-up point.
func (s *Server) subscribeAll(ctx context.Context, ao *streams.ReadReq_Options_AllOptions, f *filter, out *sender) error {
	var after uint64
	switch ao.GetAllOption().(type) {
	case *streams.ReadReq_Options_AllOptions_Position:
		after = ao.GetPosition().GetCommitPosition()
	case *streams.ReadReq_Options_AllOptions_End:
		head, err := s.store.Head(ctx)
		if err != nil {
			return err
		}
		after = head
	}
	sub, err := s.store.Subscribe(ctx, eventstore.SubscribeOptions{After: after})
	if err != nil {
		return err
	}
	defer sub.Close()
	examined := 0
	for {
		m, err := sub.Next()
		if err != nil {
			return err
		}
		switch m.Kind {
		case eventstore.MessageEvent:
			if f.match(&m.Event) {
				if err := out.event(&m.Event); err != nil {
					return err
				}
			}
			if f == nil {
				continue
			}
			if examined++; examined >= f.interval {
				examined = 0
				err = out.srv.Send(checkpoint(m.Event.Position))
			}
		case eventstore.MessageCaughtUp:
			if f != nil && m.Position > 0 {
				examined = 0
				if err := out.srv.Send(checkpoint(m.Position)); err != nil {
					return err
				}
			}
			err = out.srv.Send(caughtUp())
		case eventstore.MessageCheckpoint:
			if f != nil && m.Position > 0 {
				examined = 0
				err = out.srv.Send(checkpoint(m.Position))
			}
		}
		if err != nil {
			return err
		}
	}
}

package esdbserver

import (
	"context"
	"errors"
	"io"

	"github.com/EventStore/EventStore-Client-Go/v4/protos/shared"
	"github.com/EventStore/EventStore-Client-Go/v4/protos/streams"
	"github.com/caseledger/caseledger/domain"
	"github.com/caseledger/caseledger/eventstore"
	"github.com/caseledger/caseledger/eventstore/esdb/envelope"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// Append implements Streams.Append.
func (s *Server) Append(srv streams.Streams_AppendServer) error {
	ctx := srv.Context()
	if principalFrom(ctx).Access < AccessAppend {
		drain(srv)
		return accessDenied("appends are reserved to the service identity")
	}
	first, err := srv.Recv()
	if err != nil {
		return s.status(err)
	}
	opts := first.GetOptions()
	if opts == nil {
		return status.Error(codes.InvalidArgument, "the first append message must carry the options")
	}
	stream := string(opts.GetStreamIdentifier().GetStreamName())
	expected := expectedFromProto(opts)
	var events []eventstore.EventData
	for {
		req, err := srv.Recv()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return s.status(err)
		}
		msg := req.GetProposedMessage()
		if msg == nil {
			return status.Error(codes.InvalidArgument, "append messages after the first must be proposed events")
		}
		e, err := eventFromProto(msg)
		if err != nil {
			return s.status(err)
		}
		events = append(events, e)
	}
	resp, err := s.append(ctx, stream, expected, events)
	if err != nil {
		return s.status(err)
	}
	return srv.SendAndClose(resp)
}

func (s *Server) append(ctx context.Context, stream string, expected eventstore.ExpectedVersion, events []eventstore.EventData) (*streams.AppendResp, error) {
	if len(events) == 0 {
		// EventStoreDB accepts an empty append as a check of the expected
		// version; the store does not, so check it here.
		return s.emptyAppend(ctx, stream, expected)
	}
	res, err := s.store.Append(ctx, stream, expected, events...)
	var wv *eventstore.WrongVersionError
	if errors.As(err, &wv) {
		return wrongVersion(wv), nil
	}
	if err != nil {
		return nil, err
	}
	return success(res.LastVersion, true, res.LastPosition), nil
}

func (s *Server) emptyAppend(ctx context.Context, stream string, expected eventstore.ExpectedVersion) (*streams.AppendResp, error) {
	if err := eventstore.ValidateStreamName(stream); err != nil {
		return nil, err
	}
	last, err := s.store.ReadStream(ctx, stream, eventstore.ReadStreamOptions{Direction: eventstore.Backwards, From: eventstore.End, Limit: 1})
	exists := err == nil && len(last) == 1
	if err != nil && !errors.Is(err, eventstore.ErrStreamNotFound) {
		return nil, err
	}
	var version, pos uint64
	if exists {
		version, pos = last[0].Version, last[0].Position
	}
	var wv *eventstore.WrongVersionError
	if errors.As(eventstore.CheckExpected(stream, expected, version, exists), &wv) {
		return wrongVersion(wv), nil
	}
	return success(version, exists, pos), nil
}

func expectedFromProto(o *streams.AppendReq_Options) eventstore.ExpectedVersion {
	switch v := o.GetExpectedStreamRevision().(type) {
	case *streams.AppendReq_Options_Revision:
		return eventstore.Exact(v.Revision)
	case *streams.AppendReq_Options_NoStream:
		return eventstore.NoStream
	case *streams.AppendReq_Options_StreamExists:
		return eventstore.StreamExists
	}
	return eventstore.Any
}

func eventFromProto(m *streams.AppendReq_ProposedMessage) (eventstore.EventData, error) {
	var e eventstore.EventData
	id, ok := fromProtoUUID(m.GetId())
	if !ok {
		return e, domain.Errorf(domain.CodeInvalid, "every event needs a UUID")
	}
	if ct := m.GetMetadata()["content-type"]; ct != "" && ct != "application/json" {
		return e, domain.Errorf(domain.CodeInvalid, "event %s: content type %q: the ledger stores JSON only", id, ct)
	}
	meta, err := envelope.Unwrap(m.GetCustomMetadata())
	if err != nil {
		return e, domain.Errorf(domain.CodeInvalid, "event %s: %v", id, err)
	}
	return eventstore.EventData{ID: id, Type: m.GetMetadata()["type"], Data: m.GetData(), Metadata: meta}, nil
}

func success(version uint64, exists bool, pos uint64) *streams.AppendResp {
	ok := &streams.AppendResp_Success{}
	if exists {
		ok.CurrentRevisionOption = &streams.AppendResp_Success_CurrentRevision{CurrentRevision: version}
		ok.PositionOption = &streams.AppendResp_Success_Position{Position: &streams.AppendResp_Position{CommitPosition: pos, PreparePosition: pos}}
	} else {
		ok.CurrentRevisionOption = &streams.AppendResp_Success_NoStream{NoStream: &shared.Empty{}}
		ok.PositionOption = &streams.AppendResp_Success_NoPosition{NoPosition: &shared.Empty{}}
	}
	return &streams.AppendResp{Result: &streams.AppendResp_Success_{Success: ok}}
}

// wrongVersion reports a failed check in the body (rule 8), in both the
// current fields and those of servers before 20.6 that older clients read.
func wrongVersion(wv *eventstore.WrongVersionError) *streams.AppendResp {
	w := &streams.AppendResp_WrongExpectedVersion{}
	empty := &shared.Empty{}
	if wv.Exists {
		w.CurrentRevisionOption = &streams.AppendResp_WrongExpectedVersion_CurrentRevision{CurrentRevision: wv.Actual}
		w.CurrentRevisionOption_20_6_0 = &streams.AppendResp_WrongExpectedVersion_CurrentRevision_20_6_0{CurrentRevision_20_6_0: wv.Actual}
	} else {
		w.CurrentRevisionOption = &streams.AppendResp_WrongExpectedVersion_CurrentNoStream{CurrentNoStream: empty}
		w.CurrentRevisionOption_20_6_0 = &streams.AppendResp_WrongExpectedVersion_NoStream_20_6_0{NoStream_20_6_0: empty}
	}
	switch e := wv.Expected; {
	case e.IsExact():
		w.ExpectedRevisionOption = &streams.AppendResp_WrongExpectedVersion_ExpectedRevision{ExpectedRevision: uint64(e)}
		w.ExpectedRevisionOption_20_6_0 = &streams.AppendResp_WrongExpectedVersion_ExpectedRevision_20_6_0{ExpectedRevision_20_6_0: uint64(e)}
	case e == eventstore.NoStream:
		w.ExpectedRevisionOption = &streams.AppendResp_WrongExpectedVersion_ExpectedNoStream{ExpectedNoStream: empty}
	case e == eventstore.StreamExists:
		w.ExpectedRevisionOption = &streams.AppendResp_WrongExpectedVersion_ExpectedStreamExists{ExpectedStreamExists: empty}
		w.ExpectedRevisionOption_20_6_0 = &streams.AppendResp_WrongExpectedVersion_StreamExists_20_6_0{StreamExists_20_6_0: empty}
	default:
		w.ExpectedRevisionOption = &streams.AppendResp_WrongExpectedVersion_ExpectedAny{ExpectedAny: empty}
		w.ExpectedRevisionOption_20_6_0 = &streams.AppendResp_WrongExpectedVersion_Any_20_6_0{Any_20_6_0: empty}
	}
	return &streams.AppendResp{Result: &streams.AppendResp_WrongExpectedVersion_{WrongExpectedVersion: w}}
}

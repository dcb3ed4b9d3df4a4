package esdbserver_test

import (
	"context"
	"errors"
	"io"
	"testing"

	kdb "github.com/EventStore/EventStore-Client-Go/v4/esdb"
	"github.com/EventStore/EventStore-Client-Go/v4/protos/gossip"
	"github.com/EventStore/EventStore-Client-Go/v4/protos/shared"
	"github.com/EventStore/EventStore-Client-Go/v4/protos/streams"
	"github.com/caseledger/caseledger/eventstore/esdbserver/esdbtest"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"
)

// rawConn speaks the protocol without the official client, as a client in
// another language would, optionally with a bearer token.
func rawConn(t *testing.T, addr string, token string) *grpc.ClientConn {
	t.Helper()
	opts := []grpc.DialOption{grpc.WithTransportCredentials(insecure.NewCredentials())}
	if token != "" {
		opts = append(opts, grpc.WithPerRPCCredentials(tokenCreds(token)))
	}
	conn, err := grpc.NewClient(addr, opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return conn
}

func readReq(stream string, subscribe, stringUUIDs bool) *streams.ReadReq {
	o := &streams.ReadReq_Options{
		StreamOption: &streams.ReadReq_Options_Stream{Stream: &streams.ReadReq_Options_StreamOptions{
			StreamIdentifier: &shared.StreamIdentifier{StreamName: []byte(stream)},
			RevisionOption:   &streams.ReadReq_Options_StreamOptions_Start{Start: &shared.Empty{}},
		}},
		CountOption:  &streams.ReadReq_Options_Count{Count: 100},
		FilterOption: &streams.ReadReq_Options_NoFilter{NoFilter: &shared.Empty{}},
		UuidOption:   &streams.ReadReq_Options_UUIDOption{Content: &streams.ReadReq_Options_UUIDOption_Structured{Structured: &shared.Empty{}}},
	}
	if subscribe {
		o.CountOption = &streams.ReadReq_Options_Subscription{Subscription: &streams.ReadReq_Options_SubscriptionOptions{}}
	}
	if stringUUIDs {
		o.UuidOption.Content = &streams.ReadReq_Options_UUIDOption_String_{String_: &shared.Empty{}}
	}
	return &streams.ReadReq{Options: o}
}

// drain returns every message of a read until it ends.
func drain(t *testing.T, rc streams.Streams_ReadClient) ([]*streams.ReadResp, error) {
	t.Helper()
	var out []*streams.ReadResp
	for {
		m, err := rc.Recv()
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return out, err
		}
		out = append(out, m)
	}
}

func TestUUIDsAreSentAsTheRequestAsks(t *testing.T) {
	ep, c := plain(t)
	e := jsonEvent("Opened", `{}`)
	MustAppend(t, c, "case-u", kdb.NoStream{}, e)
	sc := streams.NewStreamsClient(rawConn(t, ep.Addr, ""))
	for _, asString := range []bool{false, true} {
		rc, err := sc.Read(t.Context(), readReq("case-u", false, asString))
		if err != nil {
			t.Fatal(err)
		}
		msgs, err := drain(t, rc)
		if err != nil || len(msgs) != 1 {
			t.Fatalf("read = %d messages, %v; want one event", len(msgs), err)
		}
		id := msgs[0].GetEvent().GetEvent().GetId()
		if asString {
			if got := id.GetString_(); got != e.EventID.String() {
				t.Errorf("string UUID %q, want %q", got, e.EventID)
			}
			continue
		}
		most, least := kdb.UUIDAsInt64(e.EventID)
		if st := id.GetStructured(); st.GetMostSignificantBits() != most || st.GetLeastSignificantBits() != least {
			t.Errorf("structured UUID %v, want halves %d %d", st, most, least)
		}
	}
}

func TestAPlainReadSendsOnlyEventsOrOneStreamNotFound(t *testing.T) {
	ep, c := plain(t)
	MustAppend(t, c, "case-n", kdb.NoStream{}, jsonEvent("A", `{}`), jsonEvent("B", `{}`))
	sc := streams.NewStreamsClient(rawConn(t, ep.Addr, ""))
	tests := []struct {
		stream   string
		events   int
		notFound int
	}{
		{"case-n", 2, 0},
		{"case-none", 0, 1},
	}
	for _, tt := range tests {
		rc, err := sc.Read(t.Context(), readReq(tt.stream, false, false))
		if err != nil {
			t.Fatal(err)
		}
		msgs, err := drain(t, rc)
		if err != nil {
			t.Fatalf("read %s: %v", tt.stream, err)
		}
		var events, notFound int
		for _, m := range msgs {
			switch {
			case m.GetEvent() != nil:
				events++
			case m.GetStreamNotFound() != nil:
				notFound++
			default:
				t.Errorf("read %s sent %T; a plain read may send only events or stream-not-found", tt.stream, m.GetContent())
			}
		}
		if events != tt.events || notFound != tt.notFound {
			t.Errorf("read %s: %d events and %d stream-not-found, want %d and %d", tt.stream, events, notFound, tt.events, tt.notFound)
		}
	}
}

func TestASubscriptionStartsWithItsConfirmation(t *testing.T) {
	ep, c := plain(t)
	MustAppend(t, c, "case-c", kdb.NoStream{}, jsonEvent("A", `{}`))
	sc := streams.NewStreamsClient(rawConn(t, ep.Addr, ""))
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	rc, err := sc.Read(ctx, readReq("case-c", true, false))
	if err != nil {
		t.Fatal(err)
	}
	m, err := rc.Recv()
	if err != nil || m.GetConfirmation() == nil || m.GetConfirmation().GetSubscriptionId() == "" {
		t.Fatalf("first message = %v, %v; want a confirmation with an ID", m, err)
	}
}

func TestABearerTokenReachesTheAuthorizer(t *testing.T) {
	ep := esdbtest.Start(t, esdbtest.Config{Authorizer: bearer{}})
	tests := []struct {
		token string
		want  codes.Code
	}{
		{"good-token", codes.OK},
		{"bad-token", codes.Unauthenticated},
		{"", codes.Unauthenticated},
	}
	for _, tt := range tests {
		sc := streams.NewStreamsClient(rawConn(t, ep.Addr, tt.token))
		rc, err := sc.Read(t.Context(), readReq("case-t", false, false))
		if err == nil {
			_, err = drain(t, rc)
		}
		if got := status.Code(err); got != tt.want {
			t.Errorf("read with token %q = %v, want %v", tt.token, err, tt.want)
		}
	}
	// Discovery needs no credentials.
	info, err := gossip.NewGossipClient(rawConn(t, ep.Addr, "")).Read(t.Context(), &shared.Empty{})
	if err != nil || len(info.GetMembers()) != 1 || info.GetMembers()[0].GetState() != gossip.MemberInfo_Leader {
		t.Errorf("gossip = %v, %v; want one leader", info, err)
	}
}

func TestAccessDeniedCarriesTheExceptionTrailer(t *testing.T) {
	ep := esdbtest.Start(t, esdbtest.Config{Authorizer: bearer{}})
	sc := streams.NewStreamsClient(rawConn(t, ep.Addr, "good-token"))
	ac, err := sc.Append(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	_, err = ac.CloseAndRecv()
	if got := status.Code(err); got != codes.PermissionDenied {
		t.Fatalf("append by a reader = %v, want PermissionDenied", err)
	}
	if got := ac.Trailer().Get("exception"); len(got) != 1 || got[0] != "access-denied" {
		t.Errorf("exception trailer %v, want [access-denied]", got)
	}
}

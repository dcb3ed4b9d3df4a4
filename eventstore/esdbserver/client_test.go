package esdbserver_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"testing"
	"time"

	kdb "github.com/EventStore/EventStore-Client-Go/v4/esdb"
	"github.com/caseledger/caseledger/eventstore"
	"github.com/caseledger/caseledger/eventstore/esdbserver/esdbtest"
	"github.com/google/uuid"
)

// MustClient connects the official client; the test's cleanup closes it.
func MustClient(tb testing.TB, conn string) *kdb.Client {
	tb.Helper()
	cfg, err := kdb.ParseConnectionString(conn)
	if err != nil {
		tb.Fatalf("ParseConnectionString(%s): %v", conn, err)
	}
	cfg.Logger = kdb.NoopLogging()
	c, err := kdb.NewClient(cfg)
	if err != nil {
		tb.Fatalf("NewClient: %v", err)
	}
	tb.Cleanup(func() { c.Close() })
	return c
}

// plain starts a plain-text endpoint that lets anyone append, and a client.
func plain(t *testing.T) (*esdbtest.Endpoint, *kdb.Client) {
	t.Helper()
	ep := esdbtest.Start(t, esdbtest.Config{})
	return ep, MustClient(t, ep.ConnectionString("", ""))
}

func jsonEvent(typ, data string) kdb.EventData {
	return kdb.EventData{EventID: uuid.New(), EventType: typ, ContentType: kdb.ContentTypeJson, Data: []byte(data)}
}

// MustAppend appends through the client and fails the test on error.
func MustAppend(tb testing.TB, c *kdb.Client, stream string, rev kdb.ExpectedRevision, events ...kdb.EventData) *kdb.WriteResult {
	tb.Helper()
	res, err := c.AppendToStream(context.Background(), stream, kdb.AppendToStreamOptions{ExpectedRevision: rev}, events...)
	if err != nil {
		tb.Fatalf("AppendToStream(%s): %v", stream, err)
	}
	return res
}

// readAll drains a read and returns its events, or the first error.
func readAll(rs *kdb.ReadStream, err error) ([]*kdb.RecordedEvent, error) {
	if err != nil {
		return nil, err
	}
	defer rs.Close()
	var out []*kdb.RecordedEvent
	for {
		ev, err := rs.Recv()
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return out, err
		}
		out = append(out, ev.OriginalEvent())
	}
}

func errorCode(err error) kdb.ErrorCode {
	var e *kdb.Error
	if errors.As(err, &e) {
		return e.Code()
	}
	return -1
}

func TestAppendReportsRevisionsPositionsAndWrongVersionsAsEventStoreDBDoes(t *testing.T) {
	_, c := plain(t)
	ctx := t.Context()
	first := MustAppend(t, c, "case-1", kdb.NoStream{}, jsonEvent("Opened", `{"a":1}`))
	if first.NextExpectedVersion != 0 || first.CommitPosition == 0 || first.CommitPosition != first.PreparePosition {
		t.Errorf("first append = %+v, want revision 0 and equal non-zero positions", first)
	}
	second := MustAppend(t, c, "case-1", kdb.Revision(0), jsonEvent("Noted", `{}`), jsonEvent("Noted", `{}`))
	if second.NextExpectedVersion != 2 || second.CommitPosition <= first.CommitPosition {
		t.Errorf("second append = %+v, want revision 2 and a later position than %d", second, first.CommitPosition)
	}
	tests := []struct {
		name string
		rev  kdb.ExpectedRevision
	}{
		{"a stale revision", kdb.Revision(0)},
		{"a revision ahead", kdb.Revision(7)},
		{"no stream on an existing stream", kdb.NoStream{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := c.AppendToStream(ctx, "case-1", kdb.AppendToStreamOptions{ExpectedRevision: tt.rev}, jsonEvent("Noted", `{}`))
			if got, want := errorCode(err), kdb.ErrorCodeWrongExpectedVersion; got != want {
				t.Errorf("append with %T%v = %v (code %d), want code %d", tt.rev, tt.rev, err, got, want)
			}
		})
	}
	t.Run("stream exists on a missing stream", func(t *testing.T) {
		_, err := c.AppendToStream(ctx, "case-2", kdb.AppendToStreamOptions{ExpectedRevision: kdb.StreamExists{}}, jsonEvent("Noted", `{}`))
		if got, want := errorCode(err), kdb.ErrorCodeWrongExpectedVersion; got != want {
			t.Errorf("append = %v (code %d), want code %d", err, got, want)
		}
	})
	t.Run("an empty append checks the expected version only", func(t *testing.T) {
		res, err := c.AppendToStream(ctx, "case-1", kdb.AppendToStreamOptions{ExpectedRevision: kdb.Revision(2)})
		if err != nil || res.NextExpectedVersion != 2 {
			t.Errorf("empty append at the current revision = %+v, %v; want revision 2", res, err)
		}
		_, err = c.AppendToStream(ctx, "case-1", kdb.AppendToStreamOptions{ExpectedRevision: kdb.Revision(1)})
		if got, want := errorCode(err), kdb.ErrorCodeWrongExpectedVersion; got != want {
			t.Errorf("empty append at a stale revision = %v (code %d), want code %d", err, got, want)
		}
	})
	t.Run("a re-sent append is idempotent", func(t *testing.T) {
		e := jsonEvent("Opened", `{}`)
		a := MustAppend(t, c, "case-3", kdb.NoStream{}, e)
		b := MustAppend(t, c, "case-3", kdb.NoStream{}, e)
		if *a != *b {
			t.Errorf("re-sent append = %+v, want the original %+v", b, a)
		}
	})
	t.Run("data that is not JSON is refused", func(t *testing.T) {
		bin := kdb.EventData{EventID: uuid.New(), EventType: "Blob", ContentType: kdb.ContentTypeBinary, Data: []byte{0, 1}}
		if _, err := c.AppendToStream(ctx, "case-4", kdb.AppendToStreamOptions{}, bin); err == nil {
			t.Error("append of binary data succeeded, want a refusal")
		}
	})
}

func TestReadsReturnEventsAsEventStoreDBDoes(t *testing.T) {
	ep, c := plain(t)
	ctx := t.Context()
	before := time.Now()
	meta := []byte(`{"actor":"officer-7"}`)
	opened := jsonEvent("Opened", `{"n":0}`)
	opened.Metadata = meta
	MustAppend(t, c, "case-r", kdb.NoStream{}, opened)
	MustAppend(t, c, "bundle-r", kdb.NoStream{}, jsonEvent("Opened", `{"n":1}`))
	MustAppend(t, c, "case-r", kdb.Revision(0), jsonEvent("Noted", `{"n":2}`), jsonEvent("Closed", `{"n":3}`))
	log, err := ep.Store.ReadAll(ctx, eventstore.ReadAllOptions{})
	if err != nil || len(log) != 4 {
		t.Fatalf("the store holds %d events, %v; want 4", len(log), err)
	}

	got, err := readAll(c.ReadStream(ctx, "case-r", kdb.ReadStreamOptions{}, 10))
	if err != nil || len(got) != 3 {
		t.Fatalf("ReadStream = %d events, %v; want 3", len(got), err)
	}
	e := got[0]
	if e.EventID != opened.EventID || e.EventType != "Opened" || e.ContentType != "application/json" || e.EventNumber != 0 || string(e.Data) != `{"n":0}` {
		t.Errorf("first event = %+v, want the appended one", e)
	}
	if e.Position.Commit != log[0].Position || e.Position.Prepare != log[0].Position {
		t.Errorf("first event at %+v, want commit and prepare %d", e.Position, log[0].Position)
	}
	if e.CreatedDate.Before(before.Add(-time.Second)) || e.CreatedDate.After(time.Now().Add(time.Second)) {
		t.Errorf("created %v, want about now", e.CreatedDate)
	}
	var custom struct {
		Metadata json.RawMessage `json:"metadata"`
	}
	if err := json.Unmarshal(e.UserMetadata, &custom); err != nil || string(custom.Metadata) != string(meta) {
		t.Errorf("custom metadata %s, want an envelope holding %s", e.UserMetadata, meta)
	}

	pos := func(i int) kdb.Position { return kdb.Position{Commit: log[i].Position, Prepare: log[i].Position} }
	tests := []struct {
		name string
		read func() (*kdb.ReadStream, error)
		want []int // indexes into log
	}{
		{"stream forwards with a count", func() (*kdb.ReadStream, error) {
			return c.ReadStream(ctx, "case-r", kdb.ReadStreamOptions{}, 2)
		}, []int{0, 2}},
		{"stream forwards from a revision is inclusive", func() (*kdb.ReadStream, error) {
			return c.ReadStream(ctx, "case-r", kdb.ReadStreamOptions{From: kdb.Revision(1)}, 10)
		}, []int{2, 3}},
		{"stream backwards from the end", func() (*kdb.ReadStream, error) {
			return c.ReadStream(ctx, "case-r", kdb.ReadStreamOptions{Direction: kdb.Backwards, From: kdb.End{}}, 10)
		}, []int{3, 2, 0}},
		{"stream backwards from a revision is inclusive", func() (*kdb.ReadStream, error) {
			return c.ReadStream(ctx, "case-r", kdb.ReadStreamOptions{Direction: kdb.Backwards, From: kdb.Revision(1)}, 10)
		}, []int{2, 0}},
		{"$all forwards from the start", func() (*kdb.ReadStream, error) {
			return c.ReadAll(ctx, kdb.ReadAllOptions{}, 10)
		}, []int{0, 1, 2, 3}},
		{"$all forwards from a position is inclusive", func() (*kdb.ReadStream, error) {
			return c.ReadAll(ctx, kdb.ReadAllOptions{From: pos(1)}, 2)
		}, []int{1, 2}},
		{"$all backwards from the end", func() (*kdb.ReadStream, error) {
			return c.ReadAll(ctx, kdb.ReadAllOptions{Direction: kdb.Backwards, From: kdb.End{}}, 3)
		}, []int{3, 2, 1}},
		{"$all backwards from a position starts before it", func() (*kdb.ReadStream, error) {
			return c.ReadAll(ctx, kdb.ReadAllOptions{Direction: kdb.Backwards, From: pos(2)}, 10)
		}, []int{1, 0}},
		{"$all forwards from the end is empty", func() (*kdb.ReadStream, error) {
			return c.ReadAll(ctx, kdb.ReadAllOptions{From: kdb.End{}}, 10)
		}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := readAll(tt.read())
			if err != nil {
				t.Fatalf("read: %v", err)
			}
			var ids, want []uuid.UUID
			for _, e := range got {
				ids = append(ids, e.EventID)
			}
			for _, i := range tt.want {
				want = append(want, log[i].ID)
			}
			if len(ids) != len(want) {
				t.Fatalf("read %d events, want %d", len(ids), len(want))
			}
			for i := range ids {
				if ids[i] != want[i] {
					t.Errorf("event %d is %s, want %s", i, ids[i], want[i])
				}
			}
		})
	}
}

func TestReadingAMissingStreamFailsAtTheFirstRecv(t *testing.T) {
	_, c := plain(t)
	for _, name := range []string{"case-missing", "$system-stream", "not a stream name"} {
		rs, err := c.ReadStream(t.Context(), name, kdb.ReadStreamOptions{}, 10)
		if err != nil {
			t.Fatalf("ReadStream(%q) = %v, want the error at Recv", name, err)
		}
		_, err = rs.Recv()
		rs.Close()
		if got, want := errorCode(err), kdb.ErrorCodeResourceNotFound; got != want {
			t.Errorf("Recv on %q = %v (code %d), want code %d", name, err, got, want)
		}
	}
}

func TestDeleteAndTombstoneAreRefusedAndChangeNothing(t *testing.T) {
	ep, c := plain(t)
	ctx := t.Context()
	MustAppend(t, c, "case-d", kdb.NoStream{}, jsonEvent("Opened", `{}`))
	if _, err := c.DeleteStream(ctx, "case-d", kdb.DeleteStreamOptions{}); err == nil {
		t.Error("DeleteStream succeeded, want a refusal")
	}
	if _, err := c.TombstoneStream(ctx, "case-d", kdb.TombstoneStreamOptions{}); err == nil {
		t.Error("TombstoneStream succeeded, want a refusal")
	}
	got, err := ep.Store.ReadStream(ctx, "case-d", eventstore.ReadStreamOptions{})
	if err != nil || len(got) != 1 {
		t.Errorf("stream after the refusals: %d events, %v; want 1", len(got), err)
	}
}

func TestServerFeaturesReportANumericVersion(t *testing.T) {
	_, c := plain(t)
	v, err := c.GetServerVersion()
	if err != nil {
		t.Fatalf("GetServerVersion: %v", err)
	}
	if got, want := *v, (kdb.ServerVersion{Major: 24, Minor: 10, Patch: 0}); got != want {
		t.Errorf("server version = %+v, want %+v", got, want)
	}
}

func TestDiscoveryThroughGossipFindsTheNode(t *testing.T) {
	ep := esdbtest.Start(t, esdbtest.Config{})
	c := MustClient(t, "esdb+discover://"+ep.Addr+"?tls=false")
	MustAppend(t, c, "case-g", kdb.NoStream{}, jsonEvent("Opened", `{}`))
	got, err := readAll(c.ReadStream(t.Context(), "case-g", kdb.ReadStreamOptions{}, 1))
	if err != nil || len(got) != 1 {
		t.Errorf("read after discovery: %d events, %v; want 1", len(got), err)
	}
}

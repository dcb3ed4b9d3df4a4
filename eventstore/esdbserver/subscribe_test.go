package esdbserver_test

import (
	"flag"
	"fmt"
	"os"
	"testing"
	"time"

	kdb "github.com/EventStore/EventStore-Client-Go/v4/esdb"
	"github.com/google/uuid"
)

var long = flag.Bool("long", false, "run tests that take minutes of wall time (always on when CI=true)")

// recvTimeout bounds each wait for a subscription message so that a lost
// message fails the test instead of hanging it; nothing correct comes close.
const recvTimeout = 20 * time.Second

type received struct {
	events      []*kdb.RecordedEvent
	checkpoints []kdb.Position
	caughtUp    int
}

// recv reads messages until it has n events, failing on a drop or timeout.
func recv(t *testing.T, sub *kdb.Subscription, n int, r *received) {
	t.Helper()
	for len(r.events) < n {
		ch := make(chan *kdb.SubscriptionEvent, 1)
		go func() { ch <- sub.Recv() }()
		var m *kdb.SubscriptionEvent
		select {
		case m = <-ch:
		case <-time.After(recvTimeout):
			t.Fatalf("no message within %v after %d of %d events", recvTimeout, len(r.events), n)
		}
		switch {
		case m.SubscriptionDropped != nil:
			t.Fatalf("subscription dropped after %d of %d events: %v", len(r.events), n, m.SubscriptionDropped.Error)
		case m.EventAppeared != nil:
			r.events = append(r.events, m.EventAppeared.OriginalEvent())
		case m.CheckPointReached != nil:
			r.checkpoints = append(r.checkpoints, *m.CheckPointReached)
		case m.CaughtUp != nil:
			r.caughtUp++
		}
	}
}

func types(events []*kdb.RecordedEvent) string {
	s := ""
	for _, e := range events {
		s += fmt.Sprintf("%s/%d:%s ", e.StreamID, e.EventNumber, e.EventType)
	}
	return s
}

func TestStreamSubscriptionsStartAfterTheGivenRevision(t *testing.T) {
	_, c := plain(t)
	MustAppend(t, c, "case-s", kdb.NoStream{}, jsonEvent("E0", `{}`), jsonEvent("E1", `{}`), jsonEvent("E2", `{}`))
	MustAppend(t, c, "case-other", kdb.NoStream{}, jsonEvent("X", `{}`))
	tests := []struct {
		name    string
		from    kdb.StreamPosition
		events  int
		history string
	}{
		{"from the start", kdb.Start{}, 4, "case-s/0:E0 case-s/1:E1 case-s/2:E2 "},
		{"from a revision", kdb.Revision(0), 3, "case-s/1:E1 case-s/2:E2 "},
		{"from the end", kdb.End{}, 1, ""},
	}
	subs := make([]*kdb.Subscription, len(tests))
	got := make([]received, len(tests))
	for i, tt := range tests {
		sub, err := c.SubscribeToStream(t.Context(), "case-s", kdb.SubscribeToStreamOptions{From: tt.from})
		if err != nil {
			t.Fatalf("%s: SubscribeToStream: %v", tt.name, err)
		}
		t.Cleanup(func() { sub.Close() })
		subs[i] = sub
	}
	MustAppend(t, c, "case-other", kdb.Revision(0), jsonEvent("X", `{}`))
	MustAppend(t, c, "case-s", kdb.Revision(2), jsonEvent("E3", `{}`))
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			want := tt.history + "case-s/3:E3 "
			recv(t, subs[i], tt.events, &got[i])
			if s := types(got[i].events); s != want {
				t.Errorf("events %q, want %q", s, want)
			}
		})
	}
}

func TestAllSubscriptionsFilterAndReportCheckpoints(t *testing.T) {
	_, c := plain(t)
	for i := range 40 {
		MustAppend(t, c, fmt.Sprintf("audit-%d", i), kdb.NoStream{}, jsonEvent("Logged", `{}`))
	}
	MustAppend(t, c, "case-f", kdb.NoStream{}, jsonEvent("Opened", `{}`))
	MustAppend(t, c, "bundle-f", kdb.NoStream{}, jsonEvent("Opened", `{}`))
	tests := []struct {
		name   string
		filter *kdb.SubscriptionFilter
		n      int
		want   string
	}{
		{"stream prefix", &kdb.SubscriptionFilter{Type: kdb.StreamFilterType, Prefixes: []string{"case-"}}, 2, "case-f/0:Opened case-f/1:Closed "},
		{"stream regex", &kdb.SubscriptionFilter{Type: kdb.StreamFilterType, Regex: "^bundle-"}, 1, "bundle-f/0:Opened "},
		{"event type prefix", &kdb.SubscriptionFilter{Type: kdb.EventFilterType, Prefixes: []string{"Clo"}}, 1, "case-f/1:Closed "},
		{"event type regex", &kdb.SubscriptionFilter{Type: kdb.EventFilterType, Regex: "^Open"}, 2, "case-f/0:Opened bundle-f/0:Opened "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sub, err := c.SubscribeToAll(t.Context(), kdb.SubscribeToAllOptions{From: kdb.Start{}, Filter: tt.filter, MaxSearchWindow: 10})
			if err != nil {
				t.Fatalf("SubscribeToAll: %v", err)
			}
			defer sub.Close()
			MustAppend(t, c, "case-f", kdb.StreamExists{}, jsonEvent("Closed", `{}`))
			var got received
			recv(t, sub, tt.n, &got)
			if s := types(got.events); s != tt.want {
				t.Errorf("events %q, want %q", s, tt.want)
			}
			// 40 audit events were examined, 10 at a time.
			if len(got.checkpoints) < 3 {
				t.Errorf("%d checkpoints, want one per 10 events examined", len(got.checkpoints))
			}
			for i := 1; i < len(got.checkpoints); i++ {
				if got.checkpoints[i].Commit <= got.checkpoints[i-1].Commit {
					t.Errorf("checkpoints %v do not increase", got.checkpoints)
				}
			}
		})
	}
}

func TestAllSubscriptionsStartAfterThePositionAndSayWhenCaughtUp(t *testing.T) {
	_, c := plain(t)
	first := MustAppend(t, c, "case-p", kdb.NoStream{}, jsonEvent("A", `{}`))
	MustAppend(t, c, "case-p", kdb.Revision(0), jsonEvent("B", `{}`))
	sub, err := c.SubscribeToAll(t.Context(), kdb.SubscribeToAllOptions{From: kdb.Position{Commit: first.CommitPosition, Prepare: first.PreparePosition}})
	if err != nil {
		t.Fatalf("SubscribeToAll: %v", err)
	}
	defer sub.Close()
	var got received
	recv(t, sub, 1, &got)
	MustAppend(t, c, "case-p", kdb.Revision(1), jsonEvent("C", `{}`))
	recv(t, sub, 2, &got)
	if s, want := types(got.events), "case-p/1:B case-p/2:C "; s != want {
		t.Errorf("events %q, want %q", s, want)
	}
	if got.caughtUp != 1 {
		t.Errorf("%d caught-up messages, want 1 between history and live events", got.caughtUp)
	}
}

func TestSubscriptionsFromTheEndDeliverOnlyNewEvents(t *testing.T) {
	_, c := plain(t)
	MustAppend(t, c, "case-e", kdb.NoStream{}, jsonEvent("Old", `{}`))
	sub, err := c.SubscribeToAll(t.Context(), kdb.SubscribeToAllOptions{})
	if err != nil {
		t.Fatalf("SubscribeToAll: %v", err)
	}
	defer sub.Close()
	MustAppend(t, c, "case-e", kdb.Revision(0), jsonEvent("New", `{}`))
	var got received
	recv(t, sub, 1, &got)
	if s, want := types(got.events), "case-e/1:New "; s != want {
		t.Errorf("events %q, want %q", s, want)
	}
}

// The official client pings every 10 s with nothing in flight; a server
// enforcing gRPC's default keepalive policy answers the third ping with
// GOAWAY, dropping idle subscriptions after about 30 s.
func TestAnIdleSubscriptionSurvivesOverAMinute(t *testing.T) {
	if !*long && os.Getenv("CI") != "true" {
		t.Skip("takes 65 s of wall time; runs with CI=true or -long")
	}
	_, c := plain(t)
	sub, err := c.SubscribeToStream(t.Context(), "case-idle", kdb.SubscribeToStreamOptions{From: kdb.Start{}})
	if err != nil {
		t.Fatalf("SubscribeToStream: %v", err)
	}
	defer sub.Close()
	time.Sleep(65 * time.Second)
	id := uuid.New()
	e := jsonEvent("Woke", `{}`)
	e.EventID = id
	MustAppend(t, c, "case-idle", kdb.NoStream{}, e)
	var got received
	recv(t, sub, 1, &got)
	if got.events[0].EventID != id {
		t.Errorf("got event %s, want %s", got.events[0].EventID, id)
	}
}

package storetest_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/caseledger/caseledger/eventstore"
	"github.com/caseledger/caseledger/eventstore/storetest"
)

// faultEnv selects the fault TestFaultyStore injects; it is set only for the
// child processes TestSuiteCatchesFaults starts.
const faultEnv = "STORETEST_FAULT"

// TestSuiteCatchesFaults runs the suite, in a child process, against stores
// that each break one rule, and checks that the subtest pinning that rule
// fails: a suite that passes everything would pass here too, and fail this.
func TestSuiteCatchesFaults(t *testing.T) {
	tests := []struct {
		fault string
		want  string // the subtest that must fail; the child runs only it
	}{
		{"lose every 7th subscription event", "subscribe/from_the_start_it_delivers_history,_then_CaughtUp_at_the_head,_then_live_events"},
		{"deliver a subscription event twice", "subscribe/a_slow_consumer_sees_every_event_once_in_order_and_does_not_block_appenders"},
		{"send CaughtUp twice", "subscribe/from_the_start_it_delivers_history,_then_CaughtUp_at_the_head,_then_live_events"},
		{"re-encode data on reads", "record/data_and_metadata_are_stored_byte-exact"},
		{"record times in a local zone", "record/fields_are_recorded_as_appended_with_a_UTC_time"},
		{"report a wrong actual version", "append/expected_version/exact_version_behind_reports_expected_and_actual"},
		{"ignore read limits", "read_all/forwards_with_a_limit"},
	}
	for _, tt := range tests {
		t.Run(tt.fault, func(t *testing.T) {
			run := "^TestFaultyStore$"
			for _, part := range strings.Split(tt.want, "/") {
				run += "/^" + regexp.QuoteMeta(part) + "$"
			}
			cmd := exec.CommandContext(t.Context(), os.Args[0], "-test.run="+run, "-test.count=1", "-test.v")
			cmd.Env = append(os.Environ(), faultEnv+"="+tt.fault)
			out, err := cmd.CombinedOutput()
			if err == nil {
				t.Fatalf("the suite passed a store that does %q", tt.fault)
			}
			if !bytes.Contains(out, []byte("--- FAIL: TestFaultyStore/"+tt.want+" ")) {
				t.Errorf("subtest %s did not fail on a store that does %q; output:\n%s", tt.want, tt.fault, tail(out, 3000))
			}
		})
	}
}

func tail(b []byte, n int) []byte {
	if len(b) > n {
		return b[len(b)-n:]
	}
	return b
}

// TestFaultyStore is the child TestSuiteCatchesFaults starts.
func TestFaultyStore(t *testing.T) {
	fault := os.Getenv(faultEnv)
	if fault == "" {
		t.Skip("runs only as a child process of TestSuiteCatchesFaults")
	}
	storetest.Run(t, func(t *testing.T) eventstore.Store { return &faultyStore{memStore: newMemStore(), fault: fault} })
}

// faultyStore wraps the plain memStore and breaks one rule on the way out.
type faultyStore struct {
	*memStore
	fault string
}

func (s *faultyStore) Append(ctx context.Context, stream string, expected eventstore.ExpectedVersion, events ...eventstore.EventData) (eventstore.AppendResult, error) {
	res, err := s.memStore.Append(ctx, stream, expected, events...)
	var wv *eventstore.WrongVersionError
	if s.fault == "report a wrong actual version" && errors.As(err, &wv) {
		wv.Actual++
	}
	return res, err
}

func (s *faultyStore) ReadStream(ctx context.Context, stream string, opts eventstore.ReadStreamOptions) ([]eventstore.RecordedEvent, error) {
	events, err := s.memStore.ReadStream(ctx, stream, opts)
	return s.mangle(events), err
}

func (s *faultyStore) ReadAll(ctx context.Context, opts eventstore.ReadAllOptions) ([]eventstore.RecordedEvent, error) {
	if s.fault == "ignore read limits" {
		opts.Limit = 0
	}
	events, err := s.memStore.ReadAll(ctx, opts)
	return s.mangle(events), err
}

func (s *faultyStore) mangle(events []eventstore.RecordedEvent) []eventstore.RecordedEvent {
	for i := range events {
		e := &events[i]
		switch s.fault {
		case "re-encode data on reads":
			var b bytes.Buffer
			if json.Compact(&b, e.Data) == nil {
				e.Data = b.Bytes()
			}
		case "record times in a local zone":
			e.RecordedAt = e.RecordedAt.In(time.FixedZone("CST", 8*60*60))
		}
	}
	return events
}

func (s *faultyStore) Subscribe(ctx context.Context, opts eventstore.SubscribeOptions) (eventstore.Subscription, error) {
	sub, err := s.memStore.Subscribe(ctx, opts)
	return &faultySub{Subscription: sub, fault: s.fault}, err
}

type faultySub struct {
	eventstore.Subscription
	fault   string
	n       int
	pending []eventstore.Message
}

func (f *faultySub) Next() (eventstore.Message, error) {
	if len(f.pending) > 0 {
		m := f.pending[0]
		f.pending = f.pending[1:]
		return m, nil
	}
	m, err := f.Subscription.Next()
	if err != nil {
		return m, err
	}
	if m.Kind == eventstore.MessageEvent {
		f.n++
	}
	switch {
	case f.fault == "lose every 7th subscription event" && m.Kind == eventstore.MessageEvent && f.n%7 == 0:
		return f.Subscription.Next()
	case f.fault == "deliver a subscription event twice" && m.Kind == eventstore.MessageEvent && f.n == 100:
		f.pending = append(f.pending, m)
	case f.fault == "send CaughtUp twice" && m.Kind == eventstore.MessageCaughtUp:
		f.pending = append(f.pending, m)
	}
	return m, nil
}

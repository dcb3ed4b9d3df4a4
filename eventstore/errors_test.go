package eventstore_test

import (
	"errors"
	"testing"

	"github.com/caseledger/caseledger/eventstore"
)

func TestCheckExpected(t *testing.T) {
	tests := []struct {
		name     string
		expected eventstore.ExpectedVersion
		version  uint64
		exists   bool
		ok       bool
	}{
		{"any on a missing stream", eventstore.Any, 0, false, true},
		{"any on an existing stream", eventstore.Any, 4, true, true},
		{"no stream on a missing stream", eventstore.NoStream, 0, false, true},
		{"no stream on an existing stream", eventstore.NoStream, 0, true, false},
		{"stream exists on an existing stream", eventstore.StreamExists, 0, true, true},
		{"stream exists on a missing stream", eventstore.StreamExists, 0, false, false},
		{"exact matching", eventstore.Exact(4), 4, true, true},
		{"exact 0 matching a one-event stream", eventstore.Exact(0), 0, true, true},
		{"exact behind", eventstore.Exact(3), 4, true, false},
		{"exact ahead", eventstore.Exact(5), 4, true, false},
		// A missing stream has no version 0, though its version field is 0.
		{"exact 0 on a missing stream", eventstore.Exact(0), 0, false, false},
		{"unknown negative value", eventstore.ExpectedVersion(-9), 0, true, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := eventstore.CheckExpected("case-1", tt.expected, tt.version, tt.exists)
			if got := err == nil; got != tt.ok {
				t.Fatalf("CheckExpected = %v, want ok %v", err, tt.ok)
			}
			if err == nil {
				return
			}
			if !errors.Is(err, eventstore.ErrWrongVersion) {
				t.Errorf("errors.Is(%v, ErrWrongVersion) = false, want true", err)
			}
			var wv *eventstore.WrongVersionError
			if !errors.As(err, &wv) {
				t.Fatalf("errors.As(%v, *WrongVersionError) = false, want true", err)
			}
			got := *wv
			want := eventstore.WrongVersionError{Stream: "case-1", Expected: tt.expected, Actual: tt.version, Exists: tt.exists}
			if got != want {
				t.Errorf("WrongVersionError = %+v, want %+v", got, want)
			}
		})
	}
}

func TestWrongVersionErrorMessage(t *testing.T) {
	tests := []struct {
		err  eventstore.WrongVersionError
		want string
	}{
		{eventstore.WrongVersionError{Stream: "case-1", Expected: eventstore.Exact(3), Actual: 5, Exists: true},
			`eventstore: wrong expected version for "case-1": expected 3, actual 5`},
		{eventstore.WrongVersionError{Stream: "case-1", Expected: eventstore.StreamExists},
			`eventstore: wrong expected version for "case-1": expected stream exists, actual no stream`},
		{eventstore.WrongVersionError{Stream: "case-1", Expected: eventstore.NoStream, Actual: 0, Exists: true},
			`eventstore: wrong expected version for "case-1": expected no stream, actual 0`},
	}
	for _, tt := range tests {
		if got := tt.err.Error(); got != tt.want {
			t.Errorf("Error() = %q, want %q", got, tt.want)
		}
	}
}

func TestExpectedVersionString(t *testing.T) {
	tests := []struct {
		v    eventstore.ExpectedVersion
		want string
	}{
		{eventstore.Any, "any"},
		{eventstore.NoStream, "no stream"},
		{eventstore.StreamExists, "stream exists"},
		{eventstore.Exact(0), "0"},
		{eventstore.Exact(18446744073709), "18446744073709"},
		{eventstore.ExpectedVersion(-7), "invalid(-7)"},
	}
	for _, tt := range tests {
		if got := tt.v.String(); got != tt.want {
			t.Errorf("ExpectedVersion(%d).String() = %q, want %q", int64(tt.v), got, tt.want)
		}
	}
}

package eventstore

import (
	"errors"
	"fmt"
)

var (
	// ErrWrongVersion: the stream's version is not the expected one. The
	// concrete error is a *WrongVersionError.
	ErrWrongVersion = errors.New("eventstore: wrong expected version")
	// ErrStreamNotFound: the stream has no events.
	ErrStreamNotFound = errors.New("eventstore: stream not found")
	// ErrDuplicateEventID: an event ID was recorded before with other content,
	// or an append mixes recorded and new IDs.
	ErrDuplicateEventID = errors.New("eventstore: event ID reused for different content")
	// ErrInvalidEvent: an event or stream name breaks rule 1 or 8.
	ErrInvalidEvent = errors.New("eventstore: invalid event")
	// ErrClosed: the store or subscription is closed.
	ErrClosed = errors.New("eventstore: closed")
	// ErrNotSupported: the backend refuses the operation (for example a
	// delete against an append-only ledger).
	ErrNotSupported = errors.New("eventstore: not supported")
)

// WrongVersionError carries the versions of a failed optimistic check.
type WrongVersionError struct {
	Stream   string
	Expected ExpectedVersion
	// Actual is the stream's version; meaningless when Exists is false.
	Actual uint64
	Exists bool
}

func (e *WrongVersionError) Error() string {
	actual := "no stream"
	if e.Exists {
		actual = itoa(e.Actual)
	}
	return fmt.Sprintf("eventstore: wrong expected version for %q: expected %s, actual %s", e.Stream, e.Expected, actual)
}

// Is makes errors.Is(err, ErrWrongVersion) hold.
func (e *WrongVersionError) Is(target error) bool { return target == ErrWrongVersion }

// CheckExpected returns a *WrongVersionError if a stream whose state is
// (version, exists) does not satisfy expected, nil otherwise. Backends share
// it so that rule 4 reads the same everywhere.
func CheckExpected(stream string, expected ExpectedVersion, version uint64, exists bool) error {
	ok := false
	switch {
	case expected == Any:
		ok = true
	case expected == NoStream:
		ok = !exists
	case expected == StreamExists:
		ok = exists
	case expected >= 0:
		ok = exists && uint64(expected) == version
	}
	if ok {
		return nil
	}
	return &WrongVersionError{Stream: stream, Expected: expected, Actual: version, Exists: exists}
}

// InvalidError wraps ErrInvalidEvent with what is wrong.
func invalidf(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrInvalidEvent, fmt.Sprintf(format, args...))
}

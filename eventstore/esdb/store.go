package esdb

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	kdb "github.com/EventStore/EventStore-Client-Go/v4/esdb"
	"github.com/caseledger/caseledger/domain"
	"github.com/caseledger/caseledger/eventstore"
)

// DefaultTailWindow is how many of a stream's last events an append looks
// through for a retry of itself (rule 5 of the package comment).
const DefaultTailWindow = 64

// Options configure a Store.
type Options struct {
	// Logger receives the client's log lines at debug level and the
	// store's resubscriptions at warn level; nil discards them.
	Logger *slog.Logger
	// Clock gives recorded-at times; nil means time.Now.
	Clock func() time.Time
	// TailWindow overrides DefaultTailWindow.
	TailWindow int
}

// Store is an eventstore.Store on an EventStoreDB-compatible server.
type Store struct {
	cfg  kdb.Configuration
	opts Options
	log  *slog.Logger

	mu     sync.Mutex
	client *kdb.Client
	subs   map[*subscription]struct{}
	closed bool
}

var _ eventstore.Store = (*Store)(nil)

// Open connects to the server named by an EventStoreDB connection string
// (esdb://host:port?tls=false, esdb+discover://..., see the client's
// documentation). It fails when the server cannot be reached, so that a
// misconfigured deployment stops at start.
func Open(ctx context.Context, connection string, opts Options) (*Store, error) {
	cfg, err := kdb.ParseConnectionString(connection)
	if err != nil {
		return nil, &domain.Error{Code: domain.CodeInvalid, Message: "invalid EventStoreDB connection string", Err: err}
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.Clock == nil {
		opts.Clock = time.Now
	}
	if opts.TailWindow <= 0 {
		opts.TailWindow = DefaultTailWindow
	}
	log := opts.Logger
	cfg.Logger = func(level kdb.LogLevel, format string, args ...any) {
		log.Debug("esdb client: "+fmt.Sprintf(format, args...), "level", level)
	}
	s := &Store{cfg: *cfg, opts: opts, log: log, subs: make(map[*subscription]struct{})}
	if _, err := s.Head(ctx); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

// conn returns the current client, making one when there is none.
func (s *Store) conn() (*kdb.Client, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil, eventstore.ErrClosed
	}
	if s.client == nil {
		cfg := s.cfg
		c, err := kdb.NewClient(&cfg)
		if err != nil {
			return nil, fmt.Errorf("esdb: new client: %w", err)
		}
		s.client = c
	}
	return s.client, nil
}

// drop discards c after it closed itself, so that the next call makes a new
// client (rule 9).
func (s *Store) drop(c *kdb.Client) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.client == c {
		s.client = nil
		c.Close()
	}
}

// call runs op with a client; when the client had closed itself it runs op
// once more on a new one. op must be safe to repeat.
func (s *Store) call(ctx context.Context, op func(c *kdb.Client) error) error {
	for attempt := 0; ; attempt++ {
		c, err := s.conn()
		if err != nil {
			return err
		}
		err = op(c)
		if code(err) == kdb.ErrorCodeConnectionClosed {
			s.drop(c)
			if attempt == 0 && ctx.Err() == nil {
				continue
			}
		}
		return s.classify(ctx, err)
	}
}

// code returns the client's error code of err, or -1.
func code(err error) kdb.ErrorCode {
	var e *kdb.Error
	if errors.As(err, &e) {
		return e.Code()
	}
	return -1
}

// classify maps client errors onto the contract's.
func (s *Store) classify(ctx context.Context, err error) error {
	if err == nil {
		return nil
	}
	if ctx.Err() != nil {
		return ctx.Err()
	}
	s.mu.Lock()
	closed := s.closed
	s.mu.Unlock()
	if closed {
		return eventstore.ErrClosed
	}
	switch code(err) {
	case kdb.ErrorCodeResourceNotFound:
		return eventstore.ErrStreamNotFound
	case kdb.ErrorCodeResourceAlreadyExists:
		return fmt.Errorf("%w: %v", eventstore.ErrDuplicateEventID, err)
	case kdb.ErrorCodeConnectionClosed, kdb.ErrorUnavailable, kdb.ErrorCodeDeadlineExceeded, kdb.ErrorCodeNotLeader:
		return &domain.Error{Code: domain.CodeUnavailable, Message: "the event store is unavailable", Err: err}
	}
	return fmt.Errorf("esdb: %w", err)
}

// Close ends every subscription and closes the client.
func (s *Store) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	subs := s.subs
	s.subs = nil
	c := s.client
	s.client = nil
	s.mu.Unlock()
	for sub := range subs {
		sub.Close()
	}
	if c != nil {
		c.Close()
	}
	return nil
}

// Head returns the position of the last caseledger event.
func (s *Store) Head(ctx context.Context) (uint64, error) {
	var head uint64
	err := s.call(ctx, func(c *kdb.Client) error {
		rs, err := c.ReadAll(ctx, kdb.ReadAllOptions{Direction: kdb.Backwards, From: kdb.End{}}, ^uint64(0))
		if err != nil {
			return err
		}
		defer rs.Close()
		for {
			ev, err := rs.Recv()
			if err != nil {
				return eofIsNil(err)
			}
			if e := ev.OriginalEvent(); e != nil && !system(e) {
				head = e.Position.Prepare
				return nil
			}
		}
	})
	return head, err
}

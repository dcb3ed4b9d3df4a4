package http

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/caseledger/caseledger/domain"
	"github.com/caseledger/caseledger/eventstore"
)

// liveHeartbeat keeps idle connections (and proxies in between) open.
const liveHeartbeat = 15 * time.Second

// progressJSON is one Server-Sent Event of a case's live progress: what
// happened and where the case stands after it.
type progressJSON struct {
	Version    uint64 `json:"version"`
	Position   uint64 `json:"position"`
	Type       string `json:"type"`
	OccurredAt string `json:"occurred_at"`
	Status     string `json:"status"`
}

// live serves GET /v1/cases/{id}/live: the case's events as Server-Sent
// Events, first those after Last-Event-ID (a version; all when absent),
// then each new one as it is recorded. The event ID is the case version, so
// a browser's EventSource resumes where it stopped.
func (s *Server) live(c echo.Context) error {
	caseID, err := caseParam(c)
	if err != nil {
		return err
	}
	after, resume, err := lastEventID(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	stream := caseStream(caseID)
	recorded, err := s.store.ReadStream(ctx, stream, eventstore.ReadStreamOptions{})
	if err != nil {
		return err
	}
	if err := s.checkSubmission(principal(c), recorded[:1]); err != nil {
		return err
	}
	evs := make([]domain.Event, len(recorded))
	for i := range recorded {
		if evs[i], err = domain.DecodeRecorded(recorded[i]); err != nil {
			return err
		}
	}
	// Subscribe before writing anything, from the last event read, so that
	// nothing recorded in between is missed.
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	sub, err := s.store.Subscribe(ctx, eventstore.SubscribeOptions{
		After: recorded[len(recorded)-1].Position, Filter: eventstore.Filter{Categories: []string{"case"}},
	})
	if err != nil {
		return err
	}
	defer sub.Close()
	w := c.Response()
	w.Header().Set(echo.HeaderContentType, "text/event-stream")
	w.Header().Set(echo.HeaderCacheControl, "no-store")
	w.Header().Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)

	// replay is this handler's own, so it folds in place (Apply): one
	// Evolve per event would copy the bookkeeping maps each time.
	var replay domain.State
	for i, ev := range evs {
		replay.Apply(ev)
		if !resume || recorded[i].Version > after {
			if err := writeProgress(w, &recorded[i], ev, &replay); err != nil {
				return nil // the client went away
			}
		}
	}
	w.Flush()
	return s.follow(ctx, w, sub, stream, replay)
}

// follow relays the stream's new events until the client leaves or the
// server stops.
func (s *Server) follow(ctx context.Context, w *echo.Response, sub eventstore.Subscription, stream string, st domain.State) error {
	msgs := make(chan eventstore.Message)
	go func() {
		defer close(msgs)
		for {
			m, err := sub.Next()
			if err != nil {
				return
			}
			select {
			case msgs <- m:
			case <-ctx.Done():
				return
			}
		}
	}()
	beat := time.NewTicker(liveHeartbeat)
	defer beat.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-s.closing:
			return nil
		case <-beat.C:
			if _, err := fmt.Fprint(w, ": heartbeat\n\n"); err != nil {
				return nil
			}
			w.Flush()
		case m, ok := <-msgs:
			if !ok {
				return nil // the store closed
			}
			if m.Kind != eventstore.MessageEvent || m.Event.Stream != stream {
				continue
			}
			ev, err := domain.DecodeRecorded(m.Event)
			if err != nil {
				return err
			}
			st.Apply(ev) // follow owns st: see live
			if err := writeProgress(w, &m.Event, ev, &st); err != nil {
				return nil
			}
			w.Flush()
		}
	}
}

func writeProgress(w *echo.Response, e *eventstore.RecordedEvent, ev domain.Event, st *domain.State) error {
	p := progressJSON{Version: e.Version, Position: e.Position, Type: e.Type,
		OccurredAt: ev.Meta().OccurredAt.Format(time.RFC3339), Status: string(st.Status)}
	if _, err := fmt.Fprintf(w, "id: %d\nevent: progress\ndata: ", e.Version); err != nil {
		return err
	}
	if err := jsonEncode(w, p); err != nil { // ends the data line
		return err
	}
	_, err := fmt.Fprint(w, "\n")
	return err
}

// lastEventID reads the version a reconnecting client saw last.
func lastEventID(c echo.Context) (version uint64, set bool, err error) {
	h := c.Request().Header.Get("Last-Event-ID")
	if h == "" {
		return 0, false, nil
	}
	v, err := strconv.ParseUint(h, 10, 64)
	if err != nil {
		return 0, false, invalidField("Last-Event-ID", "must be a case version")
	}
	return v, true, nil
}

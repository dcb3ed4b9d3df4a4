package http

import (
	"errors"
	"net/http"
	"os"
	"path/filepath"

	"github.com/labstack/echo/v4"

	"github.com/caseledger/caseledger/domain"
	"github.com/caseledger/caseledger/eventstore"
)

// Admin routes let the command line reach a store that a running server
// holds: the embedded store allows one process at a time.

type backupRequest struct {
	Dir string `json:"dir"`
}

type backupResponse struct {
	Dir string `json:"dir"`
	// Head is the log's head when the backup began: the copy holds at
	// least every event up to it.
	Head uint64 `json:"head"`
}

// backup copies the running store into a new directory on the server's
// machine. The directory must be absolute and must not exist yet, so a
// backup never overwrites anything.
func (s *Server) backup(c echo.Context) error {
	var req backupRequest
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	if req.Dir == "" || !filepath.IsAbs(req.Dir) {
		return invalidField("dir", "must be an absolute path on the server")
	}
	if _, err := os.Stat(req.Dir); err == nil {
		return invalidField("dir", "already exists; a backup goes into a new directory")
	}
	b, ok := s.cfg.Store.(eventstore.Backuper)
	if !ok {
		return domain.Errorf(domain.CodeUnavailable, "this store backend cannot back itself up online")
	}
	ctx := c.Request().Context()
	head, err := s.store.Head(ctx)
	if err != nil {
		return err
	}
	if err := b.Backup(ctx, req.Dir); err != nil {
		return err
	}
	return writeJSON(c, http.StatusOK, backupResponse{Dir: req.Dir, Head: head})
}

type verifyResponse struct {
	OK           bool         `json:"ok"`
	Events       uint64       `json:"events"`
	Streams      int          `json:"streams"`
	LastPosition uint64       `json:"last_position"`
	Broken       *brokenEvent `json:"broken,omitempty"`
}

type brokenEvent struct {
	Position uint64 `json:"position"`
	Stream   string `json:"stream"`
	Version  uint64 `json:"version"`
	ID       string `json:"id"`
	Problem  string `json:"problem"`
	Detail   string `json:"detail"`
}

// verifyLog walks the whole log and reports the first broken event. A broken
// chain is a finding, not a failure of the request: it answers 200 with ok
// false.
func (s *Server) verifyLog(c echo.Context) error {
	report, err := eventstore.Verify(c.Request().Context(), s.store, eventstore.VerifyOptions{GaplessPositions: s.cfg.GaplessPositions})
	out := verifyResponse{OK: err == nil, Events: report.Events, Streams: report.Streams, LastPosition: report.LastPosition}
	var ce *eventstore.ChainError
	switch {
	case errors.As(err, &ce):
		out.Broken = &brokenEvent{Position: ce.Position, Stream: ce.Stream, Version: ce.Version, ID: ce.ID.String(),
			Problem: ce.Problem.String(), Detail: ce.Detail}
	case err != nil:
		return err
	}
	return writeJSON(c, http.StatusOK, out)
}

// exportLog streams the log as NDJSON (one event per line, the format of
// EncodeEvent), filtered by stream category and event type.
func (s *Server) exportLog(c echo.Context) error {
	filter := eventstore.Filter{Categories: c.QueryParams()["category"], Types: c.QueryParams()["type"]}
	c.Response().Header().Set(echo.HeaderContentType, "application/x-ndjson")
	c.Response().WriteHeader(http.StatusOK)
	return ExportLog(c.Request().Context(), s.store, filter, c.Response())
}

package http

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/caseledger/caseledger/domain"
)

type healthResponse struct {
	Status string `json:"status"`
	Head   uint64 `json:"head,omitempty"`
}

// healthz answers 200 while the process serves and its store answers.
func (s *Server) healthz(c echo.Context) error {
	head, err := s.store.Head(c.Request().Context())
	if err != nil {
		return &domain.Error{Code: domain.CodeUnavailable, Message: "the event store does not answer", Err: err}
	}
	return writeJSON(c, http.StatusOK, healthResponse{Status: "ok", Head: head})
}

// readyz answers 200 once the read models have caught up with the log, so
// a load balancer sends queries only to an instance that answers them
// fully.
func (s *Server) readyz(c echo.Context) error {
	if s.cfg.Ready != nil {
		if err := s.cfg.Ready(c.Request().Context()); err != nil {
			return &domain.Error{Code: domain.CodeUnavailable, Message: "the read models are catching up", Err: err}
		}
	}
	return writeJSON(c, http.StatusOK, healthResponse{Status: "ready"})
}

type meResponse struct {
	Subject string `json:"subject"`
	Role    Role   `json:"role"`
	Unit    string `json:"unit,omitempty"`
	Region  string `json:"region,omitempty"`
	Version string `json:"server_version,omitempty"`
}

// me echoes the verified principal: a client checks its token with it.
func (s *Server) me(c echo.Context) error {
	p := principal(c)
	return writeJSON(c, http.StatusOK, meResponse{Subject: p.Subject, Role: p.Role, Unit: p.Unit, Region: p.Region, Version: s.cfg.Version})
}

package http

import (
	"context"
	"errors"
	"log/slog"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/caseledger/caseledger/domain"
	"github.com/caseledger/caseledger/eventstore"
	"github.com/caseledger/caseledger/eventstore/decider"
)

// statusOf is the one table from error codes to HTTP statuses.
var statusOf = map[domain.Code]int{
	domain.CodeInvalid:      http.StatusBadRequest,
	domain.CodeUnauthorized: http.StatusUnauthorized,
	domain.CodeForbidden:    http.StatusForbidden,
	domain.CodeNotFound:     http.StatusNotFound,
	domain.CodeConflict:     http.StatusConflict,
	domain.CodeStale:        http.StatusPreconditionFailed,
	domain.CodeUnavailable:  http.StatusServiceUnavailable,
	domain.CodeInternal:     http.StatusInternalServerError,
}

// problemTypePrefix roots the stable problem type URIs: one per code.
const problemTypePrefix = "urn:caseledger:problem:"

// problem is an RFC 9457 problem details object with caseledger's
// extension members (code, rule, fields, current_version).
type problem struct {
	Type           string              `json:"type"`
	Title          string              `json:"title"`
	Status         int                 `json:"status"`
	Detail         string              `json:"detail"`
	Code           domain.Code         `json:"code"`
	Rule           string              `json:"rule,omitempty"`
	Fields         []domain.FieldError `json:"fields,omitempty"`
	Instance       string              `json:"instance,omitempty"`
	RequestID      string              `json:"request_id,omitempty"`
	CurrentVersion *uint64             `json:"current_version,omitempty"`
}

// staleError is the 412 of an If-Match that names an old version; it keeps
// the current version so the client can re-read and retry.
type staleError struct {
	current uint64
}

func (e *staleError) Error() string { return "stale: the case has changed" }

// classify turns any error into the *domain.Error users may see. Errors that
// are not ours to explain become CodeInternal, whose message is fixed.
func classify(err error) *domain.Error {
	var de *domain.Error
	var he *echo.HTTPError
	var stale *staleError
	switch {
	case errors.As(err, &de):
		if de.Code == domain.CodeInternal || statusOf[de.Code] == 0 {
			return &domain.Error{Code: domain.CodeInternal, Message: "internal error"}
		}
		return de
	case errors.As(err, &stale):
		return &domain.Error{Code: domain.CodeStale, Message: "the case has changed since the version in If-Match; read it again"}
	case errors.Is(err, decider.ErrTooManyConflicts):
		return &domain.Error{Code: domain.CodeConflict, Message: "the case is being changed by others at this moment; retry"}
	case errors.Is(err, eventstore.ErrWrongVersion):
		return &domain.Error{Code: domain.CodeConflict, Message: "the case changed while the command was decided; retry"}
	case errors.Is(err, eventstore.ErrDuplicateEventID):
		return &domain.Error{Code: domain.CodeConflict, Message: "this Idempotency-Key was used for a different request"}
	case errors.Is(err, eventstore.ErrStreamNotFound):
		return &domain.Error{Code: domain.CodeNotFound, Message: "no such case"}
	case errors.Is(err, eventstore.ErrClosed):
		return &domain.Error{Code: domain.CodeUnavailable, Message: "the service is shutting down"}
	case errors.Is(err, context.DeadlineExceeded):
		return &domain.Error{Code: domain.CodeUnavailable, Message: "the request took too long"}
	case errors.Is(err, context.Canceled):
		// The client went away; nobody reads the answer, and it is not a
		// fault to log.
		return &domain.Error{Code: domain.CodeUnavailable, Message: "the request was cancelled"}
	case errors.As(err, &he):
		return classifyEcho(he)
	}
	return &domain.Error{Code: domain.CodeInternal, Message: "internal error"}
}

// classifyEcho covers the errors echo raises itself: routing, body limit.
func classifyEcho(he *echo.HTTPError) *domain.Error {
	switch he.Code {
	case http.StatusNotFound:
		return &domain.Error{Code: domain.CodeNotFound, Message: "no such route"}
	case http.StatusMethodNotAllowed:
		// statusFor keeps 405.
		return &domain.Error{Code: domain.CodeInvalid, Message: "method not allowed on this route"}
	case http.StatusRequestEntityTooLarge:
		return &domain.Error{Code: domain.CodeInvalid, Message: "request body is too large"}
	case http.StatusUnauthorized:
		return &domain.Error{Code: domain.CodeUnauthorized, Message: "missing or invalid bearer token"}
	case http.StatusServiceUnavailable:
		return &domain.Error{Code: domain.CodeUnavailable, Message: "the request took too long"}
	case http.StatusBadRequest:
		return &domain.Error{Code: domain.CodeInvalid, Message: "malformed request"}
	}
	return &domain.Error{Code: domain.CodeInternal, Message: "internal error"}
}

// statusFor is the status of err, classified as de: the table's, except
// that a method not allowed stays 405, a routing fact rather than an outcome.
func statusFor(err error, de *domain.Error) int {
	var he *echo.HTTPError
	if errors.As(err, &he) && he.Code == http.StatusMethodNotAllowed {
		return he.Code
	}
	return statusOf[de.Code]
}

// errorHandler is echo's HTTPErrorHandler: every error becomes problem+json.
// Only internal errors are logged, with the cause; users see "internal
// error".
func errorHandler(log *slog.Logger) echo.HTTPErrorHandler {
	return func(err error, c echo.Context) {
		if c.Response().Committed {
			return
		}
		de := classify(err)
		status := statusFor(err, de)
		p := problem{
			Type:      problemTypePrefix + string(de.Code),
			Title:     http.StatusText(status),
			Status:    status,
			Detail:    de.Message,
			Code:      de.Code,
			Rule:      de.Rule,
			Fields:    de.Fields,
			Instance:  c.Request().URL.Path,
			RequestID: c.Response().Header().Get(echo.HeaderXRequestID),
		}
		var stale *staleError
		if errors.As(err, &stale) {
			p.CurrentVersion = &stale.current
		}
		if de.Code == domain.CodeInternal {
			log.LogAttrs(c.Request().Context(), slog.LevelError, "internal error",
				slog.String("request_id", p.RequestID),
				slog.String("route", c.Path()),
				slog.String("error", err.Error()))
		}
		c.Response().Header().Set(echo.HeaderContentType, "application/problem+json")
		c.Response().WriteHeader(status)
		if c.Request().Method == http.MethodHead {
			return
		}
		if err := jsonEncode(c.Response(), p); err != nil {
			log.LogAttrs(c.Request().Context(), slog.LevelWarn, "writing problem", slog.String("error", err.Error()))
		}
	}
}

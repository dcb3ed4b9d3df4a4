package http

import (
	"context"
	"log/slog"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
)

// routes is the route table: every route of the API, grouped by version and
// by the roles that may use it. openapi_test.go checks that each one is in
// the OpenAPI document.
func (s *Server) routes() {
	e := s.echo
	e.Use(
		middleware.RequestID(),
		s.logRequests(),
		middleware.RecoverWithConfig(middleware.RecoverConfig{
			// The panic becomes an internal error, logged by the error
			// handler with the request ID; the stack goes to the log too.
			LogErrorFunc: func(c echo.Context, err error, stack []byte) error {
				s.log.LogAttrs(c.Request().Context(), slog.LevelError, "panic",
					slog.String("error", err.Error()), slog.String("stack", string(stack)))
				return err
			},
		}),
		s.metrics.observe,
		middleware.BodyLimitWithConfig(middleware.BodyLimitConfig{
			Limit: s.cfg.BodyLimit,
			// A catalogue outgrows the common limit; its route reads the
			// body itself, bounded, after checking the admin's token.
			Skipper: func(c echo.Context) bool { return c.Path() == catalogueRoute },
		}),
		middleware.ContextTimeoutWithConfig(middleware.ContextTimeoutConfig{
			Timeout: s.cfg.RequestTimeout,
			// Backup, verify and export walk the whole store, and live
			// progress streams until the client leaves; their clients
			// bound them.
			Skipper: func(c echo.Context) bool {
				return strings.HasPrefix(c.Path(), "/v1/admin/") || c.Path() == "/v1/cases/:id/live"
			},
		}),
	)

	e.GET("/healthz", s.healthz)
	e.GET("/readyz", s.readyz)
	e.GET("/metrics", s.metrics.handler())
	e.GET("/openapi.json", serveOpenAPI)

	v1 := e.Group("/v1", s.verify.authenticate)
	v1.GET("/me", s.me)
	v1.GET("/catalogue", s.getCatalogue)
	v1.GET("/catalogue/bundles/:code", s.getBundle)

	// Role checks are route middleware, never group middleware: echo gives
	// a group with middleware a catch-all route, which would answer 403
	// instead of 404 for unknown paths under it.

	// Auditors read raw events; the handler narrows supervisors to their
	// region.
	v1.GET("/cases/:id/events", s.caseEvents, allow(RoleSupervisor, RoleAdmin))

	admins := allow(RoleAdmin)
	v1.PUT("/admin/catalogue", s.putCatalogue, admins, catalogueBody)
	v1.POST("/admin/backup", s.backup, admins)
	v1.GET("/admin/verify", s.verifyLog, admins)
	v1.GET("/admin/export", s.exportLog, admins)

	s.caseRoutes(v1)
}

// logRequests logs one line per request: method, route template, status,
// latency and request ID. Never the URL (IDs and query values), the body,
// the client address or the token: none of them belongs in a log.
func (s *Server) logRequests() echo.MiddlewareFunc {
	return middleware.RequestLoggerWithConfig(middleware.RequestLoggerConfig{
		LogStatus:    true,
		LogMethod:    true,
		LogRoutePath: true,
		LogLatency:   true,
		LogRequestID: true,
		HandleError:  true,
		LogValuesFunc: func(c echo.Context, v middleware.RequestLoggerValues) error {
			level := slog.LevelInfo
			if v.Status >= http.StatusInternalServerError {
				level = slog.LevelError
			}
			attrs := []slog.Attr{
				slog.String("method", v.Method), slog.String("route", v.RoutePath),
				slog.Int("status", v.Status), slog.Duration("latency", v.Latency),
				slog.String("request_id", v.RequestID),
			}
			if p, ok := c.Get(principalKey).(Principal); ok {
				attrs = append(attrs, slog.Any("principal", p))
			}
			s.log.LogAttrs(context.WithoutCancel(c.Request().Context()), level, "request", attrs...)
			return nil
		},
	})
}

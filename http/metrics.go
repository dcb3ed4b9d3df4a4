package http

import (
	"context"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/caseledger/caseledger/eventstore"
)

// metrics are the server's Prometheus collectors. Each server has its own
// registry, so tests and several servers in one process never share state.
type metrics struct {
	registry *prometheus.Registry
	requests *prometheus.HistogramVec
	appends  prometheus.Histogram
	appended prometheus.Counter
}

func newMetrics(lag func() float64) *metrics {
	m := &metrics{
		registry: prometheus.NewRegistry(),
		requests: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "caseledger_http_request_duration_seconds",
			Help:    "Latency of HTTP requests by method, route template and status.",
			Buckets: []float64{.0005, .001, .0025, .005, .01, .02, .05, .1, .25, .5, 1, 2.5},
		}, []string{"method", "route", "status"}),
		appends: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "caseledger_append_duration_seconds",
			Help:    "Latency of event store appends made by the API, including fsync.",
			Buckets: []float64{.0005, .001, .0025, .005, .01, .02, .05, .1, .25},
		}),
		appended: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "caseledger_events_appended_total",
			Help: "Events appended through the API (retried commands that record nothing are not counted).",
		}),
	}
	m.registry.MustRegister(m.requests, m.appends, m.appended,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	if lag != nil {
		m.registry.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "caseledger_projection_lag_events",
			Help: "Events recorded in the log that the read models have not applied yet.",
		}, lag))
	}
	return m
}

// observe records each request's latency under its route template, never
// its URL, so case IDs do not become label values.
func (m *metrics) observe(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		start := time.Now()
		err := next(c)
		status := c.Response().Status
		if err != nil {
			// The error handler has not run yet; ask it for the status the
			// client will get.
			status = statusFor(err, classify(err))
		}
		route := c.Path()
		if route == "" {
			route = "unmatched"
		}
		m.requests.WithLabelValues(c.Request().Method, route, strconv.Itoa(status)).Observe(time.Since(start).Seconds())
		return err
	}
}

func (m *metrics) handler() echo.HandlerFunc {
	return echo.WrapHandler(promhttp.HandlerFor(m.registry, promhttp.HandlerOpts{}))
}

// instrumentedStore times appends and counts what they record.
type instrumentedStore struct {
	eventstore.Store
	m *metrics
}

func (s instrumentedStore) Append(ctx context.Context, stream string, expected eventstore.ExpectedVersion, events ...eventstore.EventData) (eventstore.AppendResult, error) {
	start := time.Now()
	res, err := s.Store.Append(ctx, stream, expected, events...)
	s.m.appends.Observe(time.Since(start).Seconds())
	if err == nil {
		// Positions may have gaps on some backends; versions never do.
		s.m.appended.Add(float64(res.LastVersion - res.FirstVersion + 1))
	}
	return res, err
}

package http_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"

	caseledgerhttp "github.com/caseledger/caseledger/http"
)

func TestHealthAndReadiness(t *testing.T) {
	catchingUp := func(cfg *caseledgerhttp.Config) {
		cfg.Ready = func(context.Context) error { return errors.New("projection lags 12 events") }
	}
	tests := []struct {
		name string
		opts []serverOption
		path string
		want int
	}{
		{name: "healthz answers while the store answers", path: "/healthz", want: http.StatusOK},
		{name: "readyz without a readiness func is ready", path: "/readyz", want: http.StatusOK},
		{name: "readyz is unavailable while read models catch up", opts: []serverOption{catchingUp}, path: "/readyz", want: http.StatusServiceUnavailable},
		{name: "healthz ignores read models", opts: []serverOption{catchingUp}, path: "/healthz", want: http.StatusOK},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ts := MustServer(t, tt.opts...)
			res := ts.Do(t, request{Method: http.MethodGet, Path: tt.path})
			if got, want := res.Status, tt.want; got != want {
				t.Errorf("status = %d, want %d; body %s", got, want, res.Body)
			}
			if strings.Contains(string(res.Body), "projection lags") {
				t.Errorf("readiness detail leaked: %s", res.Body)
			}
		})
	}
}

func TestMetricsExposeRequestAppendAndLagSeries(t *testing.T) {
	ts := MustServer(t, func(cfg *caseledgerhttp.Config) { cfg.ProjectionLag = func() float64 { return 7 } })
	ts.Do(t, request{Method: http.MethodGet, Path: "/healthz"})
	mustSubmit(t, ts, "m1")
	mustSubmit(t, ts, "m1") // a retry appends nothing
	res := ts.Do(t, request{Method: http.MethodGet, Path: "/metrics"})
	if got, want := res.Status, http.StatusOK; got != want {
		t.Fatalf("status = %d, want %d", got, want)
	}
	for _, want := range []string{
		`caseledger_http_request_duration_seconds_count{method="GET",route="/healthz",status="200"} 1`,
		`caseledger_http_request_duration_seconds_count{method="POST",route="/v1/cases",status="201"} 2`,
		"caseledger_append_duration_seconds_count 1",
		"caseledger_events_appended_total 2",
		"caseledger_projection_lag_events 7",
	} {
		if !strings.Contains(string(res.Body), want) {
			t.Errorf("metrics lack %q", want)
		}
	}
}

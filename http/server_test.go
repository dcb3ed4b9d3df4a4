package http_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cockroachdb/pebble/v2/vfs"
	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/legacy"

	"github.com/caseledger/caseledger/eventstore"
	"github.com/caseledger/caseledger/eventstore/embedded"
	caseledgerhttp "github.com/caseledger/caseledger/http"
	"github.com/caseledger/caseledger/projections"
	"github.com/caseledger/caseledger/projections/casestatus"
	"github.com/caseledger/caseledger/projections/dispute"
	"github.com/caseledger/caseledger/projections/metrics"
	"github.com/caseledger/caseledger/projections/timeline"
)

// testNow is the fixed clock of test servers: tokens and commands use it.
var testNow = time.Date(2026, 2, 12, 9, 30, 0, 0, time.FixedZone("CST", 8*3600))

// testServer is a fully wired server on a real embedded store, with the
// private key that signs its tokens and the log it writes.
type testServer struct {
	*caseledgerhttp.Server
	Store eventstore.Store
	Key   ed25519.PrivateKey
	Log   *syncBuffer
	doc   *openapi3.T
	route routers.Router
}

type serverOption func(*caseledgerhttp.Config)

// MustServer starts a server on a fresh embedded store. The store keeps
// its files in memory: these tests are about HTTP, and the store's
// durability has its own crash tests; without fsyncs the access matrix
// runs in a fraction of the time.
func MustServer(tb testing.TB, opts ...serverOption) *testServer {
	tb.Helper()
	store, err := embedded.Open("/store", embedded.Options{FS: vfs.NewMem()})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { store.Close() })
	return mustServerOn(tb, store, opts...)
}

// withViews gives the server the case status, timeline, metrics and
// dispute read models, folding in the background, for the queries that
// read them.
func withViews(tb testing.TB) serverOption {
	return func(cfg *caseledgerhttp.Config) {
		r, err := projections.Open(cfg.Store, tb.TempDir(), projections.Options{}, casestatus.Projection{}, timeline.Projection{}, metrics.Projection{}, dispute.Projection{})
		if err != nil {
			tb.Fatal(err)
		}
		tb.Cleanup(func() { r.Close() })
		cfg.Views = r
	}
}

func mustServerOn(tb testing.TB, store eventstore.Store, opts ...serverOption) *testServer {
	tb.Helper()
	pub, key, err := ed25519.GenerateKey(nil)
	if err != nil {
		tb.Fatal(err)
	}
	logs := &syncBuffer{}
	cfg := caseledgerhttp.Config{
		Store:     store,
		Logger:    slog.New(slog.NewJSONHandler(logs, nil)),
		PublicKey: pub,
		Now:       func() time.Time { return testNow },
		Version:   "test",
	}
	for _, o := range opts {
		o(&cfg)
	}
	srv, err := caseledgerhttp.NewServer(cfg)
	if err != nil {
		tb.Fatal(err)
	}
	ts := &testServer{Server: srv, Store: store, Key: key, Log: logs}
	ts.loadDocument(tb)
	return ts
}

// loadDocument reads the served OpenAPI document the way a client would,
// and builds the router that response validation needs.
func (ts *testServer) loadDocument(tb testing.TB) {
	tb.Helper()
	rec := httptest.NewRecorder()
	ts.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/openapi.json", nil))
	if rec.Code != http.StatusOK {
		tb.Fatalf("GET /openapi.json: %d", rec.Code)
	}
	doc, err := openapi3.NewLoader().LoadFromData(rec.Body.Bytes())
	if err != nil {
		tb.Fatalf("loading the OpenAPI document: %v", err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		tb.Fatalf("the OpenAPI document is invalid: %v", err)
	}
	doc.Servers = openapi3.Servers{{URL: "http://example.com"}}
	router, err := legacy.NewRouter(doc)
	if err != nil {
		tb.Fatal(err)
	}
	ts.doc, ts.route = doc, router
}

// Token mints a token for p, valid for an hour of the test clock.
func (ts *testServer) Token(tb testing.TB, p caseledgerhttp.Principal) string {
	tb.Helper()
	tok, err := caseledgerhttp.MintToken(ts.Key, p, testNow, time.Hour)
	if err != nil {
		tb.Fatal(err)
	}
	return tok
}

// request is one call in a test.
type request struct {
	Method, Path string
	Token        string
	Body         string
	Header       map[string]string
	// Undocumented skips validation against the OpenAPI document, for
	// requests to routes that do not exist.
	Undocumented bool
	// Timeout ends the request's context, for streaming routes.
	Timeout time.Duration
}

type response struct {
	Status int
	Header http.Header
	Body   []byte
}

// JSON decodes the body into a generic value.
func (r response) JSON(tb testing.TB) map[string]any {
	tb.Helper()
	var v map[string]any
	if err := json.Unmarshal(r.Body, &v); err != nil {
		tb.Fatalf("body %q: %v", r.Body, err)
	}
	return v
}

// Do serves req and validates the response against the OpenAPI document:
// its status must be documented for the route and its body must match.
func (ts *testServer) Do(tb testing.TB, req request) response {
	tb.Helper()
	var body io.Reader
	if req.Body != "" {
		body = strings.NewReader(req.Body)
	}
	r := httptest.NewRequest(req.Method, "http://example.com"+req.Path, body)
	if req.Body != "" {
		r.Header.Set("Content-Type", "application/json")
	}
	if req.Token != "" {
		r.Header.Set("Authorization", "Bearer "+req.Token)
	}
	for k, v := range req.Header {
		r.Header.Set(k, v)
	}
	if req.Timeout > 0 {
		ctx, cancel := context.WithTimeout(r.Context(), req.Timeout)
		defer cancel()
		r = r.WithContext(ctx)
	}
	rec := httptest.NewRecorder()
	ts.ServeHTTP(rec, r)
	res := response{Status: rec.Code, Header: rec.Header(), Body: rec.Body.Bytes()}
	if !req.Undocumented {
		ts.validate(tb, r, res)
	}
	return res
}

// registerStreams lets kin-openapi read the export's NDJSON and the live
// event stream as the strings their schemas say; their lines are checked
// by the export and live tests.
var registerStreams = sync.OnceFunc(func() {
	openapi3filter.RegisterBodyDecoder("application/x-ndjson", openapi3filter.FileBodyDecoder)
	openapi3filter.RegisterBodyDecoder("text/event-stream", openapi3filter.FileBodyDecoder)
})

func (ts *testServer) validate(tb testing.TB, r *http.Request, res response) {
	tb.Helper()
	registerStreams()
	route, params, err := ts.route.FindRoute(r)
	if err != nil {
		tb.Fatalf("%s %s is not in the OpenAPI document: %v", r.Method, r.URL.Path, err)
	}
	input := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: &openapi3filter.RequestValidationInput{Request: r, PathParams: params, Route: route},
		Status:                 res.Status,
		Header:                 res.Header,
		Body:                   io.NopCloser(bytes.NewReader(res.Body)),
		Options:                &openapi3filter.Options{IncludeResponseStatus: true, MultiError: true},
	}
	if err := openapi3filter.ValidateResponse(context.Background(), input); err != nil {
		tb.Errorf("%s %s -> %d does not match the OpenAPI document: %v\nbody: %s", r.Method, r.URL.Path, res.Status, err, res.Body)
	}
}

// syncBuffer is a log sink safe for the server's goroutines.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

var (
	applicant  = caseledgerhttp.Principal{Subject: "acct-applicant-0001", Role: caseledgerhttp.RoleApplicant}
	supervisor = caseledgerhttp.Principal{Subject: "acct-supervisor-01", Role: caseledgerhttp.RoleSupervisor, Region: "442000"}
	foreignSup = caseledgerhttp.Principal{Subject: "acct-supervisor-02", Role: caseledgerhttp.RoleSupervisor, Region: "440300"}
	analyst    = caseledgerhttp.Principal{Subject: "acct-analyst-0001", Role: caseledgerhttp.RoleAnalyst}
	admin      = caseledgerhttp.Principal{Subject: "acct-admin-000001", Role: caseledgerhttp.RoleAdmin}
)

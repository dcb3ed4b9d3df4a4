// Package http is caseledger's HTTP API: routes, authentication, problem
// responses, metrics and the OpenAPI document. It owns everything HTTP;
// callers configure a Server and never import net/http or echo.
package http

import (
	"context"
	"crypto/ed25519"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/caseledger/caseledger/eventstore"
	"github.com/caseledger/caseledger/projections"
)

// Config is what a Server needs. Store, Logger and PublicKey are required.
type Config struct {
	Store  eventstore.Store
	Logger *slog.Logger
	// PublicKey verifies bearer tokens (EdDSA).
	PublicKey ed25519.PublicKey
	// Ready reports whether the read models have caught up; /readyz answers
	// 503 while it fails. Nil means always ready.
	Ready func(context.Context) error
	// Views are the read models behind the list queries; nil answers those
	// routes with 503.
	Views *projections.Runner
	// ProjectionLag is exported as the projection lag gauge; nil leaves the
	// gauge out.
	ProjectionLag func() float64
	// Now is the clock for token expiry and command times; nil is time.Now.
	Now func() time.Time
	// BodyLimit caps request bodies, as echo spells sizes ("64K"); empty
	// means 64K, far above any command.
	BodyLimit string
	// RequestTimeout bounds each request's context; 0 means 10s.
	RequestTimeout time.Duration
	// Version is reported by GET /v1/me.
	Version string
	// GaplessPositions tells the admin verify route that the store promises
	// gapless positions (the embedded store does), so gaps are errors.
	GaplessPositions bool
}

// Server is the HTTP API over one store.
type Server struct {
	cfg    Config
	echo   *echo.Echo
	store  eventstore.Store // instrumented
	verify *verifier
	owners ownersCache
	// caseCache holds folded case states for the command path (casecache.go).
	caseCache *caseCache
	metrics   *metrics
	log       *slog.Logger
	// catalogue is the catalogue in force for new submissions, replaced
	// by each publish (catalogue.go).
	catalogue atomic.Pointer[inForce]
	ln        net.Listener
	serve     chan error
	// closing is closed when Close begins, so that streaming responses end
	// and let the graceful shutdown finish.
	closing   chan struct{}
	closeOnce sync.Once
	closeErr  error
}

// NewServer loads the catalogue in force from the store (see loadCatalogue)
// and wires the routes and middleware. It does not listen: use Open, or
// ServeHTTP in tests.
func NewServer(cfg Config) (*Server, error) {
	if cfg.Store == nil || cfg.Logger == nil || len(cfg.PublicKey) != ed25519.PublicKeySize {
		return nil, errors.New("http: Config needs Store, Logger and an Ed25519 PublicKey")
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.BodyLimit == "" {
		cfg.BodyLimit = "64K"
	}
	if cfg.RequestTimeout == 0 {
		cfg.RequestTimeout = 10 * time.Second
	}
	s := &Server{cfg: cfg, log: cfg.Logger, metrics: newMetrics(cfg.ProjectionLag), closing: make(chan struct{}),
		caseCache: newCaseCache(caseCacheSize)}
	s.store = instrumentedStore{Store: cfg.Store, m: s.metrics}
	s.verify = newVerifier(cfg.PublicKey, cfg.Now)
	s.echo = echo.New()
	s.echo.HideBanner, s.echo.HidePort = true, true
	s.echo.HTTPErrorHandler = errorHandler(cfg.Logger)
	s.loadCatalogue()
	s.routes()
	return s, nil
}

// ServeHTTP serves one request through the fully wired stack.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.echo.ServeHTTP(w, r) }

// Open listens on addr ("host:port"; port 0 picks a free one) and serves in
// the background until Close.
func (s *Server) Open(addr string) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("http: listen: %w", err)
	}
	s.ln = ln
	s.echo.Listener = ln
	s.serve = make(chan error, 1)
	srv := s.echo.Server
	srv.ReadHeaderTimeout = 5 * time.Second
	srv.IdleTimeout = 2 * time.Minute
	go func() { s.serve <- srv.Serve(ln) }()
	return nil
}

// URL is the base URL the server listens on, once opened.
func (s *Server) URL() string {
	if s.ln == nil {
		return ""
	}
	return "http://" + s.ln.Addr().String()
}

// Close stops accepting connections and waits for requests in flight until
// ctx ends. It does not close the store: whoever opened it does, after.
// Calling it again returns the first call's result.
func (s *Server) Close(ctx context.Context) error {
	s.closeOnce.Do(func() {
		close(s.closing)
		if s.ln == nil {
			return
		}
		err := s.echo.Shutdown(ctx)
		if serr := <-s.serve; serr != nil && !errors.Is(serr, http.ErrServerClosed) && err == nil {
			err = serr
		}
		s.closeErr = err
	})
	return s.closeErr
}

// Routes lists every registered route as "METHOD /path/{param}", the
// spelling of the OpenAPI document.
func (s *Server) Routes() []string {
	var out []string
	for _, r := range s.echo.Routes() {
		parts := strings.Split(r.Path, "/")
		for i, p := range parts {
			if strings.HasPrefix(p, ":") {
				parts[i] = "{" + p[1:] + "}"
			}
		}
		out = append(out, r.Method+" "+strings.Join(parts, "/"))
	}
	slices.Sort(out)
	return slices.Compact(out)
}

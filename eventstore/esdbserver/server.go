package esdbserver

import (
	"context"
	"crypto/tls"
	"errors"
	"log/slog"
	"net"
	"strings"
	"sync"
	"time"

	"github.com/EventStore/EventStore-Client-Go/v4/protos/gossip"
	"github.com/EventStore/EventStore-Client-Go/v4/protos/serverfeatures"
	"github.com/EventStore/EventStore-Client-Go/v4/protos/streams"
	"github.com/caseledger/caseledger/domain"
	"github.com/caseledger/caseledger/eventstore"
	"github.com/google/uuid"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/keepalive"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/emptypb"
)

// DefaultServerVersion is the EventStoreDB version reported by
// ServerFeatures: the protocol level whose behaviour the endpoint follows.
const DefaultServerVersion = "24.10.0"

// Options configure a Server. The zero value serves plain text and refuses
// every Streams call (StaticAuthorizer{}).
type Options struct {
	// Authorizer decides who may read and append (rule 12).
	Authorizer Authorizer
	// TLS, when set, is the server's TLS configuration; set ClientAuth to
	// verify client certificates.
	TLS *tls.Config
	// Logger receives internal errors; nil discards.
	Logger *slog.Logger
	// ServerVersion is reported by ServerFeatures; DefaultServerVersion when
	// empty.
	ServerVersion string
	// Advertise is the host:port Gossip reports; the listener's address when
	// empty. Set it when clients reach the node through another name.
	Advertise string
	// ShutdownGrace bounds how long Serve waits for reads and appends in
	// flight once its context ends; 5 s when zero.
	ShutdownGrace time.Duration
}

// Server serves the EventStoreDB protocol over one store.
type Server struct {
	streams.UnimplementedStreamsServer

	store      eventstore.Store
	opts       Options
	log        *slog.Logger
	instanceID uuid.UUID

	mu        sync.Mutex
	advertise string
}

// New returns a server for store; call Serve to run it.
func New(store eventstore.Store, opts Options) *Server {
	if opts.Authorizer == nil {
		opts.Authorizer = StaticAuthorizer{}
	}
	if opts.ServerVersion == "" {
		opts.ServerVersion = DefaultServerVersion
	}
	if opts.ShutdownGrace == 0 {
		opts.ShutdownGrace = 5 * time.Second
	}
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Server{store: store, opts: opts, log: log, instanceID: uuid.New(), advertise: opts.Advertise}
}

// Serve answers calls on lis until ctx ends, then stops: subscriptions end at
// once with Unavailable (clients resubscribe from their checkpoint), other
// calls get ShutdownGrace to finish. It closes lis and returns nil after a
// shutdown through ctx.
func (s *Server) Serve(ctx context.Context, lis net.Listener) error {
	s.mu.Lock()
	if s.advertise == "" {
		s.advertise = lis.Addr().String()
	}
	s.mu.Unlock()

	callCtx, cancelCalls := context.WithCancel(context.Background())
	defer cancelCalls()
	opts := []grpc.ServerOption{
		grpc.KeepaliveEnforcementPolicy(keepalive.EnforcementPolicy{MinTime: 5 * time.Second, PermitWithoutStream: true}),
		grpc.KeepaliveParams(keepalive.ServerParameters{Time: 30 * time.Second, Timeout: 10 * time.Second}),
		grpc.MaxRecvMsgSize(17 << 20),
		grpc.ChainUnaryInterceptor(s.unaryAuth),
		grpc.ChainStreamInterceptor(s.streamAuth(callCtx)),
	}
	if s.opts.TLS != nil {
		opts = append(opts, grpc.Creds(credentials.NewTLS(s.opts.TLS)))
	}
	g := grpc.NewServer(opts...)
	streams.RegisterStreamsServer(g, s)
	serverfeatures.RegisterServerFeaturesServer(g, featuresServer{s: s})
	gossip.RegisterGossipServer(g, gossipServer{s: s})

	served := make(chan error, 1)
	go func() { served <- g.Serve(lis) }()
	select {
	case err := <-served:
		return err
	case <-ctx.Done():
	}
	cancelCalls()
	stopped := make(chan struct{})
	go func() { g.GracefulStop(); close(stopped) }()
	select {
	case <-stopped:
	case <-time.After(s.opts.ShutdownGrace):
		g.Stop()
		<-stopped
	}
	<-served
	return nil
}

// open reports whether a method needs no credentials (rule 12).
func open(fullMethod string) bool {
	return strings.HasPrefix(fullMethod, "/event_store.client.server_features.") ||
		strings.HasPrefix(fullMethod, "/event_store.client.gossip.")
}

func (s *Server) authorize(ctx context.Context) (context.Context, error) {
	c, err := credentialsFrom(ctx)
	if err != nil {
		return ctx, s.status(err)
	}
	p, err := s.opts.Authorizer.Authorize(ctx, c)
	if err != nil {
		return ctx, s.status(err)
	}
	if p.Access == AccessNone {
		return ctx, s.status(domain.Errorf(domain.CodeForbidden, "no access"))
	}
	return withPrincipal(ctx, p), nil
}

func (s *Server) unaryAuth(ctx context.Context, req any, info *grpc.UnaryServerInfo, h grpc.UnaryHandler) (any, error) {
	if open(info.FullMethod) {
		return h(ctx, req)
	}
	actx, err := s.authorize(ctx)
	if err != nil {
		return nil, withTrailer(err, func(md metadata.MD) { _ = grpc.SetTrailer(ctx, md) })
	}
	resp, err := h(actx, req)
	return resp, withTrailer(err, func(md metadata.MD) { _ = grpc.SetTrailer(ctx, md) })
}

// streamAuth authorizes streaming calls and ties them to callCtx, which ends
// when the server shuts down.
func (s *Server) streamAuth(callCtx context.Context) grpc.StreamServerInterceptor {
	return func(srv any, ss grpc.ServerStream, info *grpc.StreamServerInfo, h grpc.StreamHandler) error {
		ctx := ss.Context()
		if !open(info.FullMethod) {
			var err error
			if ctx, err = s.authorize(ctx); err != nil {
				if info.IsClientStream {
					drain(ss)
				}
				return withTrailer(err, ss.SetTrailer)
			}
		}
		ctx, cancel := context.WithCancel(ctx)
		defer cancel()
		stop := context.AfterFunc(callCtx, cancel)
		defer stop()
		err := h(srv, &ctxStream{ServerStream: ss, ctx: ctx})
		if err != nil && callCtx.Err() != nil && ss.Context().Err() == nil {
			return status.Error(codes.Unavailable, "server shutting down")
		}
		return withTrailer(err, ss.SetTrailer)
	}
}

// maxDrained bounds how many messages of a refused call are read and
// dropped.
const maxDrained = 1 << 16

// drain reads what the client sends before the call is refused. Official
// clients send a whole append before reading the answer; refused at once,
// they would see their next send fail with EOF instead of the refusal.
func drain(ss grpc.ServerStream) {
	var m emptypb.Empty
	for range maxDrained {
		if ss.RecvMsg(&m) != nil {
			return
		}
	}
}

type ctxStream struct {
	grpc.ServerStream
	ctx context.Context
}

func (c *ctxStream) Context() context.Context { return c.ctx }

// status turns err into a gRPC status error. Internal faults are logged and
// shown as "internal error" only.
func (s *Server) status(err error) error {
	var de *domain.Error
	switch {
	case err == nil:
		return nil
	case errors.Is(err, context.Canceled):
		return status.Error(codes.Canceled, "canceled")
	case errors.Is(err, context.DeadlineExceeded):
		return status.Error(codes.DeadlineExceeded, "deadline exceeded")
	case errors.Is(err, eventstore.ErrInvalidEvent):
		return status.Error(codes.InvalidArgument, err.Error())
	case errors.Is(err, eventstore.ErrDuplicateEventID):
		return status.Error(codes.AlreadyExists, err.Error())
	case errors.Is(err, eventstore.ErrNotSupported):
		return status.Error(codes.FailedPrecondition, err.Error())
	case errors.Is(err, eventstore.ErrClosed):
		return status.Error(codes.Unavailable, "store closed")
	case errors.As(err, &de) && de.Code != domain.CodeInternal:
		return domainStatus(de)
	}
	s.log.Error("esdbserver: internal error", "err", err)
	return status.Error(codes.Internal, "internal error")
}

func domainStatus(de *domain.Error) error {
	msg := de.Message
	switch de.Code {
	case domain.CodeUnauthorized:
		return status.Error(codes.Unauthenticated, msg)
	case domain.CodeForbidden:
		return accessDenied(msg)
	case domain.CodeInvalid:
		return status.Error(codes.InvalidArgument, msg)
	case domain.CodeNotFound:
		return status.Error(codes.NotFound, msg)
	case domain.CodeConflict, domain.CodeStale:
		return status.Error(codes.FailedPrecondition, msg)
	case domain.CodeUnavailable:
		return status.Error(codes.Unavailable, msg)
	}
	return status.Error(codes.Internal, "internal error")
}

// accessDenied is EventStoreDB's refusal: PermissionDenied with the
// "exception: access-denied" trailer.
func accessDenied(msg string) error {
	return statusWithTrailer(codes.PermissionDenied, "access denied: "+msg, metadata.Pairs("exception", "access-denied"))
}

// trailerError carries trailers to set before the status is returned.
type trailerError struct {
	st      *status.Status
	trailer metadata.MD
}

func (e *trailerError) Error() string              { return e.st.Err().Error() }
func (e *trailerError) GRPCStatus() *status.Status { return e.st }

// withTrailer sets the trailers err carries, all at once, and returns err.
func withTrailer(err error, set func(metadata.MD)) error {
	var te *trailerError
	if errors.As(err, &te) {
		set(te.trailer)
	}
	return err
}

func statusWithTrailer(c codes.Code, msg string, md metadata.MD) error {
	return &trailerError{st: status.New(c, msg), trailer: md}
}

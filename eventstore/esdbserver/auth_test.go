package esdbserver_test

import (
	"context"
	"testing"

	kdb "github.com/EventStore/EventStore-Client-Go/v4/esdb"
	"github.com/caseledger/caseledger/domain"
	"github.com/caseledger/caseledger/eventstore/esdbserver"
	"github.com/caseledger/caseledger/eventstore/esdbserver/esdbtest"
)

func TestOnlyTheServiceIdentityMayAppend(t *testing.T) {
	ep := esdbtest.Start(t, esdbtest.Config{TLS: true})
	service := MustClient(t, ep.ConnectionString(esdbtest.ServiceUser, esdbtest.ServicePassword))
	MustAppend(t, service, "case-acl", kdb.NoStream{}, jsonEvent("Opened", `{}`))
	tests := []struct {
		name       string
		user, pass string
		readCode   kdb.ErrorCode // -1: the read succeeds
		appendCode kdb.ErrorCode
	}{
		{"a reader reads but may not append", esdbtest.ReaderUser, esdbtest.ReaderPassword, -1, kdb.ErrorCodeAccessDenied},
		{"a wrong password is unauthenticated", esdbtest.ServiceUser, "guess", kdb.ErrorCodeUnauthenticated, kdb.ErrorCodeUnauthenticated},
		{"an unknown user is unauthenticated", "mallory", "x", kdb.ErrorCodeUnauthenticated, kdb.ErrorCodeUnauthenticated},
		{"no credentials are unauthenticated", "", "", kdb.ErrorCodeUnauthenticated, kdb.ErrorCodeUnauthenticated},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := MustClient(t, ep.ConnectionString(tt.user, tt.pass))
			_, err := readAll(c.ReadStream(t.Context(), "case-acl", kdb.ReadStreamOptions{}, 10))
			if got := errorCode(err); got != tt.readCode {
				t.Errorf("read = %v (code %d), want code %d", err, got, tt.readCode)
			}
			_, err = c.AppendToStream(t.Context(), "case-acl", kdb.AppendToStreamOptions{}, jsonEvent("Noted", `{}`))
			if got := errorCode(err); got != tt.appendCode {
				t.Errorf("append = %v (code %d), want code %d", err, got, tt.appendCode)
			}
		})
	}
	got, err := ep.Store.Head(t.Context())
	if err != nil || got != 1 {
		t.Errorf("head after the refused appends = %d, %v; want 1", got, err)
	}
}

func TestStaticAuthorizerLetsOnlyTheServiceAppend(t *testing.T) {
	a := esdbserver.StaticAuthorizer{
		Passwords: map[string]string{"svc": "s", "reader": "r"},
		Service:   "svc",
	}
	open := a
	open.Anonymous = esdbserver.AccessRead
	tests := []struct {
		name     string
		a        esdbserver.StaticAuthorizer
		c        esdbserver.Credentials
		want     esdbserver.Access
		wantCode domain.Code
	}{
		{"the service appends", a, esdbserver.Credentials{Username: "svc", Password: "s"}, esdbserver.AccessAppend, ""},
		{"another user reads", a, esdbserver.Credentials{Username: "reader", Password: "r"}, esdbserver.AccessRead, ""},
		{"anonymous is refused by default", a, esdbserver.Credentials{}, esdbserver.AccessNone, domain.CodeUnauthorized},
		{"anonymous as configured", open, esdbserver.Credentials{}, esdbserver.AccessRead, ""},
		{"another user's password", a, esdbserver.Credentials{Username: "svc", Password: "r"}, esdbserver.AccessNone, domain.CodeUnauthorized},
		{"an unknown user with an empty password", a, esdbserver.Credentials{Username: "nobody"}, esdbserver.AccessNone, domain.CodeUnauthorized},
		{"a bearer token it cannot check", a, esdbserver.Credentials{BearerToken: "t"}, esdbserver.AccessNone, domain.CodeUnauthorized},
		{"the zero value refuses the service", esdbserver.StaticAuthorizer{}, esdbserver.Credentials{Username: "svc", Password: "s"}, esdbserver.AccessNone, domain.CodeUnauthorized},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := tt.a.Authorize(context.Background(), tt.c)
			if got := domain.ErrorCode(err); got != tt.wantCode {
				t.Fatalf("Authorize = %v, want code %q", err, tt.wantCode)
			}
			if p.Access != tt.want {
				t.Errorf("access = %d, want %d", p.Access, tt.want)
			}
		})
	}
}

// bearer is an Authorizer like the HTTP API's: it accepts one token.
type bearer struct{}

func (bearer) Authorize(_ context.Context, c esdbserver.Credentials) (esdbserver.Principal, error) {
	if c.BearerToken == "good-token" {
		return esdbserver.Principal{Name: "token-holder", Access: esdbserver.AccessRead}, nil
	}
	return esdbserver.Principal{}, domain.Errorf(domain.CodeUnauthorized, "bad token")
}

type tokenCreds string

func (t tokenCreds) GetRequestMetadata(context.Context, ...string) (map[string]string, error) {
	return map[string]string{"authorization": "Bearer " + string(t)}, nil
}
func (tokenCreds) RequireTransportSecurity() bool { return false }

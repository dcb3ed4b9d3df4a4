package esdbserver

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"crypto/x509"
	"encoding/base64"
	"strings"

	"github.com/caseledger/caseledger/domain"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/peer"
)

// Access is what a principal may do through the endpoint.
type Access int

const (
	// AccessNone refuses every Streams call.
	AccessNone Access = iota
	// AccessRead allows reads and subscriptions.
	AccessRead
	// AccessAppend allows reads, subscriptions and appends.
	AccessAppend
)

// Credentials are what a call presents. At most one of the basic pair and
// BearerToken is set; Certificates is the verified TLS client chain, if any.
type Credentials struct {
	Username     string
	Password     string
	BearerToken  string
	Certificates []*x509.Certificate
}

// Anonymous reports whether the call presented nothing.
func (c Credentials) Anonymous() bool {
	return c.Username == "" && c.BearerToken == "" && len(c.Certificates) == 0
}

// Principal is an authenticated caller.
type Principal struct {
	Name   string
	Access Access
}

// Authorizer maps a call's credentials to a principal. It fails with a
// *domain.Error: CodeUnauthorized for missing or invalid credentials,
// CodeForbidden for a known caller with no access. The HTTP API's identity
// provider satisfies it so that both doors to the ledger honour the same
// identities and roles.
type Authorizer interface {
	Authorize(ctx context.Context, c Credentials) (Principal, error)
}

// StaticAuthorizer authorizes basic credentials from a fixed table, with
// the endpoint's default policy: the service identity appends, every other
// known user only reads. The zero value refuses everyone.
type StaticAuthorizer struct {
	// Passwords of the known users, by login.
	Passwords map[string]string
	// Service is the login that may append, caseledger's own identity.
	Service string
	// Anonymous is granted to calls without credentials.
	Anonymous Access
}

// Authorize implements Authorizer.
func (a StaticAuthorizer) Authorize(_ context.Context, c Credentials) (Principal, error) {
	if c.Anonymous() {
		if a.Anonymous == AccessNone {
			return Principal{}, domain.Errorf(domain.CodeUnauthorized, "credentials required")
		}
		return Principal{Name: "anonymous", Access: a.Anonymous}, nil
	}
	if c.Username == "" {
		return Principal{}, domain.Errorf(domain.CodeUnauthorized, "only basic credentials are accepted")
	}
	password, ok := a.Passwords[c.Username]
	// Compare digests so that the time taken does not depend on how much of
	// the password matched, nor on whether the user exists.
	want := sha256.Sum256([]byte(password))
	got := sha256.Sum256([]byte(c.Password))
	if subtle.ConstantTimeCompare(want[:], got[:]) != 1 || !ok {
		return Principal{}, domain.Errorf(domain.CodeUnauthorized, "invalid credentials")
	}
	if c.Username == a.Service {
		return Principal{Name: c.Username, Access: AccessAppend}, nil
	}
	return Principal{Name: c.Username, Access: AccessRead}, nil
}

// credentialsFrom reads the call's authorization header and TLS peer. A
// header it cannot parse is an error, never an anonymous call.
func credentialsFrom(ctx context.Context) (Credentials, error) {
	var c Credentials
	if md, ok := metadata.FromIncomingContext(ctx); ok {
		if v := md.Get("authorization"); len(v) > 0 {
			scheme, rest, _ := strings.Cut(v[0], " ")
			rest = strings.TrimSpace(rest)
			switch strings.ToLower(scheme) {
			case "basic":
				raw, err := base64.StdEncoding.DecodeString(rest)
				user, pass, ok := strings.Cut(string(raw), ":")
				if err != nil || !ok || user == "" {
					return c, domain.Errorf(domain.CodeUnauthorized, "malformed basic credentials")
				}
				c.Username, c.Password = user, pass
			case "bearer":
				if rest == "" {
					return c, domain.Errorf(domain.CodeUnauthorized, "empty bearer token")
				}
				c.BearerToken = rest
			default:
				return c, domain.Errorf(domain.CodeUnauthorized, "unsupported authorization scheme")
			}
		}
	}
	if p, ok := peer.FromContext(ctx); ok {
		if info, ok := p.AuthInfo.(credentials.TLSInfo); ok && len(info.State.VerifiedChains) > 0 {
			c.Certificates = info.State.VerifiedChains[0]
		}
	}
	return c, nil
}

type principalKey struct{}

func withPrincipal(ctx context.Context, p Principal) context.Context {
	return context.WithValue(ctx, principalKey{}, p)
}

func principalFrom(ctx context.Context) Principal {
	p, _ := ctx.Value(principalKey{}).(Principal)
	return p
}

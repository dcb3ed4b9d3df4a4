package main

import (
	"context"
	"crypto/ed25519"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/caseledger/caseledger/domain"
	"github.com/caseledger/caseledger/eventstore/esdbserver"
	caseledgerhttp "github.com/caseledger/caseledger/http"
)

// tokenAuthorizer makes the EventStoreDB endpoint honour the HTTP API's
// identities: the same EdDSA bearer tokens, checked with the same key,
// issuer and claims. The http package keeps its verifier unexported, so the
// checks are repeated here with the same library and options.
//
// Policy: a token of role admin whose subject is one of writers appends;
// other admins and supervisors read. A supervisor reads the whole ledger
// here, not only its region: the protocol has no per-region view, which is
// why only roles trusted with whole cases get in. Every other role is
// refused; events carry personal data.
type tokenAuthorizer struct {
	parser    *jwt.Parser
	key       ed25519.PublicKey
	writers   []string
	anonymous esdbserver.Access
}

func newTokenAuthorizer(key ed25519.PublicKey, now func() time.Time, writers []string, anonymous esdbserver.Access) tokenAuthorizer {
	return tokenAuthorizer{
		parser: jwt.NewParser(
			jwt.WithValidMethods([]string{jwt.SigningMethodEdDSA.Alg()}),
			jwt.WithIssuer("caseledger"),
			jwt.WithExpirationRequired(),
			jwt.WithTimeFunc(now),
		),
		key: key, writers: writers, anonymous: anonymous,
	}
}

// tokenClaims are the claims of caseledgerhttp.MintToken that decide access.
type tokenClaims struct {
	jwt.RegisteredClaims
	Role   caseledgerhttp.Role `json:"role"`
	Region string              `json:"region,omitempty"`
}

// Authorize implements esdbserver.Authorizer. Official EventStoreDB clients
// send only basic credentials, so a token is also accepted as the password
// of the user named by the token's subject.
func (a tokenAuthorizer) Authorize(_ context.Context, c esdbserver.Credentials) (esdbserver.Principal, error) {
	token := c.BearerToken
	if c.Username != "" {
		token = c.Password
	}
	if token == "" {
		if c.Anonymous() && a.anonymous != esdbserver.AccessNone {
			return esdbserver.Principal{Name: "anonymous", Access: a.anonymous}, nil
		}
		return esdbserver.Principal{}, domain.Errorf(domain.CodeUnauthorized,
			"a caseledger token is required: as a bearer token, or as the password of the token's subject")
	}
	var cl tokenClaims
	if _, err := a.parser.ParseWithClaims(token, &cl, func(*jwt.Token) (any, error) { return a.key, nil }); err != nil {
		msg := "invalid token"
		if errors.Is(err, jwt.ErrTokenExpired) {
			msg = "the token has expired"
		}
		return esdbserver.Principal{}, &domain.Error{Code: domain.CodeUnauthorized, Message: msg, Err: err}
	}
	switch {
	case cl.Subject == "" || !cl.Role.Valid():
		return esdbserver.Principal{}, domain.Errorf(domain.CodeUnauthorized, "the token lacks required claims")
	case c.Username != "" && c.Username != cl.Subject:
		return esdbserver.Principal{}, domain.Errorf(domain.CodeUnauthorized, "the user name is not the token's subject")
	}
	name := fmt.Sprintf("%s/%s", cl.Role, cl.Subject)
	switch {
	case cl.Role == caseledgerhttp.RoleAdmin && slices.Contains(a.writers, cl.Subject):
		return esdbserver.Principal{Name: name, Access: esdbserver.AccessAppend}, nil
	case cl.Role == caseledgerhttp.RoleAdmin, cl.Role == caseledgerhttp.RoleSupervisor && cl.Region != "":
		return esdbserver.Principal{Name: name, Access: esdbserver.AccessRead}, nil
	}
	return esdbserver.Principal{}, domain.Errorf(domain.CodeForbidden, "the %s role may not read the ledger through the EventStoreDB endpoint", cl.Role)
}

// parseAccess reads --esdb-anonymous.
func parseAccess(s string) (esdbserver.Access, error) {
	switch s {
	case "", "none":
		return esdbserver.AccessNone, nil
	case "read":
		return esdbserver.AccessRead, nil
	case "append":
		return esdbserver.AccessAppend, nil
	}
	return esdbserver.AccessNone, fmt.Errorf("setting esdb-anonymous: %q is not none, read or append", s)
}

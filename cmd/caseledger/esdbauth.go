package main

import (
	"context"
	"crypto/ed25519"
	"fmt"
	"slices"
	"time"

	"github.com/caseledger/caseledger/domain"
	"github.com/caseledger/caseledger/eventstore/esdbserver"
	caseledgerhttp "github.com/caseledger/caseledger/http"
)

// tokenAuthorizer makes the EventStoreDB endpoint honour the HTTP API's
// identities: the same bearer tokens, checked by the API's own verifier
// with the same key.
//
// Policy: a token of role admin whose subject is one of writers appends;
// other admins and supervisors read. A supervisor reads the whole ledger
// here, not only its region: the protocol has no per-region view, which is
// why only roles trusted with whole cases get in. Every other role is
// refused; events carry personal data.
type tokenAuthorizer struct {
	verifier  *caseledgerhttp.TokenVerifier
	writers   []string
	anonymous esdbserver.Access
}

func newTokenAuthorizer(key ed25519.PublicKey, now func() time.Time, writers []string, anonymous esdbserver.Access) tokenAuthorizer {
	return tokenAuthorizer{verifier: caseledgerhttp.NewTokenVerifier(key, now), writers: writers, anonymous: anonymous}
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
	p, err := a.verifier.Verify(token)
	if err != nil {
		return esdbserver.Principal{}, err
	}
	if c.Username != "" && c.Username != p.Subject {
		return esdbserver.Principal{}, domain.Errorf(domain.CodeUnauthorized, "the user name is not the token's subject")
	}
	name := fmt.Sprintf("%s/%s", p.Role, p.Subject)
	switch {
	case p.Role == caseledgerhttp.RoleAdmin && slices.Contains(a.writers, p.Subject):
		return esdbserver.Principal{Name: name, Access: esdbserver.AccessAppend}, nil
	case p.Role == caseledgerhttp.RoleAdmin, p.Role == caseledgerhttp.RoleSupervisor:
		// The verifier has checked that a supervisor's token names a region.
		return esdbserver.Principal{Name: name, Access: esdbserver.AccessRead}, nil
	}
	return esdbserver.Principal{}, domain.Errorf(domain.CodeForbidden, "the %s role may not read the ledger through the EventStoreDB endpoint", p.Role)
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

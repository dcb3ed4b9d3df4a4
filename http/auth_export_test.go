package http_test

import (
	"crypto/ed25519"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/caseledger/caseledger/domain"
	caseledgerhttp "github.com/caseledger/caseledger/http"
)

// TokenVerifier is what servers other than the API (the EventStoreDB
// endpoint) use, so it must refuse exactly what the API refuses.
func TestTokenVerifierAppliesTheAPIsRules(t *testing.T) {
	pub, key, _ := ed25519.GenerateKey(nil)
	_, otherKey, _ := ed25519.GenerateKey(nil)
	officer := caseledgerhttp.Principal{Subject: "officer-7", Role: caseledgerhttp.RoleDepartment, Unit: "SCJGJ", Region: "330106"}
	mint := func(key ed25519.PrivateKey, p caseledgerhttp.Principal, at time.Time) string {
		tok, err := caseledgerhttp.MintToken(key, p, at, time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		return tok
	}
	sign := func(method jwt.SigningMethod, key any, c jwt.MapClaims) string {
		tok, err := jwt.NewWithClaims(method, c).SignedString(key)
		if err != nil {
			t.Fatal(err)
		}
		return tok
	}
	exp := testNow.Add(time.Hour).Unix()
	tests := []struct {
		name       string
		token      string
		want       caseledgerhttp.Principal
		wantDetail string // empty: the token is accepted
	}{
		{name: "valid token", token: mint(key, officer, testNow), want: officer},
		{name: "garbage", token: "not.a.token", wantDetail: "invalid bearer token"},
		{name: "expired", token: mint(key, officer, testNow.Add(-2*time.Hour)), wantDetail: "expired"},
		{name: "signed by another key", token: mint(otherKey, officer, testNow), wantDetail: "invalid bearer token"},
		{name: "HMAC instead of EdDSA", token: sign(jwt.SigningMethodHS256, []byte("secret"),
			jwt.MapClaims{"iss": "caseledger", "sub": "x", "role": "admin", "exp": exp}), wantDetail: "invalid bearer token"},
		{name: "another issuer", token: sign(jwt.SigningMethodEdDSA, key,
			jwt.MapClaims{"iss": "elsewhere", "sub": "x", "role": "admin", "exp": exp}), wantDetail: "invalid bearer token"},
		{name: "no exp", token: sign(jwt.SigningMethodEdDSA, key,
			jwt.MapClaims{"iss": "caseledger", "sub": "x", "role": "admin"}), wantDetail: "invalid bearer token"},
		{name: "department officer without unit", token: sign(jwt.SigningMethodEdDSA, key,
			jwt.MapClaims{"iss": "caseledger", "sub": "x", "role": "department", "region": "330106", "exp": exp}), wantDetail: "lacks required claims"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := caseledgerhttp.NewTokenVerifier(pub, func() time.Time { return testNow })
			got, err := v.Verify(tt.token)
			if tt.wantDetail == "" {
				if err != nil {
					t.Fatalf("Verify = %v, want success", err)
				}
				if got != tt.want {
					t.Errorf("principal = %+v, want %+v", got, tt.want)
				}
				return
			}
			var de *domain.Error
			if !errors.As(err, &de) || de.Code != domain.CodeUnauthorized {
				t.Fatalf("Verify error = %v, want a domain error of code unauthorized", err)
			}
			if !strings.Contains(de.Message, tt.wantDetail) {
				t.Errorf("message = %q, want it to contain %q", de.Message, tt.wantDetail)
			}
		})
	}
}

// The verifier caches verified tokens; a cached token must still expire at
// its exp on the verifier's clock.
func TestTokenVerifierRefusesACachedTokenFromItsExpiry(t *testing.T) {
	pub, key, _ := ed25519.GenerateKey(nil)
	clock := &movableClock{now: testNow}
	v := caseledgerhttp.NewTokenVerifier(pub, clock.Now)
	tok, err := caseledgerhttp.MintToken(key, applicant, testNow, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := v.Verify(tok); err != nil {
		t.Fatalf("first Verify = %v, want success", err)
	}
	clock.Set(testNow.Add(time.Hour))
	if _, err := v.Verify(tok); err == nil || !strings.Contains(err.Error(), "expired") {
		t.Errorf("Verify at exp = %v, want the token refused as expired", err)
	}
}

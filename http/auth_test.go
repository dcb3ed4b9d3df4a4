package http_test

import (
	"crypto/ed25519"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	caseledgerhttp "github.com/caseledger/caseledger/http"
)

func TestBearerTokensAreVerifiedOnEveryRequest(t *testing.T) {
	ts := MustServer(t)
	_, otherKey, _ := ed25519.GenerateKey(nil)
	mint := func(key ed25519.PrivateKey, p caseledgerhttp.Principal, at time.Time, ttl time.Duration) string {
		tok, err := caseledgerhttp.MintToken(key, p, at, ttl)
		if err != nil {
			t.Fatal(err)
		}
		return tok
	}
	hs256, err := jwt.NewWithClaims(jwt.SigningMethodHS256, jwt.MapClaims{
		"iss": "caseledger", "sub": "x", "role": "admin", "exp": testNow.Add(time.Hour).Unix(),
	}).SignedString([]byte("secret"))
	if err != nil {
		t.Fatal(err)
	}
	noRole, err := jwt.NewWithClaims(jwt.SigningMethodEdDSA, jwt.MapClaims{
		"iss": "caseledger", "sub": "x", "exp": testNow.Add(time.Hour).Unix(),
	}).SignedString(ts.Key)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name       string
		header     string
		wantStatus int
		wantDetail string
	}{
		{name: "valid token", header: "Bearer " + ts.Token(t, applicant), wantStatus: http.StatusOK},
		{name: "no header", wantStatus: http.StatusUnauthorized, wantDetail: "a bearer token is required"},
		{name: "not a bearer", header: "Basic dXNlcjpwYXNz", wantStatus: http.StatusUnauthorized},
		{name: "garbage", header: "Bearer not.a.token", wantStatus: http.StatusUnauthorized, wantDetail: "invalid bearer token"},
		{name: "expired", header: "Bearer " + mint(ts.Key, applicant, testNow.Add(-2*time.Hour), time.Hour), wantStatus: http.StatusUnauthorized, wantDetail: "expired"},
		{name: "signed by another key", header: "Bearer " + mint(otherKey, applicant, testNow, time.Hour), wantStatus: http.StatusUnauthorized, wantDetail: "invalid bearer token"},
		{name: "HMAC instead of EdDSA", header: "Bearer " + hs256, wantStatus: http.StatusUnauthorized, wantDetail: "invalid bearer token"},
		{name: "missing role claim", header: "Bearer " + noRole, wantStatus: http.StatusUnauthorized, wantDetail: "lacks required claims"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := ts.Do(t, request{Method: http.MethodGet, Path: "/v1/me", Header: map[string]string{"Authorization": tt.header}})
			if got, want := res.Status, tt.wantStatus; got != want {
				t.Fatalf("status = %d, want %d; body %s", got, want, res.Body)
			}
			if tt.wantStatus == http.StatusOK {
				if got, want := res.JSON(t)["role"], "applicant"; got != want {
					t.Errorf("role = %v, want %v", got, want)
				}
				return
			}
			if got := res.JSON(t)["detail"].(string); !strings.Contains(got, tt.wantDetail) {
				t.Errorf("detail = %q, want it to contain %q", got, tt.wantDetail)
			}
			if got := res.Header.Get("WWW-Authenticate"); !strings.HasPrefix(got, "Bearer") {
				t.Errorf("WWW-Authenticate = %q, want a Bearer challenge", got)
			}
		})
	}
}

func TestMintTokenRefusesIncompletePrincipals(t *testing.T) {
	_, key, _ := ed25519.GenerateKey(nil)
	tests := []struct {
		name string
		p    caseledgerhttp.Principal
		ok   bool
	}{
		{"applicant needs only a subject", caseledgerhttp.Principal{Subject: "a", Role: caseledgerhttp.RoleApplicant}, true},
		{"no subject", caseledgerhttp.Principal{Role: caseledgerhttp.RoleApplicant}, false},
		{"unknown role", caseledgerhttp.Principal{Subject: "a", Role: "mayor"}, false},
		{"department officer without unit", caseledgerhttp.Principal{Subject: "a", Role: caseledgerhttp.RoleDepartment, Region: "442000"}, false},
		{"window officer with unit and region", caseledgerhttp.Principal{Subject: "a", Role: caseledgerhttp.RoleWindow, Unit: "zs-centre", Region: "442000"}, true},
		{"supervisor without region", caseledgerhttp.Principal{Subject: "a", Role: caseledgerhttp.RoleSupervisor}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := caseledgerhttp.MintToken(key, tt.p, testNow, time.Hour)
			if got, want := err == nil, tt.ok; got != want {
				t.Errorf("MintToken error = %v, want ok=%v", err, want)
			}
		})
	}
}

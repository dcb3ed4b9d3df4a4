package http_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	caseledgerhttp "github.com/caseledger/caseledger/http"
)

// movableClock is a test clock that tests move forward.
type movableClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *movableClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *movableClock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = t
}

func withClock(c *movableClock) serverOption {
	return func(cfg *caseledgerhttp.Config) { cfg.Now = c.Now }
}

func me(t *testing.T, ts *testServer, token string) response {
	t.Helper()
	return ts.Do(t, request{Method: http.MethodGet, Path: "/v1/me", Header: map[string]string{"Authorization": "Bearer " + token}})
}

func TestACachedTokenIsRefusedFromItsExpiry(t *testing.T) {
	tests := []struct {
		name       string
		at         time.Duration // after minting; the token lives an hour
		wantStatus int
	}{
		{name: "before expiry", at: 59 * time.Minute, wantStatus: http.StatusOK},
		{name: "at expiry", at: time.Hour, wantStatus: http.StatusUnauthorized},
		{name: "after expiry", at: 2 * time.Hour, wantStatus: http.StatusUnauthorized},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clock := &movableClock{now: testNow}
			ts := MustServer(t, withClock(clock))
			tok := ts.Token(t, applicant)
			if got, want := me(t, ts, tok).Status, http.StatusOK; got != want {
				t.Fatalf("first request: status = %d, want %d", got, want)
			}
			if got, want := caseledgerhttp.CachedTokens(ts.Server), 1; got != want {
				t.Fatalf("cached tokens = %d, want %d", got, want)
			}
			clock.Set(testNow.Add(tt.at))
			res := me(t, ts, tok)
			if got, want := res.Status, tt.wantStatus; got != want {
				t.Fatalf("status = %d, want %d; body %s", got, want, res.Body)
			}
			if tt.wantStatus != http.StatusOK {
				if got := res.JSON(t)["detail"].(string); !strings.Contains(got, "expired") {
					t.Errorf("detail = %q, want it to say the token expired", got)
				}
			}
		})
	}
}

func TestATamperedTokenIsRefusedAfterTheGenuineOneWasCached(t *testing.T) {
	ts := MustServer(t)
	tok := ts.Token(t, applicant)
	if got, want := me(t, ts, tok).Status, http.StatusOK; got != want {
		t.Fatalf("genuine token: status = %d, want %d", got, want)
	}
	header, payload, sig := splitToken(t, tok)
	other := ts.Token(t, admin)
	_, adminPayload, _ := splitToken(t, other)
	flipped := []byte(sig)
	flipped[len(flipped)/2] ^= 1
	tests := []struct {
		name  string
		token string
	}{
		{name: "another principal's claims under this signature", token: header + "." + adminPayload + "." + sig},
		{name: "a changed signature", token: header + "." + payload + "." + string(flipped)},
		{name: "the signature cut short", token: header + "." + payload + "." + sig[:len(sig)-4]},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for i := range 2 { // a failure is not cached: the second try fails the same way
				res := me(t, ts, tt.token)
				if got, want := res.Status, http.StatusUnauthorized; got != want {
					t.Fatalf("try %d: status = %d, want %d; body %s", i, got, want, res.Body)
				}
			}
			if got, want := caseledgerhttp.CachedTokens(ts.Server), 1; got != want {
				t.Errorf("cached tokens = %d, want %d (only the genuine one)", got, want)
			}
		})
	}
}

func TestTheTokenCacheStaysWithinItsBound(t *testing.T) {
	ts := MustServer(t)
	const size = 512
	caseledgerhttp.WithTokenCacheSize(ts.Server, size)
	n := size + 50
	for i := range n {
		p := caseledgerhttp.Principal{Subject: fmt.Sprintf("acct-%06d", i), Role: caseledgerhttp.RoleApplicant}
		// Straight to the server: the document check of Do would dominate.
		r := httptest.NewRequest(http.MethodGet, "/v1/me", nil)
		r.Header.Set("Authorization", "Bearer "+ts.Token(t, p))
		rec := httptest.NewRecorder()
		ts.ServeHTTP(rec, r)
		if got, want := rec.Code, http.StatusOK; got != want {
			t.Fatalf("token %d: status = %d, want %d", i, got, want)
		}
	}
	if got, limit := caseledgerhttp.CachedTokens(ts.Server), size; got > limit || got == 0 {
		t.Errorf("cached tokens = %d, want 1 to %d", got, limit)
	}
}

func splitToken(t *testing.T, tok string) (header, payload, sig string) {
	t.Helper()
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		t.Fatalf("token %q has %d parts, want 3", tok, len(parts))
	}
	return parts[0], parts[1], parts[2]
}

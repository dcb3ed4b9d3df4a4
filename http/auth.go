package http

import (
	"crypto/ed25519"
	"crypto/sha256"
	"errors"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/labstack/echo/v4"

	"github.com/caseledger/caseledger/domain"
)

// Role is what a token holder may do through the API.
type Role string

const (
	RoleApplicant  Role = "applicant"
	RoleWindow     Role = "window"     // window officer of a service centre
	RoleDepartment Role = "department" // department officer
	RoleSupervisor Role = "supervisor"
	RoleAnalyst    Role = "analyst" // de-identified data and metrics only
	RoleAdmin      Role = "admin"   // manages the catalogue and the store
)

// Roles lists every role, in the order documentation shows them.
var Roles = []Role{RoleApplicant, RoleWindow, RoleDepartment, RoleSupervisor, RoleAnalyst, RoleAdmin}

// Valid reports whether r is one of Roles.
func (r Role) Valid() bool { return slices.Contains(Roles, r) }

// tokenIssuer is the iss claim of every caseledger token; tokens of other
// issuers are refused even if the key matched.
const tokenIssuer = "caseledger"

// Principal is the verified holder of a request's token.
type Principal struct {
	Subject string // opaque account reference, never a name or ID number
	Role    Role
	// Unit is the service centre of a window officer or the department code
	// of a department officer; empty for the other roles.
	Unit string
	// Region is the 行政区划代码 the holder works in (supervisors read their
	// region); empty for applicants and analysts.
	Region string
}

// LogValue keeps the subject out of logs but a short prefix.
func (p Principal) LogValue() slog.Value {
	return slog.GroupValue(slog.String("role", string(p.Role)), slog.String("unit", p.Unit),
		slog.String("region", p.Region), slog.String("subject", maskSubject(p.Subject)))
}

func maskSubject(s string) string {
	if len(s) <= 4 {
		return "****"
	}
	return s[:4] + "****"
}

// claims is the JWT payload: registered claims plus the principal's.
type claims struct {
	jwt.RegisteredClaims
	Role   Role   `json:"role"`
	Unit   string `json:"unit,omitempty"`
	Region string `json:"region,omitempty"`
}

// MintToken signs a token for p valid from now for ttl, with EdDSA.
func MintToken(key ed25519.PrivateKey, p Principal, now time.Time, ttl time.Duration) (string, error) {
	if err := p.validate(); err != nil {
		return "", err
	}
	c := claims{
		RegisteredClaims: jwt.RegisteredClaims{
			Issuer:    tokenIssuer,
			Subject:   p.Subject,
			IssuedAt:  jwt.NewNumericDate(now),
			NotBefore: jwt.NewNumericDate(now),
			ExpiresAt: jwt.NewNumericDate(now.Add(ttl)),
		},
		Role: p.Role, Unit: p.Unit, Region: p.Region,
	}
	return jwt.NewWithClaims(jwt.SigningMethodEdDSA, c).SignedString(key)
}

// validate checks that a principal has what its role needs.
func (p Principal) validate() error {
	var fe fieldErrors
	if p.Subject == "" {
		fe.add("sub", "must not be empty")
	}
	if !p.Role.Valid() {
		fe.add("role", "must be one of applicant, window, department, supervisor, analyst, admin")
	}
	if (p.Role == RoleWindow || p.Role == RoleDepartment) && p.Unit == "" {
		fe.add("unit", "is required for window and department officers")
	}
	if (p.Role == RoleSupervisor || p.Role == RoleWindow || p.Role == RoleDepartment) && p.Region == "" {
		fe.add("region", "is required for officers and supervisors")
	}
	return fe.err()
}

// verifier checks bearer tokens against one public key.
type verifier struct {
	key    ed25519.PublicKey
	now    func() time.Time
	parser *jwt.Parser
	cache  *tokenCache
}

func newVerifier(key ed25519.PublicKey, now func() time.Time) *verifier {
	return &verifier{key: key, now: now, cache: newTokenCache(tokenCacheSize), parser: jwt.NewParser(
		jwt.WithValidMethods([]string{jwt.SigningMethodEdDSA.Alg()}),
		jwt.WithIssuer(tokenIssuer),
		jwt.WithExpirationRequired(),
		jwt.WithTimeFunc(now),
	)}
}

// verify returns the principal of a token; every failure is a plain 401
// so a caller learns nothing about why a forged token was refused.
func (v *verifier) verify(token string) (Principal, error) {
	sum := sha256.Sum256([]byte(token))
	if p, ok := v.cache.get(sum, v.now()); ok {
		return p, nil
	}
	var c claims
	_, err := v.parser.ParseWithClaims(token, &c, func(*jwt.Token) (any, error) { return v.key, nil })
	if err != nil {
		msg := "invalid bearer token"
		if errors.Is(err, jwt.ErrTokenExpired) {
			msg = "the bearer token has expired"
		}
		return Principal{}, &domain.Error{Code: domain.CodeUnauthorized, Message: msg, Err: err}
	}
	p := Principal{Subject: c.Subject, Role: c.Role, Unit: c.Unit, Region: c.Region}
	if err := p.validate(); err != nil {
		return Principal{}, &domain.Error{Code: domain.CodeUnauthorized, Message: "the bearer token lacks required claims", Err: err}
	}
	// The parser requires exp, so ExpiresAt is set here.
	v.cache.put(sum, p, c.ExpiresAt.Time, v.now())
	return p, nil
}

// TokenVerifier checks caseledger tokens for servers other than the API
// (the EventStoreDB endpoint) by the API's own rules: EdDSA only, issuer
// caseledger, exp required, the claims the role needs, and the same bounded
// cache of verified tokens. Safe for concurrent use.
type TokenVerifier struct{ v *verifier }

// NewTokenVerifier returns a verifier of tokens signed by the private half of
// key; now is the clock exp is checked against (nil means time.Now).
func NewTokenVerifier(key ed25519.PublicKey, now func() time.Time) *TokenVerifier {
	if now == nil {
		now = time.Now
	}
	return &TokenVerifier{v: newVerifier(key, now)}
}

// Verify returns the principal of token. Every failure is a *domain.Error
// of code CodeUnauthorized, saying only whether the token expired, is
// invalid or lacks claims.
func (t *TokenVerifier) Verify(token string) (Principal, error) { return t.v.verify(token) }

const principalKey = "caseledger.principal"

// authenticate requires a valid bearer token and stores its principal.
func (v *verifier) authenticate(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		h := c.Request().Header.Get(echo.HeaderAuthorization)
		token, ok := strings.CutPrefix(h, "Bearer ")
		if !ok || token == "" {
			c.Response().Header().Set(echo.HeaderWWWAuthenticate, `Bearer realm="caseledger"`)
			return domain.Errorf(domain.CodeUnauthorized, "a bearer token is required")
		}
		p, err := v.verify(token)
		if err != nil {
			c.Response().Header().Set(echo.HeaderWWWAuthenticate, `Bearer realm="caseledger", error="invalid_token"`)
			return err
		}
		c.Set(principalKey, p)
		return next(c)
	}
}

// principal returns the request's verified principal; routes behind
// authenticate always have one.
func principal(c echo.Context) Principal {
	p, _ := c.Get(principalKey).(Principal)
	return p
}

// allow refuses principals whose role is not listed, with 403: the route
// exists, the role may not use it.
func allow(roles ...Role) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			if !slices.Contains(roles, principal(c).Role) {
				return domain.Errorf(domain.CodeForbidden, "the %s role may not use this route", principal(c).Role)
			}
			return next(c)
		}
	}
}

package api

import (
	"encoding/json"
	"errors"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/golang-jwt/jwt/v5"
	"golang.org/x/crypto/bcrypt"

	"github.com/motcua/motcua/domain"
	"github.com/motcua/motcua/domain/audit"
	"github.com/motcua/motcua/domain/user"
)

// BcryptHasher hashes passwords with bcrypt.
type BcryptHasher struct{ Cost int }

var _ user.Hasher = BcryptHasher{}

// Hash implements user.Hasher.
func (h BcryptHasher) Hash(password string) (string, error) {
	cost := h.Cost
	if cost == 0 {
		cost = bcrypt.DefaultCost
	}
	b, err := bcrypt.GenerateFromPassword([]byte(password), cost)
	return string(b), err
}

// Verify implements user.Hasher.
func (BcryptHasher) Verify(hash, password string) bool {
	return bcrypt.CompareHashAndPassword([]byte(hash), []byte(password)) == nil
}

// TokenIssuer signs and verifies HS256 access tokens.
type TokenIssuer struct {
	secret   []byte
	issuer   string
	audience string
	ttl      time.Duration
	now      func() time.Time
}

// NewTokenIssuer returns an issuer. secret must be at least 32 bytes.
func NewTokenIssuer(secret []byte, issuer, audience string, ttl time.Duration, now func() time.Time) *TokenIssuer {
	return &TokenIssuer{secret: secret, issuer: issuer, audience: audience, ttl: ttl, now: now}
}

type claims struct {
	Role string `json:"role"`
	Unit string `json:"unit"`
	// Ver is the user's token version at login; a later password change,
	// disable, role or unit change or logout raises the user's and so
	// revokes the token. Tokens without it count as version 0.
	Ver int64 `json:"ver"`
	jwt.RegisteredClaims
}

// Issue returns a signed token for p and its lifetime in seconds.
func (t *TokenIssuer) Issue(p user.Principal) (string, int, error) {
	now := t.now()
	c := claims{Role: string(p.Role), Unit: p.Unit, Ver: p.TokenVersion, RegisteredClaims: jwt.RegisteredClaims{
		Subject: p.Username, Issuer: t.issuer, Audience: jwt.ClaimStrings{t.audience},
		IssuedAt: jwt.NewNumericDate(now), ExpiresAt: jwt.NewNumericDate(now.Add(t.ttl)),
	}}
	s, err := jwt.NewWithClaims(jwt.SigningMethodHS256, c).SignedString(t.secret)
	return s, int(t.ttl.Seconds()), err
}

// tokenSubject is who a verified token speaks for, and at which version.
type tokenSubject struct {
	Username string
	Version  int64
}

// Verify checks a token's signature (HS256 only), issuer, audience, issue and
// expiry times (30 s leeway) and returns its subject and version. The issue
// time is required, and every date (iat, exp, nbf) must be a JSON number.
func (t *TokenIssuer) Verify(tok string) (tokenSubject, error) {
	var c claims
	_, err := jwt.ParseWithClaims(tok, &c, func(*jwt.Token) (any, error) { return t.secret, nil },
		jwt.WithValidMethods([]string{"HS256"}), jwt.WithIssuer(t.issuer), jwt.WithAudience(t.audience),
		jwt.WithExpirationRequired(), jwt.WithIssuedAt(), jwt.WithLeeway(30*time.Second),
		jwt.WithTimeFunc(t.now))
	if err != nil || c.Subject == "" || c.IssuedAt == nil || !numericDates(tok) {
		if errors.Is(err, jwt.ErrTokenExpired) {
			return tokenSubject{}, &domain.Error{Kind: domain.KindUnauthenticated, Message: "Phiên đăng nhập đã hết hạn"}
		}
		return tokenSubject{}, domain.ErrUnauthenticated
	}
	return tokenSubject{Username: c.Subject, Version: c.Ver}, nil
}

// numericDates reports whether the dates of a (signature-checked) token are
// JSON numbers: the JWT library would also take a string holding digits.
func numericDates(tok string) bool {
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		return false
	}
	payload, err := jwt.NewParser().DecodeSegment(parts[1])
	if err != nil {
		return false
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(payload, &raw); err != nil {
		return false
	}
	for _, k := range []string{"iat", "exp", "nbf"} {
		v, ok := raw[k]
		if !ok {
			continue
		}
		var n json.Number
		if len(v) == 0 || v[0] == '"' || json.Unmarshal(v, &n) != nil {
			return false
		}
	}
	return true
}

type authHandler struct {
	users   UserService
	catalog CatalogService // names the caller's unit in /auth/me
	tokens  *TokenIssuer
	env
}

type loginRequest struct {
	Username string `json:"username"`
	Password string `json:"password"`
}

type loginResponse struct {
	AccessToken string `json:"access_token"`
	TokenType   string `json:"token_type"`
	ExpiresIn   int    `json:"expires_in"`
}

func (h *authHandler) login(c *gin.Context) (answer, error) {
	var req loginRequest
	if err := decodeJSON(c, &req); err != nil {
		return answer{}, err
	}
	p, err := h.users.Authenticate(c.Request.Context(), req.Username, req.Password)
	if err != nil {
		if domain.KindOf(err) == domain.KindUnauthenticated {
			// The name as typed, never the password; without waiting, so
			// a flood of failures cannot queue behind the database.
			en := entry(c, audit.LoginFailed, req.Username)
			en.Actor = req.Username
			h.enqueue(en)
		}
		return answer{}, err
	}
	en := entry(c, audit.LoginSucceeded, p.Username)
	en.Actor, en.Role = p.Username, string(p.Role)
	h.record(c, en)
	tok, ttl, err := h.tokens.Issue(p)
	if err != nil {
		return answer{}, err
	}
	return ok(loginResponse{AccessToken: tok, TokenType: "Bearer", ExpiresIn: ttl}), nil
}

// meResponse is who the caller is.
type meResponse struct {
	Username string  `json:"username"`
	Name     string  `json:"name"`
	Role     string  `json:"role"`
	Unit     *string `json:"unit"`
	UnitName *string `json:"unit_name"`
}

func (h *authHandler) me(c *gin.Context) (answer, error) {
	ctx := c.Request.Context()
	u, err := h.users.Me(ctx, principal(c))
	if err != nil {
		return answer{}, err
	}
	out := meResponse{Username: u.Username, Name: u.Name, Role: string(u.Role)}
	if u.Unit != "" {
		unit := u.Unit
		out.Unit = &unit
		a, err := h.catalog.Agency(ctx, u.Unit)
		switch {
		case err == nil:
			out.UnitName = &a.Name
		case domain.KindOf(err) != domain.KindNotFound:
			return answer{}, err
		}
	}
	c.Header("Cache-Control", "no-store")
	return ok(out), nil
}

func (h *authHandler) logout(c *gin.Context) (answer, error) {
	if err := h.users.Logout(c.Request.Context(), principal(c)); err != nil {
		return answer{}, err
	}
	return noContent(), nil
}

type passwordRequest struct {
	CurrentPassword string `json:"current_password"`
	NewPassword     string `json:"new_password"`
}

func (h *authHandler) password(c *gin.Context) (answer, error) {
	var req passwordRequest
	if err := decodeJSON(c, &req); err != nil {
		return answer{}, err
	}
	if err := h.users.ChangePassword(c.Request.Context(), principal(c), req.CurrentPassword, req.NewPassword); err != nil {
		return answer{}, err
	}
	h.record(c, entry(c, audit.PasswordChanged, principal(c).Username))
	return noContent(), nil
}

package api

import (
	"errors"
	"log/slog"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/golang-jwt/jwt/v5"
	"golang.org/x/crypto/bcrypt"

	"github.com/motcua/motcua/domain"
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
	jwt.RegisteredClaims
}

// Issue returns a signed token for p and its lifetime in seconds.
func (t *TokenIssuer) Issue(p user.Principal) (string, int, error) {
	now := t.now()
	c := claims{Role: string(p.Role), Unit: p.Unit, RegisteredClaims: jwt.RegisteredClaims{
		Subject: p.Username, Issuer: t.issuer, Audience: jwt.ClaimStrings{t.audience},
		IssuedAt: jwt.NewNumericDate(now), ExpiresAt: jwt.NewNumericDate(now.Add(t.ttl)),
	}}
	s, err := jwt.NewWithClaims(jwt.SigningMethodHS256, c).SignedString(t.secret)
	return s, int(t.ttl.Seconds()), err
}

// Verify checks a token's signature (HS256 only), issuer, audience, issue and
// expiry times (30 s leeway) and returns its subject.
func (t *TokenIssuer) Verify(tok string) (string, error) {
	var c claims
	_, err := jwt.ParseWithClaims(tok, &c, func(*jwt.Token) (any, error) { return t.secret, nil },
		jwt.WithValidMethods([]string{"HS256"}), jwt.WithIssuer(t.issuer), jwt.WithAudience(t.audience),
		jwt.WithExpirationRequired(), jwt.WithIssuedAt(), jwt.WithLeeway(30*time.Second),
		jwt.WithTimeFunc(t.now))
	if err != nil || c.Subject == "" {
		if errors.Is(err, jwt.ErrTokenExpired) {
			return "", &domain.Error{Kind: domain.KindUnauthenticated, Message: "Phiên đăng nhập đã hết hạn"}
		}
		return "", domain.ErrUnauthenticated
	}
	return c.Subject, nil
}

type authHandler struct {
	users  UserService
	tokens *TokenIssuer
	log    *slog.Logger
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

func (h *authHandler) login(c *gin.Context) {
	var req loginRequest
	if err := decodeJSON(c, &req); err != nil {
		writeError(c, h.log, err)
		return
	}
	fe := domain.FieldErrors{}
	if req.Username == "" {
		fe.Add("username", "bắt buộc")
	}
	if req.Password == "" {
		fe.Add("password", "bắt buộc")
	}
	if len(req.Username) > 200 {
		fe.Add("username", "quá dài")
	}
	if len(req.Password) > 200 {
		fe.Add("password", "quá dài")
	}
	if err := fe.Err(); err != nil {
		writeError(c, h.log, err)
		return
	}
	p, err := h.users.Authenticate(c.Request.Context(), req.Username, req.Password)
	if err != nil {
		writeError(c, h.log, err)
		return
	}
	tok, ttl, err := h.tokens.Issue(p)
	if err != nil {
		writeError(c, h.log, err)
		return
	}
	c.JSON(http.StatusOK, loginResponse{AccessToken: tok, TokenType: "Bearer", ExpiresIn: ttl})
}

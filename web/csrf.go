package web

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"hash"
	"net/http"
	"strings"
	"sync"

	"github.com/gin-gonic/gin"
)

// csrfKey signs the forms' CSRF tokens (signed double-submit): the token is
// "v1.<nonce>.<mac>", the mac HMAC-SHA256 of "csrf:"+nonce under a key
// derived from the data key, so a token cannot be made without the key,
// and a cookie set by a sibling host is refused. Its HMAC states are
// pooled: a reset one restores the keyed state instead of hashing the key
// again.
type csrfKey struct {
	key  []byte
	macs sync.Pool // of hash.Hash, HMAC-SHA256 under key
}

func newCSRFKey(key []byte) *csrfKey {
	k := &csrfKey{key: key}
	k.macs.New = func() any { return hmac.New(sha256.New, k.key) }
	return k
}

const csrfMaxAge = 86400

var b64 = base64.RawURLEncoding

// mint makes a fresh token.
func (k *csrfKey) mint() string {
	nonce := make([]byte, 32)
	_, _ = rand.Read(nonce) // never fails (crypto/rand)
	n := b64.EncodeToString(nonce)
	return "v1." + n + "." + b64.EncodeToString(k.mac(n))
}

func (k *csrfKey) mac(nonce string) []byte {
	m := k.macs.Get().(hash.Hash)
	defer k.macs.Put(m)
	m.Reset()
	m.Write([]byte("csrf:" + nonce))
	return m.Sum(nil)
}

// valid reports whether tok is a token this key made.
func (k *csrfKey) valid(tok string) bool {
	rest, ok := strings.CutPrefix(tok, "v1.")
	if !ok {
		return false
	}
	nonce, mac64, ok := strings.Cut(rest, ".")
	if !ok || len(nonce) != 43 || strings.Contains(mac64, ".") {
		return false
	}
	mac, err := b64.DecodeString(mac64)
	if err != nil {
		return false
	}
	return hmac.Equal(mac, k.mac(nonce))
}

// cookieName is the CSRF cookie's name: with https the __Host- prefix,
// which browsers accept only from a secure origin, for the whole host.
func (p *Pages) cookieName() string {
	if p.https {
		return "__Host-motcua_csrf"
	}
	return "motcua_csrf"
}

// csrfToken is the token a page's forms carry: the request's own when its
// cookie holds a valid one, else a fresh one set as the cookie.
func (p *Pages) csrfToken(c *gin.Context) string {
	if tok := c.GetString(ctxCSRFToken); tok != "" {
		return tok // the post's cookie, which checkCSRF has just verified
	}
	if ck, err := c.Request.Cookie(p.cookieName()); err == nil && p.csrf.valid(ck.Value) {
		return ck.Value
	}
	tok := p.csrf.mint()
	http.SetCookie(c.Writer, &http.Cookie{Name: p.cookieName(), Value: tok, Path: "/", MaxAge: csrfMaxAge,
		HttpOnly: true, Secure: p.https, SameSite: http.SameSiteStrictMode})
	return tok
}

// checkCSRF accepts a form post only when it comes from the public origin
// (Origin, or without it Referer, absent or naming it; "Origin: null" is
// refused) and its cookie and csrf_token field are equal and signed by us.
func (p *Pages) checkCSRF(c *gin.Context, form formValues) bool {
	origin := p.publicOrigin(c.Request)
	if o, present := c.Request.Header["Origin"]; present {
		if len(o) != 1 || o[0] != origin {
			return false
		}
	} else if ref := c.Request.Referer(); ref != "" {
		if ref != origin && !strings.HasPrefix(ref, origin+"/") {
			return false
		}
	}
	ck, err := c.Request.Cookie(p.cookieName())
	if err != nil {
		return false
	}
	field := form.get("csrf_token")
	if field == "" || !hmac.Equal([]byte(ck.Value), []byte(field)) || !p.csrf.valid(field) {
		return false
	}
	c.Set(ctxCSRFToken, field) // the page's forms carry it on, unverified again
	return true
}

package web

import "github.com/gin-gonic/gin"

// contentSecurityPolicy lets a page load only its own embedded files: no
// inline script or style, no other host, no framing.
const contentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

// headers sets, on every page and asset, the headers that keep a page to
// its own origin. The referrer policy is same-origin, not no-referrer:
// under no-referrer browsers send "Origin: null" on form posts, which the
// CSRF check must refuse.
func (p *Pages) headers(c *gin.Context) {
	h := c.Writer.Header()
	h.Set("Content-Security-Policy", contentSecurityPolicy)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Referrer-Policy", "same-origin")
	h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=()")
	h.Set("Cross-Origin-Opener-Policy", "same-origin")
	if p.https {
		h.Set("Strict-Transport-Security", "max-age=31536000")
	}
	c.Next()
}

package web

import (
	"crypto/rand"
	"encoding/hex"
	"io"
	"math"
	"mime"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gin-gonic/gin"
	"golang.org/x/text/unicode/norm"

	"github.com/motcua/motcua/domain"
)

// maxFormBytes is the largest form body read: the longest form (feedback,
// 10,000 characters of content) fits many times over.
const maxFormBytes = 64 << 10

// formValues is a posted form with each field at most once.
type formValues map[string]string

func (f formValues) get(name string) string { return f[name] }

const (
	ctxForm = "web.form"
	ctxCSRF = "web.csrf"
	// ctxCSRFToken is the post's CSRF token once checkCSRF verified it.
	ctxCSRFToken = "web.csrf-token"
)

// csrfPassed reports whether the post passed the CSRF check (readForm).
func csrfPassed(c *gin.Context) bool { return c.GetBool(ctxCSRF) }

// unlessRefused runs the idempotency middleware only for posts that passed
// the CSRF check; a refused one goes straight to its handler, which answers
// 403 and does nothing.
func unlessRefused(idem gin.HandlerFunc) gin.HandlerFunc {
	return func(c *gin.Context) {
		if !csrfPassed(c) {
			c.Next()
			return
		}
		idem(c)
	}
}

var (
	errNotForm = &domain.Error{Kind: domain.KindInvalid,
		Message: "Yêu cầu phải là một biểu mẫu (application/x-www-form-urlencoded)"}
	errBadForm = &domain.Error{Kind: domain.KindInvalid,
		Message: "Biểu mẫu không hợp lệ (trường lặp lại, ký tự không hợp lệ hoặc mã hoá sai)"}
	errFormTooLarge = &domain.Error{Kind: domain.KindTooLarge, Message: "Biểu mẫu quá lớn (tối đa 64 KiB)"}
)

// limit draws one token of the public bucket; over it the page is 429 with
// Retry-After, as the API answers.
func (p *Pages) limit(allow func(*gin.Context) (bool, time.Duration)) gin.HandlerFunc {
	return func(c *gin.Context) {
		if allow == nil {
			c.Next()
			return
		}
		if ok, wait := allow(c); !ok {
			secs := max(int(math.Ceil(wait.Seconds())), 1)
			p.renderError(c, "error", &domain.Error{Kind: domain.KindRateLimited,
				Message: "Quá nhiều yêu cầu; vui lòng thử lại sau " + strconv.Itoa(secs) + " giây",
				Details: map[string]any{"retry_after_seconds": secs}}, nil)
			return
		}
		c.Next()
	}
}

// readForm reads and checks the body of a page's POST: a urlencoded form
// of at most 64 KiB, valid UTF-8 without NUL, each field once. The parsed
// form waits in the context, and the body is put back for the idempotency
// record (which fingerprints it). The form's form_key becomes the
// request's Idempotency-Key, so a reload or a second click replays the
// first answer.
func (p *Pages) readForm(c *gin.Context) {
	if !isFormType(c.GetHeader("Content-Type")) {
		p.renderError(c, "error", errNotForm, nil)
		return
	}
	body, err := io.ReadAll(io.LimitReader(c.Request.Body, maxFormBytes+1))
	if err != nil {
		p.renderError(c, "error", errBadForm, nil)
		return
	}
	if len(body) > maxFormBytes {
		p.renderError(c, "error", errFormTooLarge, nil)
		return
	}
	text := string(body)
	form, err := parseForm(text)
	if err != nil {
		p.renderError(c, "error", err, nil)
		return
	}
	c.Set(ctxForm, form)
	// The CSRF verdict is taken here, before the idempotency record: a
	// refused post must neither claim its form key nor be kept under it.
	c.Set(ctxCSRF, p.checkCSRF(c, form))
	c.Request.Body = io.NopCloser(strings.NewReader(text))
	c.Request.ContentLength = int64(len(body))
	c.Request.Header.Del("Idempotency-Key")
	if k := form.get("form_key"); validFormKey(k) {
		c.Request.Header.Set("Idempotency-Key", "form:"+k)
	}
	c.Next()
}

// formType is the one content type a browser posts a form with.
const formType = "application/x-www-form-urlencoded"

// isFormType accepts a urlencoded form's content type, in UTF-8 when a
// charset is named. The browser's exact header is taken without parsing.
func isFormType(ct string) bool {
	if ct == formType {
		return true
	}
	mt, params, err := mime.ParseMediaType(ct)
	return err == nil && mt == formType &&
		(params["charset"] == "" || strings.EqualFold(params["charset"], "utf-8"))
}

// multilineFields are the form's free-text fields, where tab and newlines
// are allowed (the same rule as the API's JSON fields of the same names).
var multilineFields = map[string]bool{"content": true, "comment": true}

// parseForm decodes a urlencoded body strictly: a field twice, bytes that
// are not UTF-8 or a NUL make the form unreadable (400); another control
// character is a refused field (422), as the API answers it. Values are
// NFC-normalised, so "ệ" typed as one character or as e plus marks is
// stored the same way.
func parseForm(body string) (formValues, error) {
	vals, err := url.ParseQuery(body)
	if err != nil {
		return nil, errBadForm
	}
	out := formValues{}
	fe := domain.FieldErrors{}
	for k, vs := range vals {
		if len(vs) != 1 || !readable(k) || !readable(vs[0]) {
			return nil, errBadForm
		}
		if domain.CheckText(k, false) != domain.TextOK {
			return nil, errBadForm
		}
		if domain.CheckText(vs[0], multilineFields[k]) != domain.TextOK {
			fe.Add(k, "không được chứa ký tự điều khiển")
			continue
		}
		out[k] = norm.NFC.String(vs[0])
	}
	if err := fe.Err(); err != nil {
		return nil, err
	}
	return out, nil
}

// readable is text a form can carry at all: UTF-8 without NUL.
func readable(s string) bool { return utf8.ValidString(s) && !strings.ContainsRune(s, 0) }

// form is the request's parsed form (readForm ran before).
func form(c *gin.Context) formValues {
	if f, ok := c.Get(ctxForm); ok {
		return f.(formValues)
	}
	return formValues{}
}

// newFormKey is a fresh form_key: 16 random bytes in hex.
func newFormKey() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// validFormKey accepts what newFormKey makes.
func validFormKey(k string) bool {
	if len(k) != 32 {
		return false
	}
	_, err := hex.DecodeString(k)
	return err == nil
}

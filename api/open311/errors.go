package open311

import (
	"encoding/xml"
	"errors"
	"log/slog"
	"math"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/motcua/motcua/domain"
)

// Open311's errors: a list of {code, description}, code the HTTP status.

type errorJSON struct {
	Code        int    `json:"code"`
	Description string `json:"description"`
}

type errorsXML struct {
	XMLName xml.Name   `xml:"errors"`
	Errors  []errorXML `xml:"error"`
}

type errorXML struct {
	Code        int    `xml:"code"`
	Description string `xml:"description"`
}

// statuses is how a domain error kind is answered here. Open311 knows no
// 422: a refused value is 400, as a malformed one.
var statuses = map[domain.Kind]int{
	domain.KindInvalid:           http.StatusBadRequest,
	domain.KindValidation:        http.StatusBadRequest,
	domain.KindUnsupportedMedia:  http.StatusBadRequest,
	domain.KindUnauthenticated:   http.StatusForbidden,
	domain.KindForbidden:         http.StatusForbidden,
	domain.KindNotFound:          http.StatusNotFound,
	domain.KindConflict:          http.StatusConflict,
	domain.KindInvalidTransition: http.StatusConflict,
	domain.KindTooLarge:          http.StatusRequestEntityTooLarge,
	domain.KindRateLimited:       http.StatusTooManyRequests,
}

const internalMessage = "Lỗi hệ thống; vui lòng thử lại sau"

// fieldNames are the Open311 names of the domain's fields (a submission's
// refusal names the form's fields: asForm).
var fieldNames = map[string]string{
	"category":       "service_code",
	"content":        "description",
	"title":          "attribute[title]",
	"agency_code":    "attribute[agency_code]",
	"procedure_code": "attribute[procedure_code]",
	"dossier_code":   "attribute[dossier_code]",
	"dossier_pin":    "attribute[dossier_pin]",
	"sender.name":    "last_name, first_name",
	"sender.phone":   "phone",
	"sender.email":   "email",
	"sender.address": "address_string",
	"channel":        "channel",
}

// asForm renames the fields of a submission's refusal to the form's.
func asForm(err error) error {
	de, ok := asDomain(err)
	if !ok || len(de.Fields) == 0 {
		return err
	}
	out := *de
	out.Fields = make(map[string]string, len(de.Fields))
	for k, v := range de.Fields {
		if n := fieldNames[k]; n != "" {
			k = n
		}
		out.Fields[k] = v
	}
	return &out
}

// WriteError answers err in Open311's shape: XML when the path ends in
// .xml, else JSON. A refused value is one error per field. Internal errors
// are logged (with the route and request ID only) and shown as a fixed
// message.
func WriteError(c *gin.Context, log *slog.Logger, err error) {
	var de *domain.Error
	status := http.StatusInternalServerError
	if e, ok := asDomain(err); ok {
		if s, known := statuses[e.Kind]; known {
			de, status = e, s
		}
	}
	var list []errorJSON
	switch {
	case de == nil:
		if log != nil {
			log.ErrorContext(c.Request.Context(), "request failed", "err", err.Error(), "route", c.FullPath(),
				"request_id", c.GetString(RequestIDKey))
		}
		list = []errorJSON{{status, internalMessage}}
	case len(de.Fields) > 0:
		keys := make([]string, 0, len(de.Fields))
		for k := range de.Fields {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			list = append(list, errorJSON{status, k + ": " + de.Fields[k]})
		}
	default:
		list = []errorJSON{{status, de.Message}}
	}
	if de != nil && de.Kind == domain.KindRateLimited {
		if s, ok := de.Details["retry_after_seconds"].(int); ok {
			c.Header("Retry-After", strconv.Itoa(s))
		}
	}
	WriteErrors(c, status, list...)
}

// WriteErrors answers status with the given errors (their code is set to
// status).
func WriteErrors(c *gin.Context, status int, list ...errorJSON) {
	if strings.HasSuffix(c.Request.URL.Path, ".xml") {
		x := errorsXML{}
		for _, e := range list {
			x.Errors = append(x.Errors, errorXML{status, e.Description})
		}
		writeXML(c, status, x)
		c.Abort()
		return
	}
	for i := range list {
		list[i].Code = status
	}
	c.AbortWithStatusJSON(status, list)
}

// WriteStatus answers status with one error described by msg (405 for a
// method the path does not take).
func WriteStatus(c *gin.Context, status int, msg string) {
	WriteErrors(c, status, errorJSON{status, msg})
}

func asDomain(err error) (*domain.Error, bool) {
	var de *domain.Error
	return de, errors.As(err, &de)
}

// rateLimited is the 429 after wait.
func rateLimited(wait time.Duration) error {
	secs := int(math.Ceil(wait.Seconds()))
	if secs < 1 {
		secs = 1
	}
	return &domain.Error{Kind: domain.KindRateLimited,
		Message: "Quá nhiều yêu cầu; vui lòng thử lại sau " + strconv.Itoa(secs) + " giây",
		Details: map[string]any{"retry_after_seconds": secs}}
}

// RequestIDKey is the context key the API keeps the request ID under
// (api's withRequestID), for the log line of an internal error.
const RequestIDKey = "motcua.request_id"

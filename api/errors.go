package api

import (
	"context"
	"errors"
	"log/slog"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/motcua/motcua/api/httperr"
	"github.com/motcua/motcua/api/open311"
	"github.com/motcua/motcua/domain"
)

// errorBody is the JSON shape of every error answer.
type errorBody struct {
	Error errorPayload `json:"error"`
}

type errorPayload struct {
	Code    string         `json:"code"`
	Message string         `json:"message"`
	Details map[string]any `json:"details,omitempty"`
}

// StatusClientClosedRequest is the status recorded when the client went away
// before the answer (nginx's 499); the client never sees it.
const StatusClientClosedRequest = 499

const internalMessage = "Lỗi hệ thống; vui lòng thử lại sau"

// writeError renders err with the status and code of its kind. Internal
// errors are logged with the request ID and replaced by a fixed message, so
// no SQL, stack or personal data reaches the client.
func writeError(c *gin.Context, log *slog.Logger, err error) {
	// A client that hung up is not a fault of ours: no error log, no 500 in
	// the metrics, just the conventional 499 for the access log.
	if c.Request.Context().Err() != nil && (errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)) {
		if log != nil {
			log.InfoContext(context.WithoutCancel(c.Request.Context()), "request canceled by the client", "route", c.FullPath(),
				"request_id", c.GetString(ctxRequestID))
		}
		c.AbortWithStatus(StatusClientClosedRequest)
		return
	}
	if open311.Owns(c.Request.URL.Path) { // Open311's own error shape
		open311.WriteError(c, log, err)
		return
	}
	spec, de := httperr.Of(err)
	body := errorBody{Error: errorPayload{Code: spec.Code}}
	if de == nil {
		body.Error.Message = internalMessage
		if log != nil {
			log.ErrorContext(c.Request.Context(), "request failed", "err", err.Error(), "route", c.FullPath(),
				"request_id", c.GetString(ctxRequestID))
		}
	} else {
		body.Error.Message = de.Message
		if len(de.Fields) > 0 || len(de.Details) > 0 {
			body.Error.Details = map[string]any{}
			for k, v := range de.Details {
				body.Error.Details[k] = v
			}
			if len(de.Fields) > 0 {
				body.Error.Details["fields"] = de.Fields
			}
		}
		if de.Kind == domain.KindRateLimited {
			if s, ok := de.Details["retry_after_seconds"].(int); ok {
				c.Header("Retry-After", strconv.Itoa(s))
			}
		}
	}
	c.AbortWithStatusJSON(spec.Status, body)
}

// badRequest is a KindInvalid error with a message and optional field.
func badRequest(msg string, field string) error {
	e := &domain.Error{Kind: domain.KindInvalid, Message: msg}
	if field != "" {
		e.Fields = map[string]string{field: msg}
	}
	return e
}

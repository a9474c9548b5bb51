package domain

import (
	"errors"
	"fmt"
)

// Kind classifies an error for callers. Its zero value is KindInternal, so an
// unclassified error is never shown to users.
type Kind uint8

// The kinds of error. The API maps each to one HTTP status and one stable code
// in a single table (api/errors.go).
const (
	KindInternal            Kind = iota // a fault of ours; details are logged, never shown
	KindInvalid                         // malformed request: bad JSON, wrong types (400)
	KindValidation                      // well-formed but unacceptable values; Fields says which (422)
	KindUnauthenticated                 // no or bad credentials (401)
	KindForbidden                       // authenticated but the role may not do this (403)
	KindNotFound                        // nothing there, or outside the caller's scope (404)
	KindConflict                        // duplicate, stale version, idempotency clash (409)
	KindInvalidTransition               // the resource's state forbids the action (409)
	KindTooLarge                        // request body over the limit (413)
	KindRateLimited                     // too many requests from one client (429)
	KindUnsupportedMedia                // content of a type the resource does not take (415)
	KindRangeNotSatisfiable             // a byte range outside the content (416)
	KindNotReceived                     // the dossier was never received: it has no national portal record (409)
	KindIntegrationDisabled             // the integration asked for is turned off in this deployment (409)
)

// String names the kind for logs.
func (k Kind) String() string {
	switch k {
	case KindInvalid:
		return "invalid"
	case KindValidation:
		return "validation"
	case KindUnauthenticated:
		return "unauthenticated"
	case KindForbidden:
		return "forbidden"
	case KindNotFound:
		return "not_found"
	case KindConflict:
		return "conflict"
	case KindInvalidTransition:
		return "invalid_transition"
	case KindTooLarge:
		return "too_large"
	case KindRateLimited:
		return "rate_limited"
	case KindUnsupportedMedia:
		return "unsupported_media_type"
	case KindRangeNotSatisfiable:
		return "range_not_satisfiable"
	case KindNotReceived:
		return "not_received"
	case KindIntegrationDisabled:
		return "integration_disabled"
	default:
		return "internal"
	}
}

// Error is a classified error whose Message is safe to show to users. Message
// is Vietnamese, the users' language; Fields maps a request field to the
// reason it was refused (for KindValidation). Err is the cause: logged, never
// serialized.
type Error struct {
	Kind    Kind
	Message string
	Fields  map[string]string
	Details map[string]any
	Err     error
}

// Error implements error.
func (e *Error) Error() string {
	if e.Err != nil {
		return e.Kind.String() + ": " + e.Message + ": " + e.Err.Error()
	}
	return e.Kind.String() + ": " + e.Message
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// Errorf returns an *Error of kind k with a formatted user-facing message.
func Errorf(k Kind, format string, args ...any) *Error {
	return &Error{Kind: k, Message: fmt.Sprintf(format, args...)}
}

// Wrap returns an *Error of kind k with message msg and cause err.
func Wrap(k Kind, err error, msg string) *Error {
	return &Error{Kind: k, Message: msg, Err: err}
}

// KindOf reports the Kind of the first *Error in err's chain, KindInternal if
// there is none.
func KindOf(err error) Kind {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return KindInternal
}

// FieldErrors collects per-field validation problems.
type FieldErrors map[string]string

// Add records reason for field, keeping the first reason given.
func (f FieldErrors) Add(field, reason string) {
	if _, ok := f[field]; !ok {
		f[field] = reason
	}
}

// Err returns a KindValidation *Error carrying the fields, or nil when there
// are none.
func (f FieldErrors) Err() error {
	if len(f) == 0 {
		return nil
	}
	return &Error{Kind: KindValidation, Message: "Dữ liệu không hợp lệ", Fields: map[string]string(f)}
}

// Common errors with their Vietnamese messages.
var (
	// ErrNotFound is the generic not-found answer.
	ErrNotFound = &Error{Kind: KindNotFound, Message: "Không tìm thấy"}
	// ErrForbidden is the generic answer to a role that may not act.
	ErrForbidden = &Error{Kind: KindForbidden, Message: "Bạn không có quyền thực hiện thao tác này"}
	// ErrUnauthenticated is the generic answer to missing or bad credentials.
	ErrUnauthenticated = &Error{Kind: KindUnauthenticated, Message: "Chưa đăng nhập hoặc phiên đăng nhập không hợp lệ"}
	// ErrStale answers an update that lost an optimistic-concurrency race.
	ErrStale = &Error{Kind: KindConflict, Message: "Dữ liệu đã được người khác thay đổi; vui lòng tải lại và thử lại"}
)

// NotFound returns a KindNotFound error naming what was not found, e.g.
// NotFound("hồ sơ") → "Không tìm thấy hồ sơ".
func NotFound(what string) *Error {
	return &Error{Kind: KindNotFound, Message: "Không tìm thấy " + what}
}

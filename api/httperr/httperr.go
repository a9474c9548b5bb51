// Package httperr is the one table that turns a domain error into an HTTP
// status and the stable code clients branch on. The JSON API (api) and the
// pages (web) both answer through it, so a page and the API answer the same
// status and code for the same input.
package httperr

import (
	"errors"
	"net/http"

	"github.com/motcua/motcua/domain"
)

// Spec is how one domain kind is shown: its HTTP status and its code.
type Spec struct {
	Status int
	Code   string
}

// table is the one place where errors become HTTP statuses.
var table = map[domain.Kind]Spec{
	domain.KindInvalid:             {http.StatusBadRequest, "invalid_request"},
	domain.KindValidation:          {http.StatusUnprocessableEntity, "validation_failed"},
	domain.KindUnauthenticated:     {http.StatusUnauthorized, "unauthenticated"},
	domain.KindForbidden:           {http.StatusForbidden, "forbidden"},
	domain.KindNotFound:            {http.StatusNotFound, "not_found"},
	domain.KindConflict:            {http.StatusConflict, "conflict"},
	domain.KindInvalidTransition:   {http.StatusConflict, "invalid_transition"},
	domain.KindTooLarge:            {http.StatusRequestEntityTooLarge, "payload_too_large"},
	domain.KindRateLimited:         {http.StatusTooManyRequests, "rate_limited"},
	domain.KindUnsupportedMedia:    {http.StatusUnsupportedMediaType, "unsupported_media_type"},
	domain.KindRangeNotSatisfiable: {http.StatusRequestedRangeNotSatisfiable, "range_not_satisfiable"},
	domain.KindNotReceived:         {http.StatusConflict, "not_received"},
	domain.KindIntegrationDisabled: {http.StatusConflict, "integration_disabled"},
	domain.KindInternal:            {http.StatusInternalServerError, "internal"},
}

// Of classifies err: its spec and, unless it is internal, the domain error
// it carries (nil for an internal error, whose text must not be shown).
func Of(err error) (Spec, *domain.Error) {
	var de *domain.Error
	if errors.As(err, &de) {
		if s, ok := table[de.Kind]; ok && de.Kind != domain.KindInternal {
			return s, de
		}
	}
	return table[domain.KindInternal], nil
}

// Kinds lists every kind the table knows, for tests that walk it.
func Kinds() []domain.Kind {
	out := make([]domain.Kind, 0, len(table))
	for k := range table {
		out = append(out, k)
	}
	return out
}

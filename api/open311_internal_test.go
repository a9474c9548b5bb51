package api

import (
	"testing"

	"github.com/motcua/motcua/api/open311"
)

// The facade logs an internal error with the request ID the API keeps.
func TestOpen311RequestIDKey(t *testing.T) {
	if open311.RequestIDKey != ctxRequestID {
		t.Fatalf("open311.RequestIDKey = %q, want the API's %q", open311.RequestIDKey, ctxRequestID)
	}
}

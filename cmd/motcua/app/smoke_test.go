package app_test

import (
	"net/http"
	"testing"

	"github.com/motcua/motcua/cmd/motcua/app/apptest"
)

func TestSmokeDemoLoginsAndCatalog(t *testing.T) {
	s := apptest.New(t, apptest.Options{})
	for _, u := range []string{"admin", "clerk", "officer", "leader", "viewer", "clerk.commune", "leader.commune"} {
		tok := s.Token(u)
		r := apptest.Want(t, s.Get("/api/v1/procedures?page_size=5", tok), http.StatusOK)
		if got := r.JSON(t)["total"].(float64); got < 20 {
			t.Fatalf("%s sees %v procedures, want the demo's 20+", u, got)
		}
	}
}

package api_test

import (
	"net/http"
	"sync"
	"testing"

	"gorm.io/gorm"

	"github.com/motcua/motcua/cmd/motcua/app/apptest"
)

// TestWarmRegistrationReadsNoCatalog: once the counter has registered a
// dossier, the next registration of the same procedure reads neither the
// agencies nor the procedures (the catalogue's short cache) and reads the
// clerk's account once (the authentication, whose principal carries the
// name the receipt prints): the statements that would otherwise run while
// the unit's day counter is held.
func TestWarmRegistrationReadsNoCatalog(t *testing.T) {
	s := apptest.New(t, apptest.Options{})
	tok := s.Token("clerk")
	first := apptest.Want(t, s.Post("/api/v1/dossiers", tok, dossierBody(justiceTenDays, "direct")), http.StatusCreated).JSON(t)
	var mu sync.Mutex
	reads := map[string]int{}
	if err := s.App.DB.Callback().Query().Register("test:table_reads", func(tx *gorm.DB) {
		if tx.Statement != nil {
			mu.Lock()
			reads[tx.Statement.Table]++
			mu.Unlock()
		}
	}); err != nil {
		t.Fatal(err)
	}
	second := apptest.Want(t, s.Post("/api/v1/dossiers", tok, dossierBody(justiceTenDays, "direct")), http.StatusCreated).JSON(t)
	mu.Lock()
	defer mu.Unlock()
	for _, table := range []string{"agencies", "procedures", "procedure_publications"} {
		if reads[table] != 0 {
			t.Errorf("a warm registration read %s %d times, want 0 (all reads: %v)", table, reads[table], reads)
		}
	}
	if reads["users"] != 1 {
		t.Errorf("a warm registration read users %d times, want 1 (all reads: %v)", reads["users"], reads)
	}
	if first["received_by_name"] == nil || first["received_by_name"] != second["received_by_name"] || second["received_by_name"] == "clerk" {
		t.Errorf("received_by_name %v then %v, want the clerk's full name both times", first["received_by_name"], second["received_by_name"])
	}
}

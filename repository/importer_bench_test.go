package repository_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/motcua/motcua/domain/importer"
)

func BenchmarkImportDossiers(b *testing.B) {
	e := newImportEnv(b)
	n := 0
	for b.Loop() {
		var lines []string
		for i := 0; i < 5000; i++ {
			n++
			lines = append(lines, importDossierJSON(fmt.Sprintf("B-%07d", n), "returned",
				`,"resolved_at":"2021-08-04T10:00:00+07:00","outcome":"approved","returned_at":"2021-08-05T09:00:00+07:00"`))
		}
		r, err := e.svc.Import(b.Context(), importAdmin, importer.Dossiers, strings.NewReader(strings.Join(lines, "\n")), nil)
		if err != nil || r.Imported != 5000 {
			b.Fatal(err, r)
		}
	}
}

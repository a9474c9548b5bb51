package repository_test

import (
	"fmt"
	"math/rand"
	"strings"
	"testing"
	"time"

	"github.com/motcua/motcua/domain/importer"
)

func BenchmarkTmpImportSpread(b *testing.B) {
	e := newImportEnv(b)
	n := 0
	rng := rand.New(rand.NewSource(1))
	base := time.Date(2021, 1, 4, 8, 0, 0, 0, hcm)
	for b.Loop() {
		var lines []string
		for i := 0; i < 5000; i++ {
			n++
			recv := base.Add(time.Duration(rng.Intn(300*24)) * time.Hour)
			res := recv.Add(time.Duration(1+rng.Intn(200)) * time.Hour)
			lines = append(lines, fmt.Sprintf(`{"code":"S-%07d","procedure_code":%q,"unit_code":%q,"channel":"direct","status":"resolved",`+
				`"applicant":{"name":"Nguyễn Văn An"},"received_at":%q,"resolved_at":%q,"outcome":"approved"}`,
				n, iProc, iCentre, recv.Format(time.RFC3339), res.Format(time.RFC3339)))
		}
		r, err := e.svc.Import(b.Context(), importAdmin, importer.Dossiers, strings.NewReader(strings.Join(lines, "\n")), nil)
		if err != nil || r.Imported != 5000 {
			b.Fatal(err, r)
		}
	}
}

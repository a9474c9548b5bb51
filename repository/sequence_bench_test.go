package repository

import (
	"context"
	"strconv"
	"strings"
	"testing"

	"gorm.io/gorm"

	"github.com/motcua/motcua/domain/dossier"
	"github.com/motcua/motcua/domain/worktime"
)

// benchUnit and benchDay are the reception unit and local date the code
// benchmarks number dossiers for.
var (
	benchUnit = "000.00.20.H99"
	benchDay  = worktime.Date{Year: 2026, Month: 11, Day: 23}
)

// BenchmarkFormatCode measures formatting a dossier code from its unit,
// date and ordinal (pure string work, no database).
func BenchmarkFormatCode(b *testing.B) {
	b.ReportAllocs()
	var n int64
	for b.Loop() {
		n = n%12000 + 1 // 4 digits, then 5 after 9,999
		code := dossier.FormatCode(benchUnit, benchDay, n)
		if !strings.HasPrefix(code, benchUnit+"-261123-") || len(code) < len(benchUnit)+12 {
			b.Fatalf("FormatCode(%d) = %q", n, code)
		}
	}
}

// BenchmarkNextCode measures what registration spends on the code: a
// transaction that takes the next number of the unit's daily series
// (nextInSequence, the row lock that makes it gap-free) and formats the
// code. It runs on the database OpenTest picks (SQLite unless
// MOTCUA_TEST_POSTGRES is set) and checks the numbers are consecutive.
func BenchmarkNextCode(b *testing.B) {
	db := OpenTest(b)
	ctx := context.Background()
	series := dossier.Series(benchUnit, benchDay)
	var last int64
	b.ReportAllocs()
	for b.Loop() {
		var code string
		err := db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
			n, err := nextInSequence(ctx, tx, series)
			if err != nil {
				return err
			}
			if n != last+1 {
				b.Fatalf("series gave %d after %d", n, last)
			}
			last = n
			code = dossier.FormatCode(benchUnit, benchDay, n)
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
		if !strings.HasSuffix(code, "-"+pad4(last)) {
			b.Fatalf("code %q does not end in %d", code, last)
		}
	}
}

// BenchmarkNextCodeParallel is BenchmarkNextCode with concurrent callers
// on one series: the contention of several clerks at one counter on one day.
func BenchmarkNextCodeParallel(b *testing.B) {
	db := OpenTest(b)
	ctx := context.Background()
	series := dossier.Series(benchUnit, benchDay)
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			err := db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
				n, err := nextInSequence(ctx, tx, series)
				if err != nil {
					return err
				}
				if n < 1 {
					b.Errorf("series gave %d", n)
				}
				_ = dossier.FormatCode(benchUnit, benchDay, n)
				return nil
			})
			if err != nil {
				b.Error(err)
				return
			}
		}
	})
	var total int64
	if err := db.Raw("SELECT value FROM sequences WHERE name = ?", series).Scan(&total).Error; err != nil {
		b.Fatal(err)
	}
	if total != int64(b.N) {
		b.Fatalf("series ended at %d after %d calls: numbers lost or reused", total, b.N)
	}
}

func pad4(n int64) string {
	s := strconv.FormatInt(n, 10)
	for len(s) < 4 {
		s = "0" + s
	}
	return s
}

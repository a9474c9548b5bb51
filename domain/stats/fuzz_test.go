package stats

import (
	"testing"
	"time"
)

// FuzzParsePeriod: any query values either fail with a validation error or
// give a well-formed period that reads back the same from its own name (or
// its dates, for a range), and whose heading can be written.
func FuzzParsePeriod(f *testing.F) {
	loc := time.FixedZone("ICT", 7*3600)
	f.Fuzz(func(t *testing.T, month, quarter, half, year, from, to string, cutoff uint8) {
		cut := int(cutoff % 29) // 0 = calendar months, else the cut-off day
		in := PeriodInput{Month: month, Quarter: quarter, Half: half, Year: year, From: from, To: to}
		p, err := ParsePeriod(in, cut, loc)
		if err != nil {
			if p != (Period{}) {
				t.Fatalf("an error with a period: %+v", p)
			}
			return
		}
		if p.To.Before(p.From) || !p.Start.Before(p.End) {
			t.Fatalf("%+v: reversed", p)
		}
		if !p.Contains(p.Start) || p.Contains(p.End) || !p.Contains(p.End.Add(-time.Nanosecond)) {
			t.Fatalf("%+v: Start/End are not the half-open span", p)
		}
		if y := p.From.Year; y < MinYear-1 || p.To.Year > MaxYear {
			t.Fatalf("%+v: year out of range", p)
		}
		again := PeriodInput{}
		switch p.Kind {
		case KindMonth:
			again.Month = p.Name
		case KindQuarter:
			again.Quarter = p.Name
		case KindHalf:
			again.Half = p.Name
		case KindYear:
			again.Year = p.Name
		case KindRange:
			again.From, again.To = p.From.String(), p.To.String()
		default:
			t.Fatalf("kind %q", p.Kind)
		}
		q, err := ParsePeriod(again, cut, loc)
		if err != nil || q != p {
			t.Fatalf("%+v does not read back from %+v: %+v, %v", p, again, q, err)
		}
		if p.Label() == "" {
			t.Fatalf("%+v: no label", p)
		}
	})
}

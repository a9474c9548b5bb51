package repository

import (
	"testing"
	"time"

	"github.com/motcua/motcua/domain/worktime"
)

// The recorded zone reads back in any process, fixed zones included, with
// no process-wide registry.
func TestRollupZoneNamesReadBack(t *testing.T) {
	for _, loc := range []*time.Location{worktime.DefaultLocation(), time.UTC, time.FixedZone("+07", 7*3600),
		time.FixedZone("ICT", 7*3600), time.FixedZone("UTC-03:30", -(3*3600 + 1800))} {
		got, err := zoneByName(zoneName(loc))
		if err != nil {
			t.Fatalf("%s: %v", loc, err)
		}
		at := time.Date(2026, 11, 23, 9, 0, 0, 0, loc)
		if gotName, gotOff := at.In(got).Zone(); gotName == "" || !at.In(got).Equal(at) {
			t.Errorf("%s read back as %s", loc, got)
		} else if _, wantOff := at.Zone(); gotOff != wantOff {
			t.Errorf("%s: offset %d, want %d", loc, gotOff, wantOff)
		}
	}
	if _, err := zoneByName("fixed:x:+07"); err == nil {
		t.Error("a malformed fixed zone reads back")
	}
	if _, err := zoneByName("Nowhere/Atlantis"); err == nil {
		t.Error("an unknown zone reads back")
	}
}

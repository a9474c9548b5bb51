package dossier

import (
	"testing"
	"time"

	"github.com/motcua/motcua/domain"
)

func TestCursorRoundTrip(t *testing.T) {
	recv := time.Date(2026, 11, 23, 2, 0, 0, 123456000, time.UTC)
	for _, d := range []Dossier{
		{ID: 42, SubmittedAt: recv.Add(-time.Hour), ReceivedAt: &recv},
		{ID: 7, SubmittedAt: recv}, // not received yet: its submission time sorts it
	} {
		c := CursorAfter(d)
		got, ok := domain.ParseCursor(c.String())
		if !ok || !got.At.Equal(c.At) || got.ID != d.ID {
			t.Errorf("%+v: parsed %+v %v", c, got, ok)
		}
	}
	if c := CursorAfter(Dossier{ID: 7, SubmittedAt: recv}); !c.At.Equal(recv) {
		t.Errorf("unreceived dossier sorts by submission: %v", c.At)
	}
	for _, bad := range []string{"", "x", "!!!", "YzEuMS4w", "YzIuMS4x", "YzEuMS4tNQ", "YzEuMQ", string(make([]byte, 80))} {
		if c, ok := domain.ParseCursor(bad); ok {
			t.Errorf("%q parsed as %+v", bad, c)
		}
	}
}

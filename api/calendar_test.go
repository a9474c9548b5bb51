package api_test

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/motcua/motcua/cmd/motcua/app/apptest"
)

func TestCalendar(t *testing.T) {
	t.Parallel()
	e := start(t, apptest.Options{})
	admin, clerk := e.tok("admin"), e.tok("clerk")
	y := obj(t, apptest.Want(t, e.get("/api/v1/calendar/2026", clerk), http.StatusOK))
	if y["year"] != float64(2026) || y["stored"] != true || len(y["holidays"].([]any)) < 5 {
		t.Fatalf("seeded 2026: %v", y)
	}
	if fmt.Sprint(y["working_hours"]) != "[[07:00 11:30] [13:30 17:00]]" {
		t.Fatalf("2026 sessions %v", y["working_hours"])
	}
	d := obj(t, apptest.Want(t, e.get("/api/v1/calendar/2035", clerk), http.StatusOK))
	if d["stored"] != false || len(d["holidays"].([]any)) != 0 || len(d["working_weekends"].([]any)) != 0 ||
		fmt.Sprint(d["working_hours"]) != "[[07:00 11:30] [13:30 17:00]]" {
		t.Fatalf("default year: %v", d)
	}

	body := map[string]any{
		"holidays":         []string{"2035-01-01", "2035-02-07"},
		"working_weekends": []string{"2035-01-06"}, // a Saturday
		"working_hours":    [][]string{{"07:30", "11:30"}, {"13:00", "17:00"}},
	}
	put := obj(t, apptest.Want(t, e.put("/api/v1/calendar/2035", admin, body), http.StatusOK))
	if put["stored"] != true || fmt.Sprint(put["holidays"]) != "[2035-01-01 2035-02-07]" {
		t.Fatalf("put %v", put)
	}
	got := obj(t, e.get("/api/v1/calendar/2035", clerk))
	if got["stored"] != true || fmt.Sprint(got["holidays"]) != "[2035-01-01 2035-02-07]" ||
		fmt.Sprint(got["working_weekends"]) != "[2035-01-06]" || fmt.Sprint(got["working_hours"]) != "[[07:30 11:30] [13:00 17:00]]" {
		t.Fatalf("stored 2035: %v", got)
	}
	// Without working_hours a year gets the default sessions.
	apptest.Want(t, e.put("/api/v1/calendar/2036", admin, map[string]any{"holidays": []string{"2036-01-01"}}), http.StatusOK)
	if got := obj(t, e.get("/api/v1/calendar/2036", clerk)); fmt.Sprint(got["working_hours"]) != "[[07:00 11:30] [13:30 17:00]]" {
		t.Fatalf("2036 sessions %v", got["working_hours"])
	}

	tests := []struct {
		name   string
		body   map[string]any
		fields []string
	}{
		{"holiday in another year", map[string]any{"holidays": []string{"2036-01-01"}}, []string{"holidays[0]"}},
		{"bad date", map[string]any{"holidays": []string{"2035-01-01", "2035-13-01"}}, []string{"holidays[1]"}},
		{"not a date", map[string]any{"holidays": []string{"mồng một Tết"}}, []string{"holidays[0]"}},
		{"duplicate holiday", map[string]any{"holidays": []string{"2035-01-01", "2035-01-01"}}, []string{"holidays[1]"}},
		{"working weekend on a weekday", map[string]any{"working_weekends": []string{"2035-01-02"}}, []string{"working_weekends[0]"}},
		{"working weekend that is a holiday", map[string]any{"holidays": []string{"2035-01-06"}, "working_weekends": []string{"2035-01-06"}},
			[]string{"working_weekends[0]"}},
		{"session of one clock", map[string]any{"working_hours": [][]string{{"07:00"}}}, []string{"working_hours[0]"}},
		{"bad clock", map[string]any{"working_hours": [][]string{{"07:00", "25:00"}}}, []string{"working_hours[0]"}},
		{"end before start", map[string]any{"working_hours": [][]string{{"11:30", "07:00"}}}, []string{"working_hours[0]"}},
		{"overlapping sessions", map[string]any{"working_hours": [][]string{{"07:00", "12:00"}, {"11:00", "17:00"}}}, []string{"working_hours[1]"}},
		{"out of order", map[string]any{"working_hours": [][]string{{"13:30", "17:00"}, {"07:00", "11:30"}}}, []string{"working_hours[1]"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wantFields(t, e.put("/api/v1/calendar/2035", admin, tt.body), tt.fields...)
		})
	}
	if got := obj(t, e.get("/api/v1/calendar/2035", clerk)); fmt.Sprint(got["holidays"]) != "[2035-01-01 2035-02-07]" {
		t.Fatalf("a refused PUT changed the year: %v", got)
	}
	for _, year := range []string{"abc", "1899", "10000", "2035.5", "-1"} {
		wantFields(t, e.get("/api/v1/calendar/"+year, clerk), "year")
		wantFields(t, e.put("/api/v1/calendar/"+year, admin, body), "year")
	}
}

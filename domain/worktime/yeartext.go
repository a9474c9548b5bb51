package worktime

import "strconv"

// YearText is a year's calendar as people write it: dates as YYYY-MM-DD and
// working sessions as ["HH:MM","HH:MM"] pairs. It is the shape of the
// calendar API's body, of the stored row and of the shipped official
// calendars.
type YearText struct {
	Year            int        `json:"year"`
	Holidays        []string   `json:"holidays"`
	WorkingWeekends []string   `json:"working_weekends"`
	WorkingHours    [][]string `json:"working_hours"`
}

// Parse reads t into a Year. It returns, like Year.Validate, a map from
// field ("holidays[2]", "working_hours[0]") to a short Vietnamese reason for
// every value that cannot be read; the Year holds the values that could.
func (t YearText) Parse() (Year, map[string]string) {
	y := Year{Year: t.Year}
	errs := map[string]string{}
	dates := func(field string, in []string) []Date {
		var out []Date
		for i, s := range in {
			d, err := ParseDate(s)
			if err != nil {
				errs[field+"["+strconv.Itoa(i)+"]"] = "ngày phải có dạng YYYY-MM-DD"
				continue
			}
			out = append(out, d)
		}
		return out
	}
	y.Holidays = dates("holidays", t.Holidays)
	y.WorkingWeekends = dates("working_weekends", t.WorkingWeekends)
	for i, pair := range t.WorkingHours {
		field := "working_hours[" + strconv.Itoa(i) + "]"
		if len(pair) != 2 {
			errs[field] = `mỗi buổi là ["HH:MM","HH:MM"]`
			continue
		}
		a, err1 := ParseClock(pair[0])
		b, err2 := ParseClock(pair[1])
		if err1 != nil || err2 != nil {
			errs[field] = "giờ phải có dạng HH:MM"
			continue
		}
		y.Sessions = append(y.Sessions, Session{Start: a, End: b})
	}
	return y, errs
}

// Text writes y the way people write it; Text().Parse() gives y back.
func (y Year) Text() YearText {
	t := YearText{Year: y.Year, Holidays: []string{}, WorkingWeekends: []string{}, WorkingHours: [][]string{}}
	for _, d := range y.Holidays {
		t.Holidays = append(t.Holidays, d.String())
	}
	for _, d := range y.WorkingWeekends {
		t.WorkingWeekends = append(t.WorkingWeekends, d.String())
	}
	for _, s := range y.Sessions {
		t.WorkingHours = append(t.WorkingHours, []string{s.Start.String(), s.End.String()})
	}
	return t
}

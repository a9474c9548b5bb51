package main

import (
	"math/rand/v2"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/motcua/motcua/domain/dossier"
	"github.com/motcua/motcua/domain/worktime"
)

// ordinalBase offsets the ordinals of generated codes, so the imported
// history never takes a code the demo seed or a registration hands out.
const ordinalBase = 5000

// procInfo is what the generator needs of a procedure.
type procInfo struct {
	Code     string
	Name     string
	Agency   string
	Level    string
	Value    int
	Unit     string // working_days, working_hours or days
	OnSpotOK bool
}

// agencyInfo is what the generator and the floors need of an agency.
type agencyInfo struct {
	Code   string
	Name   string
	Kind   string
	Parent string
	Closed bool
}

// desk is a reception unit, how much of the traffic it gets and the
// procedures it receives.
type desk struct {
	Unit   string
	Weight int
	Procs  []procInfo
}

// world is the catalogue the data is generated over: the demo province as
// the server answers it.
type world struct {
	Loc      *time.Location
	Agencies map[string]agencyInfo
	Procs    map[string]procInfo
	Desks    []desk
}

// buildDesks spreads the traffic like a province does: the provincial
// centre receives the province-level procedures, open district desks the
// district ones, communes the commune ones (and, in a two-tier province
// with no open district, the former district ones too).
func (w *world) buildDesks(procs []procInfo) {
	byLevel := map[string][]procInfo{}
	for _, p := range procs {
		byLevel[p.Level] = append(byLevel[p.Level], p)
	}
	w.Desks = nil
	openDistrict := false
	for _, a := range w.Agencies {
		openDistrict = openDistrict || (a.Kind == "district" && !a.Closed)
	}
	communeProcs := byLevel["commune"]
	if !openDistrict {
		communeProcs = append(append([]procInfo(nil), communeProcs...), byLevel["district"]...)
	}
	for _, code := range sortedKeys(w.Agencies) {
		a := w.Agencies[code]
		if a.Closed {
			continue
		}
		switch {
		case a.Kind == "service_center" && len(byLevel["province"]) > 0:
			w.Desks = append(w.Desks, desk{Unit: a.Code, Weight: 8, Procs: byLevel["province"]})
		case a.Kind == "district" && len(byLevel["district"]) > 0:
			w.Desks = append(w.Desks, desk{Unit: a.Code, Weight: 4, Procs: byLevel["district"]})
		case a.Kind == "commune" && len(communeProcs) > 0:
			w.Desks = append(w.Desks, desk{Unit: a.Code, Weight: 2, Procs: communeProcs})
		}
	}
	if len(w.Desks) == 0 {
		for _, code := range sortedKeys(w.Agencies) {
			if !w.Agencies[code].Closed {
				w.Desks = append(w.Desks, desk{Unit: code, Weight: 1, Procs: procs})
			}
		}
	}
}

// record is one generated dossier: its identity, applicant and the times
// its status implies (zero when absent).
type record struct {
	Code, Procedure, Unit, Agency string
	Channel, Status, Outcome      string
	OnSpot                        bool
	Name, IDNumber, Phone, Addr   string
	ProcValue                     int
	ProcUnit                      string
	Submitted, Received, Due      time.Time
	Resolved, Returned, Withdrawn time.Time
	Stopped, Rejected             time.Time
}

// statusCode is the national status code of a status (docs/domain.md).
var statusCode = map[string]int{"submitted": 1, "received": 2, "rejected": 3, "processing": 4,
	"supplement_requested": 5, "awaiting_payment": 6, "withdrawn": 7, "stopped": 8, "resolved": 9, "returned": 10}

// generator makes a deterministic stream of dossiers over a world: the
// same seed, world and window give the same dossiers.
type generator struct {
	w       *world
	rng     *rand.Rand
	start   time.Time // first local midnight of the window
	days    int
	now     time.Time
	weights []int // cumulative desk weights
	seq     map[string]int
}

// newGenerator spreads dossiers over the days local midnight end-days to
// end (exclusive): nothing on end's day or later, so registrations during
// the run never meet an imported code.
func newGenerator(w *world, seed uint64, end time.Time, days int, now time.Time) *generator {
	g := &generator{w: w, rng: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)),
		start: end.AddDate(0, 0, -days), days: days, now: now, seq: map[string]int{}}
	total := 0
	for _, d := range w.Desks {
		total += d.Weight
		g.weights = append(g.weights, total)
	}
	return g
}

var (
	familyNames = []string{"Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô", "Dương", "Lý", "Lò", "Vàng", "Giàng", "Tòng"}
	middleNames = []string{"Văn", "Thị", "Hữu", "Đức", "Minh", "Thanh", "Ngọc", "Quang", "Xuân", "Thu"}
	givenNames  = []string{"An", "Bình", "Cường", "Dung", "Em", "Giang", "Hà", "Hải", "Hùng", "Lan", "Linh", "Mai", "Nam", "Phúc", "Quân", "Sơn", "Thảo", "Trang", "Tuấn", "Yến"}
	villages    = []string{"Bản Bo", "Bình Lư", "Nà Tăm", "Sơn Bình", "Hồ Thầu", "Khun Há", "Tả Lèng", "Giang Ma"}
)

// next fills r with the next dossier.
func (g *generator) next(r *record) {
	w := g.w
	x := g.rng.IntN(g.weights[len(g.weights)-1])
	di := 0
	for g.weights[di] <= x {
		di++
	}
	dk := w.Desks[di]
	p := dk.Procs[g.rng.IntN(len(dk.Procs))]
	day := g.start.AddDate(0, 0, g.rng.IntN(g.days))
	// Received during office hours, 07:00 to 16:59 local.
	recv := day.Add(7*time.Hour + time.Duration(g.rng.Int64N(int64(10*time.Hour))))
	*r = record{Procedure: p.Code, Unit: dk.Unit, Agency: p.Agency, ProcValue: p.Value, ProcUnit: p.Unit}
	switch c := g.rng.IntN(100); {
	case c < 30:
		r.Channel = "online"
	case c < 90:
		r.Channel = "direct"
	default:
		r.Channel = "postal"
	}
	date := worktime.DateOf(recv, w.Loc)
	key := dk.Unit + "|" + strconv.Itoa(date.Year*10000+int(date.Month)*100+date.Day)
	g.seq[key]++
	r.Code = dossier.FormatCode(dk.Unit, date, int64(ordinalBase+g.seq[key]))
	r.Name = familyNames[g.rng.IntN(len(familyNames))] + " " + middleNames[g.rng.IntN(len(middleNames))] + " " + givenNames[g.rng.IntN(len(givenNames))]
	r.IDNumber = "0" + pad(g.rng.Int64N(100_000_000_000), 11)
	r.Phone = "09" + pad(g.rng.Int64N(100_000_000), 8)
	r.Addr = "Thôn " + strconv.Itoa(1+g.rng.IntN(20)) + ", xã " + villages[g.rng.IntN(len(villages))]
	r.Submitted = recv
	if r.Channel == "online" {
		// Sent online up to 2 hours before it was accepted, the same day.
		if early := recv.Sub(day.Add(7 * time.Hour)); early > 0 {
			r.Submitted = recv.Add(-time.Duration(g.rng.Int64N(int64(min(early, 2*time.Hour)) + 1)))
		}
	}
	due := dueAfter(recv, p.Value, p.Unit, w.Loc)
	limit := g.now
	fate := g.rng.IntN(1000)
	switch {
	case r.Channel == "online" && fate < 40:
		// Refused at receipt: never received, so no clock.
		r.Status = "rejected"
		r.Rejected = minTime(r.Submitted.Add(time.Duration(1+g.rng.IntN(8))*time.Hour), limit)
		return
	case fate < 60:
		r.Status = "withdrawn"
		r.Received, r.Due = recv, due
		r.Withdrawn = recv.Add(time.Duration(g.rng.Float64() * float64(minTime(due, limit).Sub(recv))))
		return
	case fate < 70:
		r.Status = "stopped"
		r.Received, r.Due = recv, due
		r.Stopped = recv.Add(time.Duration(g.rng.Float64() * float64(minTime(due, limit).Sub(recv))))
		return
	}
	r.Received, r.Due = recv, due
	var resolve time.Time
	if p.OnSpotOK && r.Channel == "direct" && g.rng.IntN(2) == 0 {
		r.OnSpot = true
		resolve = recv.Add(time.Duration(30+g.rng.IntN(150)) * time.Minute)
		if resolve.After(due) {
			resolve = due
		}
	} else {
		var f float64
		switch c := g.rng.IntN(100); {
		case c < 35:
			f = 0.15 + 0.55*g.rng.Float64() // early
		case c < 93:
			f = 0.70 + 0.30*g.rng.Float64() // near the due time
		default:
			f = 1.0 + 0.6*g.rng.Float64() // late
		}
		resolve = recv.Add(time.Duration(f * float64(due.Sub(recv))))
	}
	if resolve.Before(limit) {
		r.Status, r.Resolved, r.Outcome = "resolved", resolve, "approved"
		if g.rng.IntN(100) < 3 {
			r.Outcome = "denied"
		}
		if g.rng.IntN(100) < 90 {
			if ret := resolve.Add(time.Duration(g.rng.Int64N(int64(72 * time.Hour)))); ret.Before(limit) {
				r.Status, r.Returned = "returned", ret
			}
		}
		return
	}
	switch c := g.rng.IntN(100); {
	case c < 8:
		r.Status = "received"
	case c < 16:
		r.Status = "supplement_requested"
	case c < 20:
		r.Status = "awaiting_payment"
	default:
		r.Status = "processing"
	}
}

// timeliness classifies a resolved record by the service's own rule
// (dossier.Classify); "" when it is not resolved.
func (r *record) timeliness(loc *time.Location) string {
	if r.Resolved.IsZero() {
		return ""
	}
	return string(dossier.Classify(r.Resolved, r.Due, loc))
}

// dueAfter approximates the statutory due time (weekends skipped, the
// holiday calendar ignored): the generated lines carry it, so the server
// does not compute it.
func dueAfter(recv time.Time, value int, unit string, loc *time.Location) time.Time {
	if value <= 0 {
		value = 1
	}
	switch unit {
	case "working_hours":
		t := recv
		for i := 0; i < value; i++ {
			t = t.Add(time.Hour)
			if h := t.In(loc).Hour(); h >= 17 || h < 7 {
				t = addWeekdays(t, 1, loc).Add(-10 * time.Hour) // 17:xx → next working day 07:xx
			}
		}
		return t
	case "days":
		l := recv.In(loc)
		d := time.Date(l.Year(), l.Month(), l.Day()+value, 17, 0, 0, 0, loc)
		for isWeekend(d) {
			d = d.AddDate(0, 0, 1)
		}
		return d
	default:
		return addWeekdays(recv, value, loc)
	}
}

func addWeekdays(t time.Time, n int, loc *time.Location) time.Time {
	l := t.In(loc)
	for n > 0 {
		l = l.AddDate(0, 0, 1)
		if !isWeekend(l) {
			n--
		}
	}
	return l
}

func isWeekend(t time.Time) bool {
	return t.Weekday() == time.Saturday || t.Weekday() == time.Sunday
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

// pad formats n with at least width digits.
func pad(n int64, width int) string {
	s := strconv.FormatInt(n, 10)
	for len(s) < width {
		s = "0" + s
	}
	return s
}

// appendLine appends r as one NDJSON import line (docs/openapi.yaml) and a newline.
func appendLine(b []byte, r *record, loc *time.Location) []byte {
	b = append(b, `{"code":`...)
	b = appendString(b, r.Code)
	b = append(b, `,"procedure_code":`...)
	b = appendString(b, r.Procedure)
	b = append(b, `,"unit_code":`...)
	b = appendString(b, r.Unit)
	b = append(b, `,"channel":`...)
	b = appendString(b, r.Channel)
	b = append(b, `,"status":`...)
	b = appendString(b, r.Status)
	b = append(b, `,"on_spot":`...)
	b = strconv.AppendBool(b, r.OnSpot)
	b = append(b, `,"applicant":{"name":`...)
	b = appendString(b, r.Name)
	b = append(b, `,"id_number":`...)
	b = appendString(b, r.IDNumber)
	b = append(b, `,"phone":`...)
	b = appendString(b, r.Phone)
	b = append(b, `,"address":`...)
	b = appendString(b, r.Addr)
	b = append(b, '}')
	if r.Channel == "online" {
		b = appendTime(b, "submitted_at", r.Submitted, loc)
	}
	b = appendTime(b, "received_at", r.Received, loc)
	b = appendTime(b, "due_at", r.Due, loc)
	b = appendTime(b, "appointment_at", r.Due, loc)
	b = appendTime(b, "resolved_at", r.Resolved, loc)
	if r.Outcome != "" {
		b = append(b, `,"outcome":`...)
		b = appendString(b, r.Outcome)
	}
	b = appendTime(b, "returned_at", r.Returned, loc)
	b = appendTime(b, "withdrawn_at", r.Withdrawn, loc)
	b = appendTime(b, "stopped_at", r.Stopped, loc)
	b = appendTime(b, "rejected_at", r.Rejected, loc)
	return append(b, "}\n"...)
}

func appendTime(b []byte, name string, t time.Time, loc *time.Location) []byte {
	if t.IsZero() {
		return b
	}
	b = append(b, ',', '"')
	b = append(b, name...)
	b = append(b, `":"`...)
	b = t.In(loc).AppendFormat(b, time.RFC3339)
	return append(b, '"')
}

// appendString appends s as a JSON string.
func appendString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == '"' || c == '\\':
			b = append(b, '\\', c)
			i++
		case c < 0x20:
			b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
			i++
		case c < utf8.RuneSelf:
			b = append(b, c)
			i++
		default:
			r, n := utf8.DecodeRuneInString(s[i:])
			if r == utf8.RuneError && n == 1 {
				b = append(b, `\ufffd`...)
			} else {
				b = append(b, s[i:i+n]...)
			}
			i += n
		}
	}
	return append(b, '"')
}

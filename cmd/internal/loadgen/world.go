// Package loadgen is what the benchmark commands share to make load for
// the import endpoint (POST /api/v1/imports/dossiers and `motcua import`):
// a world of procedures, agencies and reception desks, a seeded generator
// that yields plausible dossiers over it, and the writer of their NDJSON
// import lines. Each command builds its own world: motcua-bench from the
// catalogue the running server answers, motcua-importbench from the demo
// province's shipped procedures.
package loadgen

import (
	"maps"
	"slices"
	"time"

	"github.com/motcua/motcua/domain/catalog"
	"github.com/motcua/motcua/domain/worktime"
)

// Procedure is what the generator needs of a procedure.
type Procedure struct {
	Code   string
	Name   string
	Agency string // the handling agency; "" when the lines leave it to the server's catalogue
	Level  catalog.Level
	Value  int           // the processing time, in Unit
	Unit   worktime.Unit // working_days, working_hours or days
	// OnSpotOK says the procedure is on the on-the-spot list: a direct
	// dossier of it may be resolved at the counter.
	OnSpotOK bool
}

// Agency is what the generator and the benchmark floors need of an agency.
type Agency struct {
	Code   string
	Name   string
	Kind   catalog.AgencyKind
	Parent string
	Closed bool
}

// Desk is a reception unit, how much of the traffic it gets and the
// procedures it receives.
type Desk struct {
	Unit   string
	Weight int
	Procs  []Procedure
}

// World is the catalogue the data is generated over: where the dossiers
// are received, for which procedures, and the working-time calendar their
// due times follow.
type World struct {
	Loc *time.Location
	// Cal is the calendar of due times; nil means Saturdays and Sundays
	// off and no holidays (worktime.NewCalendar with no years).
	Cal      *worktime.Calendar
	Agencies map[string]Agency
	Procs    map[string]Procedure
	Desks    []Desk
}

// BuildDesks spreads the traffic like a province does: the provincial
// centre receives the province-level procedures, open district desks the
// district ones, communes the commune ones (and, in a two-tier province
// with no open district, the former district ones too). A world whose
// agencies fit none of that gets one desk per open agency, receiving every
// procedure.
func (w *World) BuildDesks(procs []Procedure) {
	byLevel := map[catalog.Level][]Procedure{}
	for _, p := range procs {
		byLevel[p.Level] = append(byLevel[p.Level], p)
	}
	w.Desks = nil
	openDistrict := false
	for _, a := range w.Agencies {
		openDistrict = openDistrict || (a.Kind == catalog.KindDistrict && !a.Closed)
	}
	communeProcs := byLevel[catalog.LevelCommune]
	if !openDistrict {
		communeProcs = append(append([]Procedure(nil), communeProcs...), byLevel[catalog.LevelDistrict]...)
	}
	codes := slices.Sorted(maps.Keys(w.Agencies))
	for _, code := range codes {
		a := w.Agencies[code]
		if a.Closed {
			continue
		}
		switch {
		case a.Kind == catalog.KindServiceCenter && len(byLevel[catalog.LevelProvince]) > 0:
			w.Desks = append(w.Desks, Desk{Unit: a.Code, Weight: 8, Procs: byLevel[catalog.LevelProvince]})
		case a.Kind == catalog.KindDistrict && len(byLevel[catalog.LevelDistrict]) > 0:
			w.Desks = append(w.Desks, Desk{Unit: a.Code, Weight: 4, Procs: byLevel[catalog.LevelDistrict]})
		case a.Kind == catalog.KindCommune && len(communeProcs) > 0:
			w.Desks = append(w.Desks, Desk{Unit: a.Code, Weight: 2, Procs: communeProcs})
		}
	}
	if len(w.Desks) == 0 {
		for _, code := range codes {
			if !w.Agencies[code].Closed {
				w.Desks = append(w.Desks, Desk{Unit: code, Weight: 1, Procs: procs})
			}
		}
	}
}

// Subtree returns unit and every agency below it, sorted by code.
func (w *World) Subtree(unit string) []string {
	children := map[string][]string{}
	for _, a := range w.Agencies {
		children[a.Parent] = append(children[a.Parent], a.Code)
	}
	out := []string{unit}
	for i := 0; i < len(out); i++ {
		out = append(out, children[out[i]]...)
	}
	slices.Sort(out)
	return out
}

// SmallProvince is a world for tests: a service centre and a department
// under the province, a district with an open and a closed commune, and
// procedures of each level and time unit, on the plain calendar (weekends
// off, no holidays) in Asia/Ho_Chi_Minh.
func SmallProvince() *World {
	w := &World{Loc: worktime.DefaultLocation(), Agencies: map[string]Agency{
		"P":  {Code: "P", Kind: "province"},
		"C":  {Code: "C", Kind: "service_center", Parent: "P"},
		"J":  {Code: "J", Kind: "department", Parent: "P"},
		"D":  {Code: "D", Kind: "district", Parent: "P"},
		"X":  {Code: "X", Kind: "commune", Parent: "D"},
		"XC": {Code: "XC", Kind: "commune", Parent: "D", Closed: true},
	}, Procs: map[string]Procedure{}}
	procs := []Procedure{
		{Code: "p.days", Agency: "J", Level: "province", Value: 10, Unit: "working_days"},
		{Code: "p.hours", Agency: "J", Level: "province", Value: 4, Unit: "working_hours", OnSpotOK: true},
		{Code: "p.cal", Agency: "J", Level: "province", Value: 15, Unit: "days"},
		{Code: "d.days", Agency: "D", Level: "district", Value: 5, Unit: "working_days"},
		{Code: "x.days", Agency: "X", Level: "commune", Value: 1, Unit: "working_days", OnSpotOK: true},
	}
	for _, p := range procs {
		w.Procs[p.Code] = p
	}
	w.BuildDesks(procs)
	return w
}

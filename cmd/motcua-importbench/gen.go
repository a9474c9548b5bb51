package main

import (
	"bufio"
	"time"

	"github.com/motcua/motcua/cmd/internal/loadgen"
	"github.com/motcua/motcua/cmd/motcua/demo"
	"github.com/motcua/motcua/domain/catalog"
	"github.com/motcua/motcua/domain/worktime"
	"github.com/motcua/motcua/repository"
)

// What the generated history is: a fixed seed, the window of days its
// dossiers are received in and how many leave their due time to the
// server's calendar.
const (
	genSeed = 1
	// calendarDuePercent of the received dossiers carry no due_at, so the
	// import computes it (the calendar's work is part of what is measured).
	calendarDuePercent = 50
)

// generator writes dossier lines over the demo province as it stood before
// the two-tier reform of 1 July 2025 (the district still open), through
// the shared load generator: every status, the three channels, due_at
// given or left to the calendar, received between 1 January 2021 and
// 30 June 2025. Line i is the same on every run (a fixed seed, window and
// clock), and every code is unique: {unit}-{yyMMdd}-{NNNN}, numbered from
// loadgen.OrdinalBase up so no demo dossier has it.
type generator struct {
	world      *loadgen.World
	start, end time.Time // the window: local midnights, end excluded
}

// newGenerator builds the world from the demo province: its centre, the
// former district and the commune that receive, and the shipped
// procedures, on the official calendar.
func newGenerator() (*generator, error) {
	procs, err := repository.DemoProcedures()
	if err != nil {
		return nil, err
	}
	loc := worktime.DefaultLocation()
	cal, err := loadgen.OfficialCalendar(loc)
	if err != nil {
		return nil, err
	}
	w := &loadgen.World{Loc: loc, Cal: cal, Procs: map[string]loadgen.Procedure{}, Agencies: map[string]loadgen.Agency{
		demo.Province: {Code: demo.Province, Kind: catalog.KindProvince},
		demo.Center:   {Code: demo.Center, Kind: catalog.KindServiceCenter, Parent: demo.Province},
		demo.District: {Code: demo.District, Kind: catalog.KindDistrict, Parent: demo.Province},
		demo.CommuneA: {Code: demo.CommuneA, Kind: catalog.KindCommune, Parent: demo.Province},
	}}
	// The lines name no agency (the import takes the procedure's) and no
	// dossier is on the spot, so neither is told here.
	list := make([]loadgen.Procedure, 0, len(procs)+1)
	for _, dp := range procs {
		list = append(list, loadgen.Procedure{Code: dp.Code, Name: dp.Name, Level: catalog.Level(dp.Level),
			Value: dp.ProcessingTime.Value, Unit: worktime.Unit(dp.ProcessingTime.Unit)})
	}
	// The criminal-record certificate the demo adds at the centre.
	list = append(list, loadgen.Procedure{Code: "2.000488", Level: catalog.LevelProvince, Value: 10, Unit: worktime.WorkingDays})
	for _, p := range list {
		w.Procs[p.Code] = p
	}
	w.BuildDesks(list)
	return &generator{world: w, start: time.Date(2021, 1, 1, 0, 0, 0, 0, loc), end: time.Date(2025, 7, 1, 0, 0, 0, 0, loc)}, nil
}

// write writes lines 0..n-1 to w.
func (g *generator) write(w *bufio.Writer, n int64) error {
	days := int(g.end.Sub(g.start).Hours()/24 + 0.5)
	// The clock is the window's end: the last weeks' dossiers are still
	// in progress, as a province's would be on the day of the import.
	gen := loadgen.NewGenerator(g.world, genSeed, g.end, days, g.end)
	gen.CalendarDuePercent = calendarDuePercent
	var rec loadgen.Record
	buf := make([]byte, 0, 1024)
	for i := int64(0); i < n; i++ {
		gen.Next(&rec)
		buf = loadgen.AppendLine(buf[:0], &rec, g.world.Loc)
		if _, err := w.Write(buf); err != nil {
			return err
		}
	}
	return nil
}

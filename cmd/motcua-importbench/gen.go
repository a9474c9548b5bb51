package main

import (
	"bufio"
	"fmt"
	"math/rand/v2"
	"strconv"
	"time"

	"github.com/motcua/motcua/cmd/motcua/demo"
	"github.com/motcua/motcua/repository"
)

// generator writes dossier lines over the demo province: every status,
// the three channels, due_at given or left to the calendar, received
// between 2021 and 2025. Line i is the same on every run (seeded source),
// and its code is unique: {unit}-{yyMMdd}-{NNNNN}, 600 dossiers a day.
type generator struct {
	units map[string][]string // reception unit → procedure codes
	order []string
	loc   *time.Location
}

func newGenerator() (*generator, error) {
	procs, err := repository.DemoProcedures()
	if err != nil {
		return nil, err
	}
	g := &generator{units: map[string][]string{}, order: []string{demo.Center, demo.District, demo.CommuneA}}
	for _, p := range procs {
		switch p.Level {
		case "province":
			g.units[demo.Center] = append(g.units[demo.Center], p.Code)
		case "district":
			g.units[demo.District] = append(g.units[demo.District], p.Code)
		default:
			g.units[demo.CommuneA] = append(g.units[demo.CommuneA], p.Code)
		}
	}
	g.units[demo.Center] = append(g.units[demo.Center], "2.000488")
	g.loc, err = time.LoadLocation("Asia/Ho_Chi_Minh")
	if err != nil {
		g.loc = time.FixedZone("+07", 7*3600)
	}
	return g, nil
}

const perDay = 600

// write writes lines 0..n-1 to w.
func (g *generator) write(w *bufio.Writer, n int64) error {
	r := rand.New(rand.NewPCG(1, 2))
	start := time.Date(2021, 1, 1, 7, 0, 0, 0, g.loc)
	buf := make([]byte, 0, 1024)
	ts := func(t time.Time) []byte { return t.In(g.loc).AppendFormat(nil, time.RFC3339) }
	for i := int64(0); i < n; i++ {
		day := start.AddDate(0, 0, int(i/perDay))
		unit := g.order[i%3]
		procs := g.units[unit]
		proc := procs[r.IntN(len(procs))]
		code := unit + "-" + day.Format("060102") + "-" + fmt.Sprintf("%05d", i%perDay+1)
		recv := day.Add(time.Duration(r.IntN(10*3600)) * time.Second)
		channel := [...]string{"direct", "online", "postal"}[r.IntN(3)]
		buf = buf[:0]
		buf = append(buf, `{"code":"`...)
		buf = append(buf, code...)
		buf = append(buf, `","procedure_code":"`...)
		buf = append(buf, proc...)
		buf = append(buf, `","unit_code":"`...)
		buf = append(buf, unit...)
		buf = append(buf, `","channel":"`...)
		buf = append(buf, channel...)
		buf = append(buf, `","applicant":{"name":"Nguyễn Văn Công dân `...)
		buf = strconv.AppendInt(buf, i, 10)
		buf = append(buf, `","id_number":"0`...)
		buf = append(buf, fmt.Sprintf("%011d", 10_000_000_000+i%89_999_999_999)...)
		buf = append(buf, `","phone":"0912345678","address":"Tổ 3, phường Tân Phong"},"documents":[{"name":"Tờ khai","copies":1}],"received_at":"`...)
		buf = append(buf, ts(recv)...)
		buf = append(buf, '"')
		if r.IntN(2) == 0 {
			buf = append(buf, `,"due_at":"`...)
			buf = append(buf, ts(recv.Add(time.Duration(24+r.IntN(400))*time.Hour))...)
			buf = append(buf, '"')
		}
		end := recv.Add(time.Duration(1+r.IntN(30*24)) * time.Hour)
		switch k := r.IntN(10); {
		case k < 2:
			buf = append(buf, `,"status":"processing"`...)
		case k < 5:
			buf = append(buf, `,"status":"resolved","outcome":"approved","resolved_at":"`...)
			buf = append(buf, ts(end)...)
			buf = append(buf, '"')
		case k < 8:
			buf = append(buf, `,"status":"returned","outcome":"approved","resolved_at":"`...)
			buf = append(buf, ts(end)...)
			buf = append(buf, `","returned_at":"`...)
			buf = append(buf, ts(end.Add(26*time.Hour))...)
			buf = append(buf, '"')
		case k < 9:
			buf = append(buf, `,"status":"withdrawn","withdrawn_at":"`...)
			buf = append(buf, ts(end)...)
			buf = append(buf, '"')
		default:
			buf = append(buf, `,"status":"stopped","stopped_at":"`...)
			buf = append(buf, ts(end)...)
			buf = append(buf, '"')
		}
		buf = append(buf, "}\n"...)
		if _, err := w.Write(buf); err != nil {
			return err
		}
	}
	return nil
}

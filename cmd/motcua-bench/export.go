package main

import (
	"bufio"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"time"
)

// The national portal export (GET /integrations/dvcqg/export): every
// received dossier of the imported history as NDJSON, streamed, timed in
// lines per second, with the server's RSS over the phase. Its floor reads
// the same dossiers with their history in the export's order in one
// statement on the floor connection and writes one JSON line per dossier
// to nowhere: what the export costs without the service, the payload
// mapping and HTTP.

// exportTarget is the figure: lines per second over 1 M dossiers
// on PostgreSQL, RSS growth under 50 MiB.
const (
	exportTargetRate  = 10_000
	exportTargetRSSMB = 50
)

func (b *bench) export(ctx context.Context) error {
	end, _ := b.window()
	path := "/api/v1/integrations/dvcqg/export?from=2000-01-01&to=" + end.AddDate(0, 0, 1).Format("2006-01-02")
	var startKB int64 // the phase's first reading, taken as it began
	if s := b.rss.phaseSamples("export"); len(s) > 0 {
		startKB = s[0].KB
	}
	var lines int64
	var bytes int64
	var elapsed time.Duration
	var err error
	b.logf("export: GET %s", path)
	b.measureCPU("export", func() {
		began := time.Now()
		lines, bytes, err = b.streamExport(ctx, path)
		elapsed = time.Since(began)
	})
	if err != nil {
		return err
	}
	peakKB := b.rss.peakKB("export")
	var floorLines int64
	var floorElapsed time.Duration
	b.logf("export: floor (one ordered statement, JSON lines to nowhere)")
	b.measureCPU("export, floor", func() {
		began := time.Now()
		floorLines, err = b.fdb.exportFloor(ctx)
		floorElapsed = time.Since(began)
	})
	if err != nil {
		return fmt.Errorf("export floor: %w", err)
	}
	rate := float64(lines) / elapsed.Seconds()
	floorRate := float64(floorLines) / floorElapsed.Seconds()
	b.logf("export: %d lines (%.0f MB) in %s: %.0f lines/s; floor %d in %s: %.0f/s", lines, float64(bytes)/(1<<20),
		elapsed.Round(time.Millisecond), rate, floorLines, floorElapsed.Round(time.Millisecond), floorRate)
	pg := b.o.Engine == "postgres"
	fig := figure{Name: "DVCQG export", Unit: "lines/s", Motcua: num(rate), Floor: num(floorRate), RatioKind: ratioMF,
		Target: "≥ 10,000 lines/s at 1 M (PostgreSQL)", Note: fmt.Sprintf("%s lines, %.0f MB", thousands(lines), float64(bytes)/(1<<20))}
	if pg {
		fig.Verdict = verdict(rate >= exportTargetRate)
	}
	if lines != floorLines {
		b.problemf("export: %d lines, the floor read %d received dossiers", lines, floorLines)
		fig.Verdict, fig.Note = verdictMismatch, fmt.Sprintf("%d lines ≠ %d received dossiers", lines, floorLines)
	}
	b.rep.add(fig)
	growth := mb(peakKB - startKB)
	b.rep.add(figure{Name: "  server RSS growth during export", Unit: "MB", Motcua: num(growth),
		Target: "< 50 MB", Verdict: verdict(growth < exportTargetRSSMB),
		Note: fmt.Sprintf("start %.0f, peak %.0f", mb(startKB), mb(peakKB))})
	return nil
}

// streamExport reads the export to its end and counts its lines, each
// checked to be one JSON object.
func (b *bench) streamExport(ctx context.Context, path string) (lines, bytes int64, err error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, b.srv.Base+path, nil)
	if err != nil {
		return 0, 0, err
	}
	req.Header.Set("Authorization", "Bearer "+b.tokens["admin"])
	res, err := (&http.Client{}).Do(req) // no timeout: the context bounds it
	if err != nil {
		return 0, 0, err
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		msg, _ := io.ReadAll(io.LimitReader(res.Body, 512))
		return 0, 0, fmt.Errorf("export answered %d: %s", res.StatusCode, msg)
	}
	sc := bufio.NewScanner(res.Body)
	sc.Buffer(make([]byte, 0, 64<<10), 8<<20)
	for sc.Scan() {
		line := sc.Bytes()
		if len(line) == 0 || line[0] != '{' || !json.Valid(line) {
			return lines, bytes, fmt.Errorf("export line %d is not a JSON object", lines+1)
		}
		lines++
		bytes += int64(len(line)) + 1
	}
	return lines, bytes, sc.Err()
}

// exportFloorSQL reads every received dossier with its history, in the
// export's order (last change, code), one row per history entry.
const exportFloorSQL = `SELECT d.code, d.status_code, d.channel, d.procedure_code, d.agency_code, d.applicant_name,
 d.received_at, d.due_at, d.resolved_at, d.returned_at, h.action, h.to_status, h.at
FROM dossiers d LEFT JOIN dossier_history h ON h.dossier_id = d.id
WHERE d.received_at IS NOT NULL
ORDER BY d.changed_at, d.code, h.id`

// floorLine is what the floor encodes per dossier.
type floorLine struct {
	Code, Channel, Procedure, Agency, Name string
	Status                                 int
	Received, Due, Resolved, Returned      *time.Time
	Steps                                  []floorStep
}

type floorStep struct {
	Action, To string
	At         time.Time
}

// exportFloor runs exportFloorSQL and writes one JSON line per dossier to
// io.Discard; it answers the lines written.
func (f *floorDB) exportFloor(ctx context.Context) (int64, error) {
	enc := json.NewEncoder(io.Discard)
	var cur floorLine
	var lines int64
	flush := func() error {
		if cur.Code == "" {
			return nil
		}
		lines++
		err := enc.Encode(&cur)
		cur = floorLine{Steps: cur.Steps[:0]}
		return err
	}
	row := func(code string, status int, channel, proc, agency string, name []byte, rcv, due, res, ret *time.Time,
		action, to sql.NullString, at *time.Time) error {
		if code != cur.Code {
			if err := flush(); err != nil {
				return err
			}
			cur.Code, cur.Status, cur.Channel, cur.Procedure, cur.Agency = code, status, channel, proc, agency
			cur.Name, cur.Received, cur.Due, cur.Resolved, cur.Returned = string(name), rcv, due, res, ret
		}
		if action.Valid && at != nil {
			cur.Steps = append(cur.Steps, floorStep{Action: action.String, To: to.String, At: *at})
		}
		return nil
	}
	var (
		code, channel, proc, agency string
		status                      int
		name                        []byte
		rcv, due, res, ret, at      *time.Time
		action, to                  sql.NullString
	)
	dest := []any{&code, &status, &channel, &proc, &agency, &name, &rcv, &due, &res, &ret, &action, &to, &at}
	var rows rowScanner
	if f.pg != nil {
		r, err := f.pg.Query(ctx, exportFloorSQL)
		if err != nil {
			return 0, err
		}
		defer r.Close()
		rows = r
	} else {
		r, err := f.sql.QueryContext(ctx, exportFloorSQL)
		if err != nil {
			return 0, err
		}
		defer r.Close() //nolint:errcheck // read-only
		rows = r
	}
	for rows.Next() {
		if err := rows.Scan(dest...); err != nil {
			return lines, err
		}
		if err := row(code, status, channel, proc, agency, name, rcv, due, res, ret, action, to, at); err != nil {
			return lines, err
		}
	}
	if err := rows.Err(); err != nil {
		return lines, err
	}
	return lines, flush()
}

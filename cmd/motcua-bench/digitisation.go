package main

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// The digitisation report (GET /stats/digitisation) beside form 06: the
// same month and scopes, timed the same way, its figures compared with a
// hand-written scan of the dossiers and file versions (the floor).

// digitisationFigures are the report's counts.
type digitisationFigures struct {
	Received            int64 `json:"received"`
	ReceivedWithFiles   int64 `json:"received_with_files"`
	ReceivedDigitised   int64 `json:"received_digitised"`
	ReceivedReused      int64 `json:"received_reused"`
	Resolved            int64 `json:"resolved"`
	ResolvedWithEResult int64 `json:"resolved_with_e_result"`
	ResolvedDigitised   int64 `json:"resolved_digitised"`
	Payable             int64 `json:"payable"`
	PaidOnline          int64 `json:"paid_online"`
	Files               struct {
		Versions int64 `json:"versions"`
		Bytes    int64 `json:"bytes"`
	} `json:"files"`
}

// diff lists the figures where a and b differ.
func (a digitisationFigures) diff(b digitisationFigures) []string {
	var out []string
	for _, f := range []struct {
		name string
		x, y int64
	}{
		{"received", a.Received, b.Received}, {"received_with_files", a.ReceivedWithFiles, b.ReceivedWithFiles},
		{"received_digitised", a.ReceivedDigitised, b.ReceivedDigitised}, {"received_reused", a.ReceivedReused, b.ReceivedReused},
		{"resolved", a.Resolved, b.Resolved}, {"resolved_with_e_result", a.ResolvedWithEResult, b.ResolvedWithEResult},
		{"resolved_digitised", a.ResolvedDigitised, b.ResolvedDigitised}, {"payable", a.Payable, b.Payable},
		{"paid_online", a.PaidOnline, b.PaidOnline}, {"files.versions", a.Files.Versions, b.Files.Versions},
		{"files.bytes", a.Files.Bytes, b.Files.Bytes},
	} {
		if f.x != f.y {
			out = append(out, fmt.Sprintf("%s %d≠%d", f.name, f.x, f.y))
		}
	}
	return out
}

// digitisationFloorSQL is the floor of the report: one scan of the raw
// dossiers received or resolved in [$1, $2) (flags by the dossiers' first
// instants) and one of the file versions stored in it, by docs/domain.md's
// definitions.
func digitisationFloorSQL(engine, scope string) (dossiers, files string) {
	bounds := "SELECT $1::timestamptz AS s, $2::timestamptz AS e"
	if engine == "sqlite" {
		bounds = "SELECT $1 AS s, $2 AS e"
	}
	const rcv = "d.received_at >= p.s AND d.received_at < p.e"
	const res = "d.received_at IS NOT NULL AND d.resolved_at >= p.s AND d.resolved_at < p.e"
	sum := func(cond string) string { return "SUM(CASE WHEN " + cond + " THEN 1 ELSE 0 END)" }
	cols := []string{
		sum(rcv), sum(rcv + " AND d.component_file_at < p.e"), sum(rcv + " AND d.digitised_at < p.e"),
		sum(rcv + " AND d.reused_at < p.e"), sum(res), sum(res + " AND d.e_result_at < p.e"),
		sum(res + " AND d.e_result_at < p.e AND d.digitised_at < p.e"), sum(rcv + " AND d.payable_at < p.e"),
		sum(rcv + " AND d.payable_at < p.e AND d.paid_online_at < p.e"),
	}
	dossiers = "WITH p AS (" + bounds + ")\nSELECT " + strings.Join(cols, ",\n ") +
		"\nFROM dossiers d CROSS JOIN p\nWHERE ((" + rcv + ") OR (" + res + ")) AND " + scope
	files = "WITH p AS (" + bounds + ")\nSELECT COUNT(*), COALESCE(SUM(v.size), 0)\nFROM file_versions v" +
		" JOIN dossier_files f ON f.id = v.file_id JOIN dossiers d ON d.id = f.dossier_id CROSS JOIN p" +
		"\nWHERE v.uploaded_at >= p.s AND v.uploaded_at < p.e AND " + scope
	return dossiers, files
}

// digitisation runs the floor for [start, end) and units.
func (f *floorDB) digitisation(ctx context.Context, start, end time.Time, units []string) (digitisationFigures, error) {
	var out digitisationFigures
	qd, qf := digitisationFloorSQL(f.engine, scopeSQL(units))
	var nulls [9]*int64 // SUM over no rows is NULL
	dest := make([]any, len(nulls))
	for i := range nulls {
		dest[i] = &nulls[i]
	}
	filesDest := []any{&out.Files.Versions, &out.Files.Bytes}
	if f.pg != nil {
		if err := f.pg.QueryRow(ctx, qd, start.UTC(), end.UTC()).Scan(dest...); err != nil {
			return out, err
		}
		if err := f.pg.QueryRow(ctx, qf, start.UTC(), end.UTC()).Scan(filesDest...); err != nil {
			return out, err
		}
	} else {
		if err := f.sql.QueryRowContext(ctx, qd, start.UTC(), end.UTC()).Scan(dest...); err != nil {
			return out, err
		}
		if err := f.sql.QueryRowContext(ctx, qf, start.UTC(), end.UTC()).Scan(filesDest...); err != nil {
			return out, err
		}
	}
	v := func(i int) int64 {
		if nulls[i] == nil {
			return 0
		}
		return *nulls[i]
	}
	out.Received, out.ReceivedWithFiles, out.ReceivedDigitised, out.ReceivedReused = v(0), v(1), v(2), v(3)
	out.Resolved, out.ResolvedWithEResult, out.ResolvedDigitised = v(4), v(5), v(6)
	out.Payable, out.PaidOnline = v(7), v(8)
	return out, nil
}

// digitisationReport times the report for one scope next to form 06's
// figures, with its floor and the MATCH check.
func (b *bench) digitisationReport(ctx context.Context, client *apiClient, token, month string, start, end time.Time,
	label, unit string, units []string) error {
	path := "/api/v1/stats/digitisation?month=" + month
	if unit != "" {
		path += "&unit_code=" + url.QueryEscape(unit)
	}
	b.logf("digitisation %s, %s: motcua", month, label)
	var srv digitisationFigures
	var mLat, fLat []time.Duration
	var err error
	b.measureCPU("digitisation "+label, func() {
		mLat, err = timed(ctx, 2, b.o.Reports, reportBudget, func() error {
			srv = digitisationFigures{}
			return client.do(ctx, http.MethodGet, path, token, nil, http.StatusOK, &srv)
		})
	})
	if err != nil {
		return err
	}
	var fl digitisationFigures
	b.measureCPU("digitisation "+label+", floor", func() {
		fLat, err = timed(ctx, 1, b.o.Reports, reportBudget, func() error {
			var err error
			fl, err = b.fdb.digitisation(ctx, start, end, units)
			return err
		})
	})
	if err != nil {
		return fmt.Errorf("digitisation floor scan: %w", err)
	}
	m50, m99 := percentile(mLat, 50), percentile(mLat, 99)
	f50, f99 := percentile(fLat, 50), percentile(fLat, 99)
	b.logf("digitisation %s: motcua p50 %.1f ms p99 %.1f ms (%d calls); floor p50 %.1f ms p99 %.1f ms (%d calls); received %d",
		label, ms(m50), ms(m99), len(mLat), ms(f50), ms(f99), len(fLat), srv.Received)
	b.rep.add(figure{Name: "digitisation month, " + label + ", p50", Unit: "ms", Motcua: num(ms(m50)), Floor: num(ms(f50)),
		RatioKind: ratioFM, Target: "≤ 50 ms at 10 M", Verdict: verdict(m50 <= 50*time.Millisecond), Note: scaleNote(b.o.Dossiers)})
	b.rep.add(figure{Name: "  p99", Unit: "ms", Motcua: num(ms(m99)), Floor: num(ms(f99)), RatioKind: ratioFM})
	v, note := verdictMatch, fmt.Sprintf("received %d (digitised %d), resolved %d (e-result %d), payable %d (online %d)",
		srv.Received, srv.ReceivedDigitised, srv.Resolved, srv.ResolvedWithEResult, srv.Payable, srv.PaidOnline)
	if diffs := srv.diff(fl); len(diffs) > 0 {
		v, note = verdictMismatch, fmt.Sprintf("%d difference(s): %s", len(diffs), strings.Join(diffs, ", "))
		b.problemf("digitisation %s, %s: the server's answer differs from the full scan: %v", month, label, diffs)
	}
	b.rep.add(figure{Name: "  answer = full scan", Unit: "", Target: "equal", Verdict: v, Note: note})
	return nil
}

package main

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/motcua/motcua/repository"
)

// The markers every harness record carries (applicant name, feedback
// title): a row with a marker the ledger does not hold, or a marker on two
// rows, is a request that ran twice.
const (
	dossierMarker  = "Người nộp hỗn loạn "
	feedbackMarker = "Phản ánh hỗn loạn "
)

// verify restarts the server once more and checks the ledger against it,
// then reads the database directly for duplicates, gaps and the rollups.
func (h *harness) verify(ctx context.Context) error {
	if err := h.startServer(ctx); err != nil {
		return err
	}
	l := h.l
	h.r.Acked, h.r.Unknown, h.r.Retried, h.r.Records = l.acks, l.unknown, l.retried, len(l.records)
	h.r.Refused = len(l.refused)
	for _, s := range l.refused[:min(len(l.refused), 5)] {
		h.r.Examples = append(h.r.Examples, "refused: "+s)
	}
	for _, rec := range l.records {
		if err := h.checkRecord(ctx, rec); err != nil {
			return err
		}
	}
	h.srv.Stop()

	db, err := repository.Open(repository.Options{URL: h.url, MaxOpenConns: 2})
	if err != nil {
		return err
	}
	defer func() {
		if sqlDB, err := db.DB(); err == nil {
			sqlDB.Close()
		}
	}()
	ledger := map[string]bool{}
	for _, rec := range l.records {
		ledger[rec.Marker] = true
	}
	for _, t := range []struct{ table, column, marker string }{
		{"dossiers", "applicant_name", dossierMarker},
		{"feedback", "title", feedbackMarker},
	} {
		var markers []string
		if err := db.WithContext(ctx).Table(t.table).Where(t.column+" LIKE ?", t.marker+"%").Pluck(t.column, &markers).Error; err != nil {
			return fmt.Errorf("read %s: %w", t.table, err)
		}
		seen := map[string]int{}
		for _, m := range markers {
			seen[m]++
		}
		for m, n := range seen {
			if n > 1 {
				h.r.Duplicates += n - 1
				h.example("%s %q: %d rows", t.table, m, n)
			}
			if !ledger[m] {
				h.r.Orphans++
				h.example("%s %q: a row the client was never answered for", t.table, m)
			}
		}
		var codes []string
		if err := db.WithContext(ctx).Table(t.table).Pluck("code", &codes).Error; err != nil {
			return fmt.Errorf("read %s codes: %w", t.table, err)
		}
		h.r.Gaps += h.gaps(t.table, codes)
	}

	before, err := repository.RollupSnapshot(ctx, db)
	if err != nil {
		return err
	}
	loc, err := time.LoadLocation("Asia/Ho_Chi_Minh")
	if err != nil {
		return err
	}
	if err := repository.RebuildRollups(ctx, db, loc); err != nil {
		return err
	}
	after, err := repository.RollupSnapshot(ctx, db)
	if err != nil {
		return err
	}
	h.r.RollupsEqual = slices.Equal(before, after) && len(after) > 0
	if !h.r.RollupsEqual {
		h.example("rollups: %d non-zero rows kept, %d after a rebuild from the dossiers", len(before), len(after))
	}
	return nil
}

func (h *harness) example(format string, args ...any) {
	if len(h.r.Examples) < 20 {
		h.r.Examples = append(h.r.Examples, fmt.Sprintf(format, args...))
	}
}

// checkRecord reads one acknowledged record back through the API: it
// must exist, be the client's (its marker), and, for a dossier, hold in
// its history exactly the acknowledged actions in order, each once.
func (h *harness) checkRecord(ctx context.Context, rec *record) error {
	if rec.Kind == "feedback" {
		var f struct {
			Title string `json:"title"`
		}
		found, err := h.c.get(ctx, "/api/v1/feedback/"+rec.Code, &f)
		if err != nil {
			return err
		}
		if !found || f.Title != rec.Marker {
			h.r.Lost++
			h.r.Losses = append(h.r.Losses, rec.Code)
			h.example("lost: feedback %s (%q) was acknowledged", rec.Code, rec.Marker)
		}
		return nil
	}
	var d struct {
		Applicant struct {
			Name string `json:"name"`
		} `json:"applicant"`
		History []struct {
			Action string `json:"action"`
		} `json:"history"`
	}
	found, err := h.c.get(ctx, "/api/v1/dossiers/"+rec.Code, &d)
	if err != nil {
		return err
	}
	if !found || d.Applicant.Name != rec.Marker {
		h.r.Lost++
		h.r.Losses = append(h.r.Losses, rec.Code)
		h.example("lost: dossier %s (%q) was acknowledged", rec.Code, rec.Marker)
		return nil
	}
	var got []string
	for _, e := range d.History[min(1, len(d.History)):] { // the first line is the registration
		got = append(got, e.Action)
	}
	want := rec.Acked[min(1, len(rec.Acked)):]
	if !slices.Equal(got, want) {
		h.r.LostHistory++
		h.example("history of %s: %v; acknowledged %v", rec.Code, got, want)
	}
	return nil
}

// gaps counts the missing numbers in each series of codes: a code is
// its series (everything before the last '-') and a number, and the
// numbers of a series must be 1…n, each once.
func (h *harness) gaps(table string, codes []string) int {
	series := map[string][]int{}
	for _, c := range codes {
		i := strings.LastIndexByte(c, '-')
		n, err := strconv.Atoi(c[i+1:])
		if i < 0 || err != nil {
			h.example("%s: code %q has no number", table, c)
			return 1
		}
		series[c[:i]] = append(series[c[:i]], n)
	}
	missing := 0
	for s, ns := range series {
		slices.Sort(ns)
		for i, n := range ns {
			if n != i+1 {
				missing++
				h.example("%s: series %s jumps to %d after %d codes", table, s, n, i)
				break
			}
		}
	}
	return missing
}

package dossier

import (
	"context"
	"fmt"
	"time"

	"github.com/motcua/motcua/domain"
	"github.com/motcua/motcua/domain/catalog"
	"github.com/motcua/motcua/domain/user"
	"github.com/motcua/motcua/domain/worktime"
)

// The staff list of dossiers: scope, filters and the keyset cursor.

// List returns one page of the dossiers inside by's scope that f selects,
// with the total. Returns KindValidation for a bad filter.
func (s *Service) List(ctx context.Context, by user.Principal, f Filter) ([]Dossier, int64, error) {
	q, err := s.query(ctx, by, f)
	if err != nil {
		return nil, 0, err
	}
	if q.Scope != nil && len(q.Scope) == 0 {
		return nil, 0, nil
	}
	items, total, err := s.store.List(ctx, q)
	if err != nil {
		return nil, 0, fmt.Errorf("list dossiers: %w", err)
	}
	return items, total, nil
}

func (s *Service) query(ctx context.Context, by user.Principal, f Filter) (Query, error) {
	fe := domain.FieldErrors{}
	if f.Status != "" && !f.Status.Valid() {
		fe.Add("status", "trạng thái không hợp lệ")
	}
	if f.Channel != "" && !f.Channel.Valid() {
		fe.Add("channel", "phải là direct, online hoặc postal")
	}
	loc := s.cat.Location()
	q := Query{Status: f.Status, AgencyCode: f.AgencyCode, UnitCode: f.UnitCode, ProcedureCode: f.ProcedureCode,
		Channel: f.Channel, OnSpot: f.OnSpot, Q: f.Q}
	var from, to worktime.Date
	if f.ReceivedFrom != "" {
		d, err := worktime.ParseDate(f.ReceivedFrom)
		if err != nil {
			fe.Add("received_from", "phải theo dạng YYYY-MM-DD")
		} else {
			from = d
			q.ReceivedFrom = ptr(startOf(d, loc))
		}
	}
	if f.ReceivedTo != "" {
		d, err := worktime.ParseDate(f.ReceivedTo)
		if err != nil {
			fe.Add("received_to", "phải theo dạng YYYY-MM-DD")
		} else {
			to = d
			q.ReceivedBefore = ptr(startOf(d.AddDays(1), loc))
		}
	}
	if q.ReceivedFrom != nil && q.ReceivedBefore != nil && to.Before(from) {
		fe.Add("received_to", "phải từ received_from trở đi")
	}
	if utf8Len(f.Q) > catalog.MaxNameLen {
		fe.Add("q", "quá dài")
	}
	if f.DueWithinHours != nil && (*f.DueWithinHours < 1 || *f.DueWithinHours > worktime.MaxDueSoonHours) {
		fe.Add("due_within_hours", "phải là số giờ làm việc từ 1 đến 720")
	}
	if f.Cursor != "" {
		c, ok := domain.ParseCursor(f.Cursor)
		if !ok {
			fe.Add("cursor", "không hợp lệ (dùng next_cursor của trang trước)")
		}
		q.After = &c
	}
	if err := fe.Err(); err != nil {
		return Query{}, err
	}
	if f.Overdue {
		q.OverdueAt = ptr(s.now().UTC())
	}
	if f.DueWithinHours != nil {
		cal, err := s.cat.Calendar(ctx)
		if err != nil {
			return Query{}, fmt.Errorf("load calendar: %w", err)
		}
		now := s.now().UTC()
		q.DueSoonAt, q.DueSoonBy = ptr(now), ptr(cal.DueSoonBound(now, *f.DueWithinHours).UTC())
	}
	if f.PageSize > 0 {
		q.Limit = f.PageSize
		if f.Page.Page > 1 && q.After == nil {
			q.Offset = f.Offset()
		}
	}
	switch {
	case by.SeesAll():
	case by.Unit == "":
		q.Scope = []string{}
	default:
		tree, err := s.cat.Tree(ctx)
		if err != nil {
			return Query{}, fmt.Errorf("load tree: %w", err)
		}
		q.Scope = tree.Subtree(by.Unit)
	}
	return q, nil
}

// startOf is local midnight of d, in UTC.
func startOf(d worktime.Date, loc *time.Location) time.Time {
	return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, loc).UTC()
}

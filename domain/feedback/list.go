package feedback

import (
	"context"
	"time"

	"github.com/motcua/motcua/domain"
	"github.com/motcua/motcua/domain/user"
	"github.com/motcua/motcua/domain/worktime"
)

// The staff list of feedback and its filter.

// Filter narrows a staff list. The service fills Scope, Now, From and To.
type Filter struct {
	Status       Status
	Channel      Channel
	Category     Category
	AgencyCode   string
	DossierCode  string
	Overdue      bool          // open and past due_at
	ReceivedFrom worktime.Date // inclusive local date; zero = open
	ReceivedTo   worktime.Date // inclusive local date; zero = open
	// DueWithin, when set, keeps the open items whose due_at is not past
	// and falls within that many working days from now (1–MaxDueWithin),
	// and lists them soonest due first: what needs an answer this week.
	DueWithin *int
	// DueWithinHours, when set, keeps the open items whose due_at is after
	// now and at most that many working hours ahead (1–MaxDueSoonHours), the
	// escalation's "due soon", soonest due first.
	DueWithinHours *int
	domain.Page
	// Cursor, when not empty, is the next_cursor of an earlier page: the
	// page starts right after it, with no offset to skip (After, set by List).
	Cursor string
	After  *domain.Cursor

	// Scope lists the units whose recorded or assigned items are visible;
	// nil means everything.
	Scope []string
	// Now is the instant "overdue" is judged at.
	Now time.Time
	// From and To are the receipt range [From, To) in UTC; zero = open.
	From, To time.Time
	// DueBy is the end of the DueWithin horizon in UTC: DueWithin working
	// days from Now on the working calendar, the way due times themselves
	// are computed (newItem). Zero without DueWithin.
	DueBy time.Time
	// DueSoonBy is the end of the DueWithinHours horizon in UTC
	// (worktime.Calendar.DueSoonBound); zero without DueWithinHours.
	DueSoonBy time.Time
}

// MaxDueWithin is the longest horizon of Filter.DueWithin in working days:
// twice AnswerTime, so that the longest one holds every open item recorded
// here that is not yet overdue.
const MaxDueWithin = 30

// Validate reports unknown enumerated values and an inverted period as
// KindValidation.
func (f Filter) Validate() error {
	fe := domain.FieldErrors{}
	if f.Status != "" && !f.Status.Valid() {
		fe.Add("status", "phải là received, processing, answered hoặc refused")
	}
	if f.Channel != "" && !f.Channel.Valid() {
		fe.Add("channel", "phải là hotline, online, direct hoặc mail")
	}
	if f.Category != "" && !f.Category.Valid() {
		fe.Add("category", "phải là regulation, procedure, conduct hoặc other")
	}
	if f.DueWithin != nil && (*f.DueWithin < 1 || *f.DueWithin > MaxDueWithin) {
		fe.Add("due_within", "phải là số ngày làm việc từ 1 đến 30")
	}
	if f.DueWithinHours != nil && (*f.DueWithinHours < 1 || *f.DueWithinHours > worktime.MaxDueSoonHours) {
		fe.Add("due_within_hours", "phải là số giờ làm việc từ 1 đến 720")
	}
	if f.ReceivedFrom.Valid() && f.ReceivedTo.Valid() && f.ReceivedTo.Before(f.ReceivedFrom) {
		fe.Add("received_to", "không được trước received_from")
	}
	return fe.Err()
}

// List returns the items in by's scope matching f, newest first (soonest
// due first with DueWithin). Viewers see senders masked.
func (s *Service) List(ctx context.Context, by user.Principal, f Filter) ([]Feedback, int64, error) {
	if err := f.Validate(); err != nil {
		return nil, 0, err
	}
	f.After = nil
	if f.Cursor != "" {
		c, ok := domain.ParseCursor(f.Cursor)
		if !ok {
			return nil, 0, domain.FieldErrors{"cursor": "không hợp lệ (dùng next_cursor của trang trước)"}.Err()
		}
		f.After = &c
	}
	if !by.SeesAll() {
		if by.Unit == "" {
			return nil, 0, nil
		}
		t, err := s.cat.Tree(ctx)
		if err != nil {
			return nil, 0, err
		}
		f.Scope = t.Subtree(by.Unit)
	} else {
		f.Scope = nil
	}
	loc := s.cat.Location()
	f.From, f.To = time.Time{}, time.Time{}
	if f.ReceivedFrom.Valid() {
		f.From = startOf(f.ReceivedFrom, loc)
	}
	if f.ReceivedTo.Valid() {
		f.To = startOf(f.ReceivedTo.AddDays(1), loc)
	}
	f.Now = s.now().UTC()
	f.DueBy = time.Time{}
	if f.DueWithin != nil {
		cal, err := s.cat.Calendar(ctx)
		if err != nil {
			return nil, 0, err
		}
		f.DueBy = cal.DueAt(f.Now, worktime.Duration{Value: *f.DueWithin, Unit: worktime.WorkingDays}).UTC()
	}
	f.DueSoonBy = time.Time{}
	if f.DueWithinHours != nil {
		cal, err := s.cat.Calendar(ctx)
		if err != nil {
			return nil, 0, err
		}
		f.DueSoonBy = cal.DueSoonBound(f.Now, *f.DueWithinHours).UTC()
	}
	items, total, err := s.store.List(ctx, f)
	if err != nil {
		return nil, 0, err
	}
	if by.Is(user.RoleViewer) {
		for i := range items {
			items[i] = items[i].Masked()
		}
	}
	return items, total, nil
}

// CursorAfter is the cursor that continues the staff list (newest received
// first) after f.
func CursorAfter(f Feedback) domain.Cursor { return domain.Cursor{At: f.ReceivedAt.UTC(), ID: f.ID} }

// CursorAfter is the cursor that continues the list f selects after it: by
// due time with DueWithin, whose list is in that order, else by receipt.
func (f Filter) CursorAfter(it Feedback) domain.Cursor {
	if f.DueWithin != nil || f.DueWithinHours != nil {
		return domain.Cursor{At: it.DueAt.UTC(), ID: it.ID}
	}
	return CursorAfter(it)
}

// startOf is 00:00 of d in loc, in UTC.
func startOf(d worktime.Date, loc *time.Location) time.Time {
	return time.Date(d.Year, time.Month(d.Month), d.Day, 0, 0, 0, 0, loc).UTC()
}

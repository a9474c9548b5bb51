package feedback

import (
	"context"
	"time"

	"github.com/motcua/motcua/domain"
	"github.com/motcua/motcua/domain/catalog"
	"github.com/motcua/motcua/domain/user"
)

// What citizens and anyone see of feedback: a citizen's own item by code
// and PIN, the published answers, and the text publishing would show.

// Lookup is a citizen's view of their item: code and PIN must match, and an
// unknown code and a wrong PIN give the same KindNotFound. A PIN that is not
// six digits is KindValidation. The answer is shown only once published; no
// sender data, staff names or history are returned. Wrong PINs lock the
// code as for a dossier lookup (domain.PinLockoutPolicy).
func (s *Service) Lookup(ctx context.Context, code, pin string) (Feedback, error) {
	if !domain.ValidPinFormat(pin) {
		return Feedback{}, domain.FieldErrors{"pin": "phải gồm đúng 6 chữ số"}.Err()
	}
	var out Feedback
	err := s.pinLock.Guarded(domain.PinKey("feedback", code), func() error {
		var err error
		out, err = s.lookup(ctx, code, pin)
		return err
	})
	return out, err
}

func (s *Service) lookup(ctx context.Context, code, pin string) (Feedback, error) {
	f, err := s.store.Get(ctx, code)
	if err != nil {
		if domain.KindOf(err) != domain.KindNotFound {
			return Feedback{}, err
		}
		s.pins.Hash(code, pin) // same work as a real check
		return Feedback{}, ErrNotFound
	}
	if f.PinHash == "" || !s.pins.Verify(f.Code, pin, f.PinHash) {
		return Feedback{}, ErrNotFound
	}
	v := f.Public()
	if !v.Published {
		v.Answer = ""
	}
	return v, nil
}

// Published lists published answers for anyone: no sender data (see
// Feedback.Public), with the assigned agency's name.
func (s *Service) Published(ctx context.Context, f PublicFilter) ([]Feedback, int64, error) {
	fe := domain.FieldErrors{}
	if f.Category != "" && !f.Category.Valid() {
		fe.Add("category", "phải là regulation, procedure, conduct hoặc other")
	}
	if f.AgencyCode != "" && !catalog.ValidCode(f.AgencyCode) {
		fe.Add("agency_code", "mã không hợp lệ")
	}
	for _, c := range f.Categories {
		if !c.Valid() {
			fe.Add("category", "phải là regulation, procedure, conduct hoặc other")
		}
	}
	if !f.ReceivedFrom.IsZero() && !f.ReceivedTo.IsZero() && f.ReceivedTo.Before(f.ReceivedFrom) {
		fe.Add("received_to", "không được trước received_from")
	}
	if err := fe.Err(); err != nil {
		return nil, 0, err
	}
	items, total, err := s.store.ListPublished(ctx, f)
	if err != nil {
		return nil, 0, err
	}
	names := map[string]string{}
	for i := range items {
		items[i] = items[i].Public()
		code := items[i].AgencyCode
		if code == "" {
			continue
		}
		if _, ok := names[code]; !ok {
			a, err := s.cat.Agency(ctx, code)
			if err != nil && domain.KindOf(err) != domain.KindNotFound {
				return nil, 0, err
			}
			names[code] = a.Name
		}
		items[i].AgencyName = names[code]
	}
	return items, total, nil
}

// PublicPreview returns what publishing code would show (PublicText), for
// those who may publish it: KindNotFound outside by's scope, KindForbidden
// for another role or agency, KindInvalidTransition unless it is answered.
func (s *Service) PublicPreview(ctx context.Context, by user.Principal, code string) (PublicText, error) {
	f, err := s.store.Get(ctx, code)
	if err != nil {
		if domain.KindOf(err) == domain.KindNotFound {
			return PublicText{}, ErrNotFound
		}
		return PublicText{}, err
	}
	t, err := s.cat.Tree(ctx)
	if err != nil {
		return PublicText{}, err
	}
	if err := Authorize(by, t, f, ActionPublish); err != nil {
		return PublicText{}, err
	}
	if f.Status != StatusAnswered {
		if _, err := Next(f.Status, false, ActionPublish); err != nil {
			return PublicText{}, err
		}
	}
	return f.PublicText(), nil
}

// PublicFilter narrows the list of published answers.
type PublicFilter struct {
	Category   Category
	AgencyCode string
	// Categories, when not empty, keeps the items of any of them (with
	// Category, both must hold).
	Categories []Category
	// Codes, when not empty, keeps only the items with these codes.
	Codes []string
	// ReceivedFrom and ReceivedTo bound received_at, both inclusive; zero
	// is open.
	ReceivedFrom, ReceivedTo time.Time
	// ByReceipt lists the newest received first instead of the most
	// recently published first.
	ByReceipt bool
	domain.Page
}

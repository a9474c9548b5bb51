package feedback

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/motcua/motcua/domain"
	"github.com/motcua/motcua/domain/user"
)

// DossierReturned is the dossier status after which a citizen may rate.
const DossierReturned = "returned"

// DossierRef is what feedback and ratings read of a dossier.
type DossierRef struct {
	ID            int64
	Code          string
	Status        string
	PinHash       string // keyed hash of (code, lookup PIN)
	UnitCode      string // reception unit
	AgencyCode    string // handling agency
	ProcedureCode string
}

// Rating is a citizen's satisfaction score (1–5) for a returned dossier; 4
// and 5 count as satisfied. The unit, agency and procedure are copied from
// the dossier for statistics.
type Rating struct {
	ID            int64
	DossierID     int64
	DossierCode   string
	Score         int
	Comment       string
	FeedbackCode  string // the feedback item a score of 1–2 opened
	UnitCode      string
	AgencyCode    string
	ProcedureCode string
	CreatedAt     time.Time
}

// Satisfied reports whether the score counts as satisfied (4–5).
func (r Rating) Satisfied() bool { return r.Score >= 4 }

// Dissatisfied reports whether the score opens a feedback item (1–2).
func (r Rating) Dissatisfied() bool { return r.Score <= 2 }

// ErrDossierNotFound is the one answer to an unknown dossier code and a
// wrong PIN.
var ErrDossierNotFound = domain.NotFound("hồ sơ")

// ErrAlreadyRated answers a second rating of a dossier.
var ErrAlreadyRated = &domain.Error{Kind: domain.KindConflict, Message: "Hồ sơ này đã được đánh giá"}

// ErrNotReturned answers a rating of a dossier whose result was not handed
// over yet.
var ErrNotReturned = &domain.Error{Kind: domain.KindInvalidTransition,
	Message: "Chỉ đánh giá được hồ sơ đã trả kết quả", Details: map[string]any{"status_required": DossierReturned}}

// Rate records a citizen's rating of the dossier code, which their lookup PIN
// must open: a PIN that is not six digits, a score outside 1–5 or a comment
// over the limit is KindValidation; an unknown code and a wrong PIN the same
// KindNotFound; a dossier not yet returned KindInvalidTransition; a second
// rating KindConflict. A score of 1 or 2 also opens, in the same
// transaction, a feedback item (channel online, category procedure) linked
// to the dossier and assigned to its handling agency, which the citizen looks
// up with the same PIN.
func (s *Service) Rate(ctx context.Context, code, pin string, score int, comment string) (Rating, error) {
	fe := domain.FieldErrors{}
	if !domain.ValidPinFormat(pin) {
		fe.Add("pin", "phải gồm đúng 6 chữ số")
	}
	checkRating(fe, score, comment)
	if err := fe.Err(); err != nil {
		return Rating{}, err
	}
	var out Rating
	err := s.dossierLock.Guarded(domain.PinKey("dossier", code), func() error {
		var err error
		out, err = s.rate(ctx, code, score, comment, func(d DossierRef) bool {
			return d.PinHash != "" && s.pins.Verify(d.Code, pin, d.PinHash)
		}, pin)
		return err
	})
	return out, err
}

// ImportRating records a rating without the citizen's PIN, for imports from
// an older system and demo data (admin). Otherwise it behaves like Rate; a
// feedback item it opens has no lookup PIN.
func (s *Service) ImportRating(ctx context.Context, by user.Principal, code string, score int, comment string) (Rating, error) {
	if err := by.RequireRole(user.RoleAdmin); err != nil {
		return Rating{}, err
	}
	fe := domain.FieldErrors{}
	checkRating(fe, score, comment)
	if err := fe.Err(); err != nil {
		return Rating{}, err
	}
	return s.rate(ctx, code, score, comment, func(DossierRef) bool { return true }, "")
}

func checkRating(fe domain.FieldErrors, score int, comment string) {
	if score < 1 || score > 5 {
		fe.Add("score", "phải từ 1 đến 5")
	}
	checkText(fe, "comment", comment, false, MaxTextLen)
}

// rate stores the rating in one transaction: the dossier is locked, so a
// second rating waits for the first and is then refused; opens says
// whether the caller may rate it (else the same answer as an unknown code).
// A score of 1–2 also opens a feedback item with the citizen's pin (none
// when pin is empty).
func (s *Service) rate(ctx context.Context, code string, score int, comment string, opens func(DossierRef) bool, pin string) (Rating, error) {
	cal, err := s.cat.Calendar(ctx)
	if err != nil {
		return Rating{}, err
	}
	comment = strings.TrimSpace(comment)
	now := s.now().UTC()
	var r Rating
	err = s.store.InTx(ctx, func(tx Store) error {
		d, err := tx.LockDossier(ctx, code)
		if err != nil {
			return err
		}
		if !opens(d) {
			return ErrDossierNotFound
		}
		if d.Status != DossierReturned {
			return ErrNotReturned
		}
		r = Rating{DossierID: d.ID, DossierCode: d.Code, Score: score, Comment: comment,
			UnitCode: d.UnitCode, AgencyCode: d.AgencyCode, ProcedureCode: d.ProcedureCode, CreatedAt: now}
		var prefix string
		if r.Dissatisfied() {
			root, err := s.root(ctx, d.AgencyCode)
			if err != nil {
				return err
			}
			prefix = CodePrefix(root, now, s.cat.Location())
		}
		rated, err := tx.Rated(ctx, d.ID)
		if err != nil {
			return err
		}
		if rated {
			return ErrAlreadyRated
		}
		if r.Dissatisfied() {
			fcode, err := nextCode(ctx, tx, prefix)
			if err != nil {
				return err
			}
			f := newItem(dissatisfied(d, score, comment), fcode, "", now, cal)
			if pin != "" {
				f.PinHash = s.pins.Hash(fcode, pin)
			}
			if err := insert(ctx, tx, &f, Entry{Action: ActionSubmit, To: f.Status, At: now,
				Note: "Đánh giá " + strconv.Itoa(score) + "/5 hồ sơ " + d.Code}); err != nil {
				return err
			}
			r.FeedbackCode = f.Code
		}
		return tx.InsertRating(ctx, &r)
	})
	if err != nil {
		if domain.KindOf(err) == domain.KindNotFound {
			return Rating{}, ErrDossierNotFound
		}
		return Rating{}, err
	}
	return r, nil
}

// dissatisfied is the feedback item a rating of 1–2 opens.
func dissatisfied(d DossierRef, score int, comment string) NewFeedback {
	content := comment
	if content == "" {
		content = "Người dân đánh giá " + strconv.Itoa(score) + "/5, không hài lòng với việc giải quyết hồ sơ " +
			d.Code + " và không để lại nhận xét. Đề nghị cơ quan giải quyết liên hệ, làm rõ và trả lời."
	}
	return NewFeedback{Channel: ChannelOnline, Category: CategoryProcedure,
		Title:   "Đánh giá không hài lòng hồ sơ " + d.Code,
		Content: content, DossierCode: d.Code, AgencyCode: d.AgencyCode, ProcedureCode: d.ProcedureCode}
}

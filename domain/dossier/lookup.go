package dossier

import (
	"context"
	"crypto/subtle"
	"fmt"

	"github.com/motcua/motcua/domain"
)

// The citizen's lookup: a dossier by its code and the receipt's PIN or the
// applicant's ID number, with the per-code lock on wrong guesses.

// Credential is what a citizen shows to look up a dossier: the receipt's
// pin or the applicant's ID number.
type Credential struct {
	Pin      string
	IDNumber string
}

// Lookup returns what a citizen may see of the dossier code. Returns
// KindValidation when neither a well-formed pin nor a well-formed ID number
// is given, and the same KindNotFound for an unknown code and for a
// credential that does not match. After 10 such failures on a code within
// 15 minutes every lookup of it is KindRateLimited (the right credential
// too) until 15 minutes after the last (domain.PinLockoutPolicy).
func (s *Service) Lookup(ctx context.Context, code string, c Credential) (Public, error) {
	c.IDNumber = NormalizeIDNumber(c.IDNumber)
	fe := domain.FieldErrors{}
	switch {
	case c.Pin == "" && c.IDNumber == "":
		fe.Add("pin", "bắt buộc (hoặc id_number)")
	case c.Pin != "" && c.IDNumber != "":
		fe.Add("id_number", "chỉ gửi một trong pin hoặc id_number")
	case c.Pin != "" && !domain.ValidPinFormat(c.Pin):
		fe.Add("pin", "phải gồm 6 chữ số")
	case c.Pin == "" && !ValidIDNumber(c.IDNumber):
		fe.Add("id_number", "phải gồm 9 đến 12 chữ số")
	}
	if err := fe.Err(); err != nil {
		return Public{}, err
	}
	var out Public
	err := s.pinLock.Guarded(domain.PinKey("dossier", code), func() error {
		var err error
		out, err = s.lookup(ctx, code, c)
		return err
	})
	return out, err
}

// ErrNoDossier is the one answer to a citizen for an unknown code, a
// credential that does not match, and anything the credential does not
// open: the same not-found whatever the reason.
var ErrNoDossier = errNotFound

// WithPin returns the dossier code, as the lookup reads it (PublicByCode's
// fields, EResult included), when pin is its receipt's pin: the one
// credential that opens its electronic results (an ID number is widely
// known; a result is personal data). A missing, malformed or wrong pin and
// an unknown code are the same ErrNoDossier, and count towards the code's
// lockout like the lookup's failures.
func (s *Service) WithPin(ctx context.Context, code, pin string) (Dossier, error) {
	var out Dossier
	err := s.pinLock.Guarded(domain.PinKey("dossier", code), func() error {
		rec, err := s.verified(ctx, code, Credential{Pin: pin})
		out = rec.Dossier
		return err
	})
	return out, err
}

// verified reads the dossier code for a citizen and checks the credential
// c; ErrNoDossier when the code is unknown or c does not match.
func (s *Service) verified(ctx context.Context, code string, c Credential) (PublicRecord, error) {
	var rec PublicRecord
	var err error
	if code != "" && len(code) <= 120 {
		rec, err = s.store.PublicByCode(ctx, code)
	} else {
		err = errNotFound
	}
	if err != nil {
		if domain.KindOf(err) != domain.KindNotFound {
			return PublicRecord{}, fmt.Errorf("lookup dossier: %w", err)
		}
		s.pins.Verify(code, "000000", "") // same work as a real check
		return PublicRecord{}, errNotFound
	}
	d := rec.Dossier
	ok := false
	switch {
	case c.Pin != "":
		ok = domain.ValidPinFormat(c.Pin) && s.pins.Verify(d.Code, c.Pin, d.PinHash)
	case c.IDNumber != "":
		ok = d.ApplicantIDHash != "" &&
			subtle.ConstantTimeCompare([]byte(s.HashIDNumber(c.IDNumber)), []byte(d.ApplicantIDHash)) == 1
	}
	if !ok {
		return PublicRecord{}, errNotFound
	}
	return rec, nil
}

func (s *Service) lookup(ctx context.Context, code string, c Credential) (Public, error) {
	rec, err := s.verified(ctx, code, c)
	if err != nil {
		return Public{}, err
	}
	d, stages := rec.Dossier, rec.Stages
	out := Public{Code: d.Code, Stages: stages, Status: d.Status, ApplicantName: domain.MaskName(d.Applicant.Name),
		ReceivedAt: d.ReceivedAt, AppointmentAt: d.AppointmentAt, ResolvedAt: d.ResolvedAt, ReturnedAt: d.ReturnedAt,
		Outcome: d.Outcome, Next: NextStepOf(d, stages, rec.Rated), Reschedule: LatestReschedule(stages), Rated: rec.Rated,
		ResultsAvailable: d.Status == Returned && d.EResult}
	if !d.Outcome.Valid() {
		// Only a resolution records an outcome, and only one of the two;
		// anything else in the column is not the citizen's to read.
		out.Outcome = ""
	}
	if n, err := s.cat.ProcedureName(ctx, d.ProcedureCode); err == nil {
		out.ProcedureName = n
	} else if domain.KindOf(err) != domain.KindNotFound {
		return Public{}, fmt.Errorf("load procedure: %w", err)
	}
	if n, err := s.cat.AgencyName(ctx, d.AgencyCode); err == nil {
		out.AgencyName = n
	} else if domain.KindOf(err) != domain.KindNotFound {
		return Public{}, fmt.Errorf("load agency: %w", err)
	}
	// The names come from the catalogue's cache: the reception unit's costs
	// the lookup no query.
	if n, err := s.cat.AgencyName(ctx, d.UnitCode); err == nil {
		out.UnitName = n
	} else if domain.KindOf(err) != domain.KindNotFound {
		return Public{}, fmt.Errorf("load reception unit: %w", err)
	}
	return out, nil
}

package stats

import (
	"context"
	"fmt"

	"github.com/motcua/motcua/domain/user"
)

// DigitisationCounts are the figures of GET /stats/digitisation for a period
// and a scope, over the dossiers of form 06's total for that scope. Files
// and payments count as they stood at the period's end (as_of when it has
// not ended): a flag counts when it was first set before then.
//
//   - Received: received in the period (form 06's received_online +
//     received_direct_postal); of them ReceivedWithFiles have a component
//     file, ReceivedDigitised one flagged digitised, ReceivedReused one
//     flagged reused or from a national database;
//   - Resolved: resolved in the period (form 06's resolved_total); of them
//     ResolvedWithEResult have an electronic result file, ResolvedDigitised
//     a digitised component file and a result file;
//   - Payable: received in the period with a financial obligation (the
//     procedure's fee at registration, or a payment not cancelled); of them
//     PaidOnline have a payment paid online;
//   - FileVersions, FileBytes: the file versions stored in the period, of
//     any kind, of dossiers in the scope, and their size.
type DigitisationCounts struct {
	Received            int64
	ReceivedWithFiles   int64
	ReceivedDigitised   int64
	ReceivedReused      int64
	Resolved            int64
	ResolvedWithEResult int64
	ResolvedDigitised   int64
	Payable             int64
	PaidOnline          int64
	FileVersions        int64
	FileBytes           int64
}

// ComponentDigitisationRate is received digitised / received.
func (c DigitisationCounts) ComponentDigitisationRate() Rate {
	return NewRate(c.ReceivedDigitised, c.Received)
}

// ReuseRate is received reused / received.
func (c DigitisationCounts) ReuseRate() Rate { return NewRate(c.ReceivedReused, c.Received) }

// EResultRate is resolved with an electronic result / resolved.
func (c DigitisationCounts) EResultRate() Rate { return NewRate(c.ResolvedWithEResult, c.Resolved) }

// DigitisationRate is resolved digitised (component and result) / resolved.
func (c DigitisationCounts) DigitisationRate() Rate { return NewRate(c.ResolvedDigitised, c.Resolved) }

// OnlinePaymentRate is paid online / payable.
func (c DigitisationCounts) OnlinePaymentRate() Rate { return NewRate(c.PaidOnline, c.Payable) }

// Check verifies that every part is within its whole: a dossier with a
// digitised or reused component has a component file, one resolved
// digitised has an electronic result, one paid online is payable. It
// returns an error naming the first part that is not.
func (c DigitisationCounts) Check() error {
	for _, p := range []struct {
		name        string
		part, whole int64
	}{
		{"received_with_files", c.ReceivedWithFiles, c.Received},
		{"received_digitised", c.ReceivedDigitised, c.ReceivedWithFiles},
		{"received_reused", c.ReceivedReused, c.ReceivedWithFiles},
		{"resolved_with_e_result", c.ResolvedWithEResult, c.Resolved},
		{"resolved_digitised", c.ResolvedDigitised, c.ResolvedWithEResult},
		{"payable", c.Payable, c.Received},
		{"paid_online", c.PaidOnline, c.Payable},
	} {
		if p.part < 0 || p.part > p.whole {
			return fmt.Errorf("%s %d is not within %d", p.name, p.part, p.whole)
		}
	}
	return nil
}

// DigitisationReport is GET /stats/digitisation.
type DigitisationReport struct {
	Period Period
	Scope  Scope
	DigitisationCounts
}

// Digitisation returns the digitisation, electronic result and online
// payment figures of the period. Errors as for Dossiers.
func (s *Service) Digitisation(ctx context.Context, by user.Principal, req Request) (DigitisationReport, error) {
	p, sc, q, err := s.prepare(ctx, by, req, nil)
	if err != nil {
		return DigitisationReport{}, err
	}
	c, err := s.store.Digitisation(ctx, q)
	if err != nil {
		return DigitisationReport{}, fmt.Errorf("digitisation stats: %w", err)
	}
	return DigitisationReport{Period: p, Scope: sc, DigitisationCounts: c}, nil
}

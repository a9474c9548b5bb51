package stats

import (
	"context"
	"fmt"

	"github.com/motcua/motcua/domain/user"
)

// DVCQGCounts are the figures of GET /stats/dvcqg for a period and a
// scope, over the dossiers received in the period (form 06's
// received_online + received_direct_postal): Synced of them the national
// portal accepted at least once, Pending and Failed of them are in that
// sync state now (0 while the push is off: every dossier is then
// not_synced).
type DVCQGCounts struct {
	Received int64
	Synced   int64
	Pending  int64
	Failed   int64
}

// SyncRate is synced / received (766 indicator 1.4).
func (c DVCQGCounts) SyncRate() Rate { return NewRate(c.Synced, c.Received) }

// DVCQGReport is GET /stats/dvcqg.
type DVCQGReport struct {
	Period Period
	Scope  Scope
	DVCQGCounts
}

// UseDVCQGPush says whether the push to the national portal is on
// (MOTCUA_DVCQG_URL): off, nothing is pending or failed.
func (s *Service) UseDVCQGPush(on bool) { s.dvcqgOn = on }

// DVCQG returns the national portal sync figures of the period. Errors
// as for Dossiers.
func (s *Service) DVCQG(ctx context.Context, by user.Principal, req Request) (DVCQGReport, error) {
	p, sc, q, err := s.prepare(ctx, by, req, nil)
	if err != nil {
		return DVCQGReport{}, err
	}
	c, err := s.store.DVCQGSync(ctx, q)
	if err != nil {
		return DVCQGReport{}, fmt.Errorf("dvcqg stats: %w", err)
	}
	if !s.dvcqgOn {
		c.Pending, c.Failed = 0, 0
	}
	return DVCQGReport{Period: p, Scope: sc, DVCQGCounts: c}, nil
}

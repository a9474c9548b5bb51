package repository

import (
	"context"
	"reflect"

	"gorm.io/gorm"

	"github.com/motcua/motcua/domain/catalog"
	"github.com/motcua/motcua/domain/importer"
)

var procedureImportColumns = []string{"code", "name", "field", "agency_code", "level", "processing_value",
	"processing_unit", "fee", "fee_lines", "online_level", "on_spot_eligible", "national_portal_integrated", "status",
	"created_at", "updated_at"}

var publicationImportColumns = []string{"procedure_code", "kind", "decision", "decided_on", "created_at"}

// ImportProcedures implements importer.Store: new procedures are inserted
// with their publications and components; a record of a procedure that
// exists brings its components and fee lines when it carries them
// (syncExisting).
func (s *ImportStore) ImportProcedures(ctx context.Context, recs []importer.ProcedureRecord) (importer.Stored, error) {
	var st importer.Stored
	err := transaction(ctx, s.db, func(tx *gorm.DB) error {
		fresh, err := newRecords(tx, "procedures", recs, func(r *importer.ProcedureRecord) string { return r.Procedure.Code })
		if err != nil {
			return err
		}
		rows := make([][]any, 0, len(fresh))
		for _, r := range fresh {
			p := fromProcedure(r.Procedure)
			rows = append(rows, []any{p.Code, p.Name, p.Field, p.AgencyCode, p.Level, p.ProcessingValue,
				p.ProcessingUnit, p.Fee, p.FeeLines, p.OnlineLevel, p.OnSpotEligible, p.NationalPortalIntegrated, p.Status,
				p.CreatedAt, p.UpdatedAt})
		}
		inserted, err := s.insertReturning(tx, "procedures", procedureImportColumns, rows, "")
		if err != nil {
			return err
		}
		n := len(inserted)
		var pubs, comps [][]any
		for _, r := range fresh {
			if _, ok := inserted[r.Procedure.Code]; !ok {
				continue
			}
			delete(inserted, r.Procedure.Code) // the first record of a code is the one inserted
			for _, pub := range r.Procedure.Publications {
				pubs = append(pubs, []any{r.Procedure.Code, string(pub.Kind), pub.Decision, pub.DecidedOn.String(),
					pub.CreatedAt.UTC()})
			}
			for _, c := range r.Components {
				comps = append(comps, componentValues(c))
			}
		}
		if err := s.insertRows(tx, "procedure_publications", publicationImportColumns, pubs); err != nil {
			return err
		}
		if err := s.insertRows(tx, "procedure_components", componentImportColumns, comps); err != nil {
			return err
		}
		synced, err := s.syncExisting(tx, recs, fresh)
		if err != nil {
			return err
		}
		st = importer.Stored{Imported: n + synced, Duplicates: len(recs) - n - synced}
		return nil
	})
	if err != nil {
		return importer.Stored{}, translate(err, "thủ tục")
	}
	return st, nil
}

// syncExisting brings the components and fee lines the records of
// procedures that existed before this batch carry (the first record of a
// code, when ComponentsGiven or FeeLinesGiven) to those procedures, and
// answers how many of them that changed.
func (s *ImportStore) syncExisting(tx *gorm.DB, recs []importer.ProcedureRecord, fresh []*importer.ProcedureRecord) (int, error) {
	skip := make(map[string]bool, len(fresh))
	for _, r := range fresh {
		skip[r.Procedure.Code] = true
	}
	var todo []*importer.ProcedureRecord
	var codes []string
	for i := range recs {
		r := &recs[i]
		code := r.Procedure.Code
		if skip[code] {
			continue
		}
		skip[code] = true // later records of the code in the batch are duplicates
		if r.ComponentsGiven || r.FeeLinesGiven {
			todo = append(todo, r)
			codes = append(codes, code)
		}
	}
	if len(todo) == 0 {
		return 0, nil
	}
	stored, err := loadComponents(tx, codes, true)
	if err != nil {
		return 0, err
	}
	byProc := map[string][]catalog.Component{}
	for _, c := range stored {
		byProc[c.ProcedureCode] = append(byProc[c.ProcedureCode], c)
	}
	fees, err := storedFees(tx, codes)
	if err != nil {
		return 0, err
	}
	changed := 0
	var adds [][]any
	for _, r := range todo {
		code, now := r.Procedure.Code, r.Procedure.UpdatedAt
		did := false
		if r.ComponentsGiven {
			update, add := catalog.SyncComponents(byProc[code], r.Components, now)
			for _, c := range update {
				if err := updateComponent(tx, c); err != nil {
					return 0, err
				}
			}
			for _, c := range add {
				adds = append(adds, componentValues(c))
			}
			did = len(update)+len(add) > 0
		}
		if f, ok := fees[code]; ok && r.FeeLinesGiven {
			p := catalog.Procedure{Fee: f.Fee, FeeLines: parseFeeLines(f.FeeLines)}
			lines := r.Procedure.FeeLines
			p.SetFees(nil, &lines)
			if p.Fee != f.Fee || !reflect.DeepEqual(p.FeeLines, parseFeeLines(f.FeeLines)) {
				if err := tx.Model(&procedureRow{}).Where("code = ?", code).Updates(map[string]any{
					"fee": p.Fee, "fee_lines": feeLinesJSON(p.FeeLines), "updated_at": now.UTC()}).Error; err != nil {
					return 0, err
				}
				did = true
			}
		}
		if did {
			changed++
		}
	}
	if err := s.insertRows(tx, "procedure_components", componentImportColumns, adds); err != nil {
		return 0, componentConflict(err)
	}
	return changed, nil
}

// procedureFees is a procedure's fee and its fee_lines column.
type procedureFees struct {
	Code     string
	Fee      int64
	FeeLines string
}

// storedFees reads the fee and fee lines of the procedures codes.
func storedFees(tx *gorm.DB, codes []string) (map[string]procedureFees, error) {
	out := make(map[string]procedureFees, len(codes))
	for len(codes) > 0 {
		n := min(len(codes), codesChunk)
		var rows []procedureFees
		if err := tx.Model(&procedureRow{}).Select("code, fee, fee_lines").Where("code IN ?", codes[:n]).
			Scan(&rows).Error; err != nil {
			return nil, err
		}
		for _, r := range rows {
			out[r.Code] = r
		}
		codes = codes[n:]
	}
	return out, nil
}

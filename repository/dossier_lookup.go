package repository

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/motcua/motcua/domain/dossier"
)

// The citizen's lookup reads: the hottest reads of the service, kept apart
// from the staff's full ones.

// PublicLookupSQL is the citizen's lookup in one statement, with arg as
// the code's placeholder ("?" through GORM, "$1" for pgx: the benchmark's
// one-statement floor runs the very same text). It reads the dossier's
// public fields and whether it has a citizen rating (the EXISTS probes the
// UNIQUE index of ratings.dossier_id), joined to its stages: one row per
// history entry that is a stage, oldest first, with the details only of
// the actions whose reason, items, amount or new appointment the citizen is
// shown (dossier.PublicDetailActions); one row with NULL stage columns for
// a dossier without any. The other details name staff and units, which the
// lookup has no use for, so they are neither sent nor decoded, and the
// records of files (dossier.RecordOnlyActions) are no stages. The join
// walks dossier_history's index on (dossier_id, id), so the rows come in
// the order the stages need.
func PublicLookupSQL(arg string) string {
	return `SELECT d.id, d.code, d.status, d.applicant_name, d.applicant_id_hash, d.pin_hash, d.procedure_code,
 d.unit_code, d.agency_code, d.received_at, d.appointment_at, d.resolved_at, d.returned_at, d.outcome, d.payment_amount,
 d.e_result, EXISTS (SELECT 1 FROM ratings WHERE ratings.dossier_id = d.id),
 h.action, h.at, CASE WHEN h.action IN (` + quoteActions(dossier.PublicDetailActions) + `) THEN h.details END
FROM dossiers d LEFT JOIN dossier_history h ON h.dossier_id = d.id AND h.action NOT IN (` +
		quoteActions(dossier.RecordOnlyActions) + `)
WHERE d.code = ` + arg + `
ORDER BY h.id`
}

var publicLookupSQL = PublicLookupSQL("?")

// PublicByCode implements dossier.Store: the hottest read (citizens
// polling their dossier), one statement (PublicLookupSQL). It reads the
// columns into locals instead of the whole row through GORM's reflection
// (docs/performance.md); it still goes through GORM's row callbacks, so it
// is routed to a replica like every other read.
func (s *DossierStore) PublicByCode(ctx context.Context, code string) (dossier.PublicRecord, error) {
	rows, err := conn(ctx, s.db).Raw(publicLookupSQL, code).Rows()
	if err != nil {
		return dossier.PublicRecord{}, translate(err, dossierNoun)
	}
	defer rows.Close()
	var out dossier.PublicRecord
	d := &out.Dossier
	var status string
	var received, appointment, resolved, returned sql.NullTime
	var outcome sql.NullString
	var payment sql.NullInt64
	var action, details sql.NullString
	var at sql.NullTime
	dest := []any{&d.ID, &d.Code, &status, &d.Applicant.Name, &d.ApplicantIDHash, &d.PinHash, &d.ProcedureCode,
		&d.UnitCode, &d.AgencyCode, &received, &appointment, &resolved, &returned, &outcome, &payment, &d.EResult,
		&out.Rated, &action, &at, &details}
	found := false
	for rows.Next() {
		found = true
		// The dossier's columns repeat on every row: scanned again, the same.
		if err := rows.Scan(dest...); err != nil {
			return dossier.PublicRecord{}, translate(err, dossierNoun)
		}
		if !action.Valid || !at.Valid {
			continue // a dossier without stages: its one row
		}
		st := dossier.Stage{Action: dossier.Action(action.String), At: at.Time.UTC()}
		if details.Valid && details.String != "" {
			if err := json.Unmarshal([]byte(details.String), &st.Details); err != nil {
				return dossier.PublicRecord{}, fmt.Errorf("decode history details of dossier %d: %w", d.ID, err)
			}
		}
		out.Stages = append(out.Stages, st)
	}
	if err := rows.Err(); err != nil {
		return dossier.PublicRecord{}, translate(err, dossierNoun)
	}
	if !found {
		return dossier.PublicRecord{}, translate(gorm.ErrRecordNotFound, dossierNoun)
	}
	d.Status, d.Outcome = dossier.Status(status), dossier.Outcome(outcome.String)
	d.ReceivedAt, d.AppointmentAt = nullUTC(received), nullUTC(appointment)
	d.ResolvedAt, d.ReturnedAt = nullUTC(resolved), nullUTC(returned)
	if payment.Valid {
		d.PaymentAmount = &payment.Int64
	}
	return out, rows.Close()
}

// StagesSQL is the history read of the two-statement lookup the service
// made before PublicLookupSQL, with arg as the dossier id's placeholder:
// the benchmark's first floor (the dossier, then its stages) still reads
// with it. The records of files (dossier.RecordOnlyActions) are not stages
// and are left out.
func StagesSQL(arg string) string {
	return "SELECT action, at, CASE WHEN action IN (" + quoteActions(dossier.PublicDetailActions) +
		") THEN details END FROM dossier_history WHERE dossier_id = " + arg +
		" AND action NOT IN (" + quoteActions(dossier.RecordOnlyActions) + ") ORDER BY id"
}

// quoteActions is as, quoted as SQL literals and comma-separated: they are
// constants of the domain, never input.
func quoteActions(as []dossier.Action) string {
	quoted := make([]string, len(as))
	for i, a := range as {
		quoted[i] = "'" + string(a) + "'"
	}
	return strings.Join(quoted, ", ")
}

// nullUTC is t in UTC, or nil for NULL.
func nullUTC(t sql.NullTime) *time.Time {
	if !t.Valid {
		return nil
	}
	u := t.Time.UTC()
	return &u
}

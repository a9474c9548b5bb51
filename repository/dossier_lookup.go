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

// publicLookupSQL reads what the citizen's lookup shows of a dossier, and
// whether it has a citizen rating: the EXISTS probes the UNIQUE index of
// ratings.dossier_id inside the same statement, so the answer to "may I
// still rate it" costs the lookup no round trip of its own.
const publicLookupSQL = `SELECT id, code, status, applicant_name, applicant_id_hash, pin_hash, procedure_code,
 unit_code, agency_code, received_at, appointment_at, resolved_at, returned_at, outcome, payment_amount, e_result,
 EXISTS (SELECT 1 FROM ratings WHERE ratings.dossier_id = dossiers.id) FROM dossiers WHERE code = ?`

// PublicByCode implements dossier.Store. It is the hottest read (citizens
// polling their dossier), so it reads its columns into locals instead
// of the whole row through GORM's reflection (docs/performance.md); it
// still goes through GORM's row callbacks, so it is routed to a replica
// like every other read.
func (s *DossierStore) PublicByCode(ctx context.Context, code string) (dossier.PublicRecord, error) {
	rows, err := conn(ctx, s.db).Raw(publicLookupSQL, code).Rows()
	if err != nil {
		return dossier.PublicRecord{}, translate(err, dossierNoun)
	}
	defer rows.Close()
	if !rows.Next() {
		if err := rows.Err(); err != nil {
			return dossier.PublicRecord{}, translate(err, dossierNoun)
		}
		return dossier.PublicRecord{}, translate(gorm.ErrRecordNotFound, dossierNoun)
	}
	var out dossier.PublicRecord
	d := &out.Dossier
	var status string
	var received, appointment, resolved, returned sql.NullTime
	var outcome sql.NullString
	var payment sql.NullInt64
	if err := rows.Scan(&d.ID, &d.Code, &status, &d.Applicant.Name, &d.ApplicantIDHash, &d.PinHash, &d.ProcedureCode,
		&d.UnitCode, &d.AgencyCode, &received, &appointment, &resolved, &returned, &outcome, &payment, &d.EResult, &out.Rated); err != nil {
		return dossier.PublicRecord{}, translate(err, dossierNoun)
	}
	d.Status, d.Outcome = dossier.Status(status), dossier.Outcome(outcome.String)
	d.ReceivedAt, d.AppointmentAt = nullUTC(received), nullUTC(appointment)
	d.ResolvedAt, d.ReturnedAt = nullUTC(resolved), nullUTC(returned)
	if payment.Valid {
		d.PaymentAmount = &payment.Int64
	}
	return out, rows.Close()
}

// stagesSQL reads a dossier's history for the lookup: every action and its
// time, and the details only of the actions whose reason, items, amount or
// new appointment the citizen is shown (dossier.PublicDetailActions). The
// other details name staff and units, which the lookup has no use for, so
// they are neither sent by the database nor decoded.
var stagesSQL = StagesSQL("?")

// StagesSQL is the statement of the lookup's history read with arg as the
// dossier id's placeholder ("?" through GORM, "$1" for pgx): the
// benchmark's floor reads with the very same statement. The records of
// files (dossier.RecordOnlyActions) are not stages and are left out.
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

// Stages implements dossier.Store.
func (s *DossierStore) Stages(ctx context.Context, dossierID int64) ([]dossier.Stage, error) {
	rows, err := conn(ctx, s.db).Raw(stagesSQL, dossierID).Rows()
	if err != nil {
		return nil, translate(err, "lịch sử hồ sơ")
	}
	defer rows.Close()
	var out []dossier.Stage
	for rows.Next() {
		var action string
		var at time.Time
		var details sql.NullString
		if err := rows.Scan(&action, &at, &details); err != nil {
			return nil, translate(err, "lịch sử hồ sơ")
		}
		st := dossier.Stage{Action: dossier.Action(action), At: at.UTC()}
		if details.Valid && details.String != "" {
			if err := json.Unmarshal([]byte(details.String), &st.Details); err != nil {
				return nil, fmt.Errorf("decode history details of dossier %d: %w", dossierID, err)
			}
		}
		out = append(out, st)
	}
	if err := rows.Err(); err != nil {
		return nil, translate(err, "lịch sử hồ sơ")
	}
	return out, nil
}

// nullUTC is t in UTC, or nil for NULL.
func nullUTC(t sql.NullTime) *time.Time {
	if !t.Valid {
		return nil
	}
	u := t.Time.UTC()
	return &u
}

package api

import (
	"time"

	"github.com/gin-gonic/gin"

	"github.com/motcua/motcua/domain/dossier"
)

// PublicDossier is what a citizen sees of a dossier (docs/openapi.yaml): no
// staff names, no unit codes, no applicant data beyond the masked name. It
// and the types it holds are exported for the benchmark's lookup floor,
// which answers the same JSON (NewPublicDossier).
type PublicDossier struct {
	Code          string `json:"code"`
	Status        string `json:"status"`
	StatusCode    int    `json:"status_code"`
	ProcedureName string `json:"procedure_name"`
	AgencyName    string `json:"agency_name"`
	// UnitName is the reception unit, where the result is collected.
	UnitName      string            `json:"unit_name"`
	ApplicantName string            `json:"applicant_name"`
	ReceivedAt    *time.Time        `json:"received_at"`
	AppointmentAt *time.Time        `json:"appointment_at"`
	ResolvedAt    *time.Time        `json:"resolved_at"`
	ReturnedAt    *time.Time        `json:"returned_at"`
	Outcome       *string           `json:"outcome"`
	NextStep      PublicNextStep    `json:"next_step"`
	Reschedule    *PublicReschedule `json:"reschedule"`
	Rated         bool              `json:"rated"`
	// ResultsAvailable: an electronic result may be downloaded with the pin
	// (GET /api/v1/public/dossiers/{code}/results).
	ResultsAvailable bool          `json:"results_available"`
	Stages           []PublicStage `json:"stages"`
}

// PublicStage is one step of a dossier's way as the citizen sees it.
type PublicStage struct {
	Action string    `json:"action"`
	At     time.Time `json:"at"`
}

// PublicNextStep is what the citizen has to do now. Items is never null,
// so a client can always iterate it.
type PublicNextStep struct {
	Kind   string   `json:"kind"`
	Reason *string  `json:"reason"`
	Items  []string `json:"items"`
	Amount *int64   `json:"amount"`
}

// PublicReschedule is the latest moved appointment: the apology of Mẫu 04.
type PublicReschedule struct {
	At            time.Time `json:"at"`
	AppointmentAt time.Time `json:"appointment_at"`
	Reason        string    `json:"reason"`
}

// NewPublicDossier is the answer for p with its times in loc.
func NewPublicDossier(p dossier.Public, loc *time.Location) PublicDossier {
	out := PublicDossier{Code: p.Code, Status: string(p.Status), StatusCode: p.Status.Code(),
		ProcedureName: p.ProcedureName, AgencyName: p.AgencyName, UnitName: p.UnitName, ApplicantName: p.ApplicantName,
		ReceivedAt: inLoc(p.ReceivedAt, loc), AppointmentAt: inLoc(p.AppointmentAt, loc),
		ResolvedAt: inLoc(p.ResolvedAt, loc), ReturnedAt: inLoc(p.ReturnedAt, loc), Outcome: optional(string(p.Outcome)),
		NextStep: PublicNextStep{Kind: string(p.Next.Kind), Reason: optional(p.Next.Reason), Items: p.Next.Items,
			Amount: p.Next.Amount},
		Rated: p.Rated, ResultsAvailable: p.ResultsAvailable, Stages: make([]PublicStage, 0, len(p.Stages))}
	if out.NextStep.Items == nil {
		out.NextStep.Items = []string{}
	}
	if r := p.Reschedule; r != nil {
		out.Reschedule = &PublicReschedule{At: r.At.In(loc), AppointmentAt: r.AppointmentAt.In(loc), Reason: r.Reason}
	}
	for _, s := range p.Stages {
		out.Stages = append(out.Stages, PublicStage{Action: string(s.Action), At: s.At.In(loc)})
	}
	return out
}

// lookup answers GET /public/dossiers/{code}?pin= (or ?id_number=). An
// unknown code and a wrong credential give the same 404.
func (h *dossierHandler) lookup(c *gin.Context) (answer, error) {
	p, err := h.svc.Lookup(c.Request.Context(), c.Param("code"),
		dossier.Credential{Pin: c.Query("pin"), IDNumber: c.Query("id_number")})
	if err != nil {
		return answer{}, err
	}
	return ok(NewPublicDossier(p, h.loc)), nil
}

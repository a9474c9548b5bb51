package api

import (
	"time"

	"github.com/gin-gonic/gin"

	"github.com/motcua/motcua/domain/dossier"
)

// PublicDossier is what a citizen sees of a dossier (docs/openapi.yaml): no
// staff names or units, no applicant data beyond the masked name. It is
// exported for the benchmark's lookup floor, which answers the same JSON.
type PublicDossier struct {
	Code          string        `json:"code"`
	Status        string        `json:"status"`
	StatusCode    int           `json:"status_code"`
	ProcedureName string        `json:"procedure_name"`
	AgencyName    string        `json:"agency_name"`
	ApplicantName string        `json:"applicant_name"`
	ReceivedAt    *time.Time    `json:"received_at"`
	AppointmentAt *time.Time    `json:"appointment_at"`
	ResolvedAt    *time.Time    `json:"resolved_at"`
	ReturnedAt    *time.Time    `json:"returned_at"`
	Stages        []PublicStage `json:"stages"`
}

// PublicStage is one step of a dossier's way as the citizen sees it.
type PublicStage struct {
	Action string    `json:"action"`
	At     time.Time `json:"at"`
}

// lookup answers GET /public/dossiers/{code}?pin= (or ?id_number=). An
// unknown code and a wrong credential give the same 404.
func (h *dossierHandler) lookup(c *gin.Context) (answer, error) {
	p, err := h.svc.Lookup(c.Request.Context(), c.Param("code"),
		dossier.Credential{Pin: c.Query("pin"), IDNumber: c.Query("id_number")})
	if err != nil {
		return answer{}, err
	}
	loc := h.loc
	out := PublicDossier{Code: p.Code, Status: string(p.Status), StatusCode: p.Status.Code(),
		ProcedureName: p.ProcedureName, AgencyName: p.AgencyName, ApplicantName: p.ApplicantName,
		ReceivedAt: inLoc(p.ReceivedAt, loc), AppointmentAt: inLoc(p.AppointmentAt, loc),
		ResolvedAt: inLoc(p.ResolvedAt, loc), ReturnedAt: inLoc(p.ReturnedAt, loc), Stages: []PublicStage{}}
	for _, s := range p.Stages {
		out.Stages = append(out.Stages, PublicStage{Action: string(s.Action), At: s.At.In(loc)})
	}
	return ok(out), nil
}

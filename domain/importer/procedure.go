package importer

import (
	"context"
	"errors"
	"sort"
	"strconv"

	"github.com/motcua/motcua/domain"
	"github.com/motcua/motcua/domain/catalog"
	"github.com/motcua/motcua/domain/worktime"
)

// procedureLine is one line of a procedure import: the fields of docs/openapi.yaml
// and the publishing decisions.
type procedureLine struct {
	Code           string `json:"code"`
	Name           string `json:"name"`
	Field          string `json:"field"`
	AgencyCode     string `json:"agency_code"`
	Level          string `json:"level"`
	ProcessingTime *struct {
		Value int    `json:"value"`
		Unit  string `json:"unit"`
	} `json:"processing_time"`
	Fee                      int64  `json:"fee"`
	OnlineLevel              string `json:"online_level"`
	OnSpotEligible           bool   `json:"on_spot_eligible"`
	NationalPortalIntegrated bool   `json:"national_portal_integrated"`
	Status                   string `json:"status"`
	Publications             []struct {
		Kind      string `json:"kind"`
		Decision  string `json:"decision"`
		DecidedOn string `json:"decided_on"`
	} `json:"publications"`
}

// MaxPublications is the most publications one procedure line may carry.
const MaxPublications = 100

// procedure validates one procedure line and builds its record. The status
// follows the latest publication (abolished → abolished, else active) when
// absent, and must agree with it when given.
func (rn *run) procedure(_ context.Context, n int64, line []byte) (ProcedureRecord, string, problems, error) {
	p := problems{}
	var in procedureLine
	if !decodeLine(line, &in, p) {
		return ProcedureRecord{}, "", p, nil
	}
	proc := catalog.Procedure{Code: in.Code, Name: in.Name, Field: in.Field, AgencyCode: in.AgencyCode,
		Level: catalog.Level(in.Level), Fee: in.Fee, OnlineLevel: catalog.OnlineLevel(in.OnlineLevel),
		OnSpotEligible: in.OnSpotEligible, NationalPortalIntegrated: in.NationalPortalIntegrated,
		Status: catalog.ProcedureStatus(in.Status), CreatedAt: rn.now, UpdatedAt: rn.now}
	if in.ProcessingTime != nil {
		proc.ProcessingTime = worktime.Duration{Value: in.ProcessingTime.Value, Unit: worktime.Unit(in.ProcessingTime.Unit)}
	}
	if len(in.Publications) > MaxPublications {
		p.add("publications", "tối đa "+strconv.Itoa(MaxPublications)+" quyết định công bố")
	}
	today := worktime.DateOf(rn.now, rn.loc)
	for i, x := range in.Publications {
		if i >= MaxPublications {
			break
		}
		f := "publications[" + strconv.Itoa(i) + "]"
		pub, fe := catalog.PublicationText{Kind: x.Kind, Decision: x.Decision, DecidedOn: x.DecidedOn}.Parse(in.Code, today)
		pub.CreatedAt = rn.now
		addFields(p, f+".", fe.Err())
		proc.Publications = append(proc.Publications, pub)
	}
	if len(proc.Publications) > 0 {
		latest := proc.Publications
		sort.SliceStable(latest, func(i, j int) bool { return latest[i].DecidedOn.Before(latest[j].DecidedOn) })
		want := catalog.StatusActive
		if latest[len(latest)-1].Kind == catalog.PubAbolished {
			want = catalog.StatusAbolished
		}
		switch {
		case proc.Status == "":
			proc.Status = want
		case proc.Status.Valid() && proc.Status != want:
			p.add("status", "không khớp với quyết định công bố mới nhất (phải là "+string(want)+")")
		}
	} else if proc.Status == "" {
		proc.Status = catalog.StatusActive
	}
	err := proc.Validate()
	addFields(p, "", err)
	if proc.AgencyCode != "" && !rn.tree.Has(proc.AgencyCode) {
		p.add("agency_code", "không tồn tại")
	}
	if len(p) > 0 {
		return ProcedureRecord{}, "", p, nil
	}
	return ProcedureRecord{Line: n, Procedure: proc}, proc.Code, nil, nil
}

// addFields adds the field problems of a domain validation error, each
// field prefixed.
func addFields(p problems, prefix string, err error) {
	var de *domain.Error
	if !errors.As(err, &de) {
		return
	}
	for k, v := range de.Fields {
		p.add(prefix+k, v)
	}
}

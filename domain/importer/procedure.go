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
	Fee                      *int64 `json:"fee"`
	OnlineLevel              string `json:"online_level"`
	OnSpotEligible           bool   `json:"on_spot_eligible"`
	NationalPortalIntegrated bool   `json:"national_portal_integrated"`
	Status                   string `json:"status"`
	Publications             []struct {
		Kind      string `json:"kind"`
		Decision  string `json:"decision"`
		DecidedOn string `json:"decided_on"`
	} `json:"publications"`
	FeeLines   *[]feeLineLine   `json:"fee_lines"`
	Components *[]componentLine `json:"components"`
}

// feeLineLine is one fee line of a procedure line.
type feeLineLine struct {
	Kind   string `json:"kind"`
	Name   string `json:"name"`
	Amount int64  `json:"amount"`
}

// componentLine is one component of a procedure line: the fields of the
// API's component without its id.
type componentLine struct {
	Code      *string `json:"code"`
	Name      string  `json:"name"`
	Originals *int    `json:"originals"`
	Copies    *int    `json:"copies"`
	Required  *bool   `json:"required"`
	Condition string  `json:"condition"`
	Template  *string `json:"template"`
	Position  *int    `json:"position"`
	Active    *bool   `json:"active"`
}

// MaxPublications is the most publications one procedure line may carry.
const MaxPublications = 100

// MaxComponents is the most components one procedure line may carry.
const MaxComponents = 200

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
		Level: catalog.Level(in.Level), OnlineLevel: catalog.OnlineLevel(in.OnlineLevel),
		OnSpotEligible: in.OnSpotEligible, NationalPortalIntegrated: in.NationalPortalIntegrated,
		Status: catalog.ProcedureStatus(in.Status), CreatedAt: rn.now, UpdatedAt: rn.now}
	if in.ProcessingTime != nil {
		proc.ProcessingTime = worktime.Duration{Value: in.ProcessingTime.Value, Unit: worktime.Unit(in.ProcessingTime.Unit)}
	}
	var lines *[]catalog.FeeLine
	if in.FeeLines != nil {
		ls := make([]catalog.FeeLine, len(*in.FeeLines))
		for i, l := range *in.FeeLines {
			ls[i] = catalog.FeeLine{Kind: catalog.FeeKind(l.Kind), Name: l.Name, Amount: l.Amount}
		}
		lines = &ls
	}
	proc.SetFees(in.Fee, lines)
	comps := rn.components(in.Code, in.Components, p)
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
	rec := ProcedureRecord{Line: n, Procedure: proc, Components: comps}
	if _, earlier := rn.procLines[proc.Code]; !earlier {
		rec.ComponentsGiven, rec.FeeLinesGiven = in.Components != nil, in.FeeLines != nil
		if len(rn.procLines) < maxNegative {
			rn.procLines[proc.Code] = struct{}{}
		}
	}
	return rec, proc.Code, nil, nil
}

// components validates the components of a procedure line, recording
// their problems in p by index (components[2].name): the API's rules, and
// codes unique within the line. Without a position a component takes its
// place in the list.
func (rn *run) components(code string, in *[]componentLine, p problems) []catalog.Component {
	if in == nil {
		return nil
	}
	if len(*in) > MaxComponents {
		p.add("components", "tối đa "+strconv.Itoa(MaxComponents)+" thành phần hồ sơ")
		return nil
	}
	out := make([]catalog.Component, 0, len(*in))
	codes := map[string]int{}
	for i, x := range *in {
		f := "components[" + strconv.Itoa(i) + "]."
		fe := domain.FieldErrors{}
		c := catalog.NewComponent{Code: x.Code, Name: x.Name, Originals: x.Originals, Copies: x.Copies, Required: x.Required,
			Condition: x.Condition, Template: x.Template, Position: x.Position, Active: x.Active}.Build(code, fe)
		if x.Position == nil {
			c.Position = min(i, catalog.MaxPosition)
		}
		c.Check(fe, "")
		if j, dup := codes[c.Code]; dup && c.Code != "" {
			fe.Add("code", "trùng mã với components["+strconv.Itoa(j)+"]")
		} else if !dup {
			codes[c.Code] = i
		}
		c.CreatedAt, c.UpdatedAt = rn.now, rn.now
		p.merge(prefixed(f, fe))
		out = append(out, c)
	}
	return out
}

// prefixed is fe with every field prefixed.
func prefixed(prefix string, fe domain.FieldErrors) domain.FieldErrors {
	out := make(domain.FieldErrors, len(fe))
	for k, v := range fe {
		out[prefix+k] = v
	}
	return out
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

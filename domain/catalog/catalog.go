// Package catalog holds the agency tree and the procedure catalogue (thủ tục
// hành chính) with its publication history, and the rules that validate them.
package catalog

import (
	"strings"
	"time"
	"unicode/utf8"

	"github.com/motcua/motcua/domain"
	"github.com/motcua/motcua/domain/worktime"
)

// AgencyKind is the place of an agency in the local-government tree.
type AgencyKind string

// The agency kinds of docs/openapi.yaml.
const (
	KindProvince      AgencyKind = "province"
	KindServiceCenter AgencyKind = "service_center"
	KindDepartment    AgencyKind = "department"
	KindDistrict      AgencyKind = "district"
	KindCommune       AgencyKind = "commune"
)

// Valid reports whether k is a known kind.
func (k AgencyKind) Valid() bool {
	switch k {
	case KindProvince, KindServiceCenter, KindDepartment, KindDistrict, KindCommune:
		return true
	}
	return false
}

// Agency is a unit of the local-government tree with its identity code
// (e.g. 000.00.20.H33). A closed agency is kept for history and receives no
// new dossiers.
type Agency struct {
	Code       string
	Name       string
	Kind       AgencyKind
	ParentCode string
	Closed     bool
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

// Level is the government level a procedure belongs to.
type Level string

// The procedure levels.
const (
	LevelProvince Level = "province"
	LevelDistrict Level = "district"
	LevelCommune  Level = "commune"
)

// Valid reports whether l is a known level.
func (l Level) Valid() bool {
	return l == LevelProvince || l == LevelDistrict || l == LevelCommune
}

// OnlineLevel is how much of a procedure can be done online.
type OnlineLevel string

// The online levels (before Decree 42/2022: levels 2, 3, 4).
const (
	OnlineInfo    OnlineLevel = "info"    // level 2: forms online only
	OnlinePartial OnlineLevel = "partial" // level 3: submit online
	OnlineFull    OnlineLevel = "full"    // level 4: everything online
)

// Valid reports whether o is a known online level.
func (o OnlineLevel) Valid() bool {
	return o == OnlineInfo || o == OnlinePartial || o == OnlineFull
}

// ProcedureStatus says whether a procedure is in force.
type ProcedureStatus string

// The procedure statuses.
const (
	StatusActive    ProcedureStatus = "active"
	StatusAbolished ProcedureStatus = "abolished"
)

// Valid reports whether s is a known status.
func (s ProcedureStatus) Valid() bool { return s == StatusActive || s == StatusAbolished }

// PublicationKind is what a publishing decision did to a procedure.
type PublicationKind string

// The publication kinds.
const (
	PubNew       PublicationKind = "new"
	PubAmended   PublicationKind = "amended"
	PubAbolished PublicationKind = "abolished"
)

// Valid reports whether k is a known publication kind.
func (k PublicationKind) Valid() bool { return k == PubNew || k == PubAmended || k == PubAbolished }

// Publication is one decision that published, amended or abolished a
// procedure (e.g. 602/QĐ-UBND of 2021-05-26).
type Publication struct {
	ID            int64
	ProcedureCode string
	Kind          PublicationKind
	Decision      string
	DecidedOn     worktime.Date
	CreatedAt     time.Time
}

// Procedure is an administrative procedure of the catalogue.
type Procedure struct {
	Code           string
	Name           string
	Field          string
	AgencyCode     string
	Level          Level
	ProcessingTime worktime.Duration
	Fee            int64
	// FeeLines break the fee down (Fee is then their sum); none for a
	// lump sum.
	FeeLines                 []FeeLine
	OnlineLevel              OnlineLevel
	OnSpotEligible           bool
	NationalPortalIntegrated bool
	Status                   ProcedureStatus
	Publications             []Publication
	// Components are the active components in order, in answers about one
	// procedure; nil when not loaded.
	Components []Component
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

// MaxNameLen is the longest name or title accepted (characters).
const MaxNameLen = 300

// MaxTextLen is the longest free text accepted (characters).
const MaxTextLen = 10000

// CheckText records a problem in fe when s is blank (and required) or longer
// than max characters.
func CheckText(fe domain.FieldErrors, field, s string, required bool, max int) {
	if required && strings.TrimSpace(s) == "" {
		fe.Add(field, "bắt buộc")
		return
	}
	if utf8.RuneCountInString(s) > max {
		fe.Add(field, "quá dài")
	}
}

// codeOK reports whether a code uses only printable ASCII letters, digits and
// the separators . - _ and is 1..64 long.
func codeOK(s string) bool {
	if len(s) == 0 || len(s) > 64 {
		return false
	}
	for _, r := range s {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '.', r == '-', r == '_':
		default:
			return false
		}
	}
	return true
}

// ValidCode reports whether s is acceptable as an agency or procedure code.
func ValidCode(s string) bool { return codeOK(s) }

// Validate checks an agency's own fields (not its parent's existence).
func (a Agency) Validate() error {
	fe := domain.FieldErrors{}
	if !codeOK(a.Code) {
		fe.Add("code", "mã không hợp lệ (chữ, số, . - _; tối đa 64 ký tự)")
	}
	CheckText(fe, "name", a.Name, true, MaxNameLen)
	if !a.Kind.Valid() {
		fe.Add("kind", "phải là province, service_center, department, district hoặc commune")
	}
	if a.ParentCode != "" && a.ParentCode == a.Code {
		fe.Add("parent_code", "không thể là chính nó")
	}
	return fe.Err()
}

// Validate checks a procedure's own fields (not its agency's existence).
func (p Procedure) Validate() error {
	fe := domain.FieldErrors{}
	if !codeOK(p.Code) {
		fe.Add("code", "mã không hợp lệ (chữ, số, . - _; tối đa 64 ký tự)")
	}
	CheckText(fe, "name", p.Name, true, MaxNameLen)
	CheckText(fe, "field", p.Field, true, MaxNameLen)
	if p.AgencyCode == "" {
		fe.Add("agency_code", "bắt buộc")
	}
	if !p.Level.Valid() {
		fe.Add("level", "phải là province, district hoặc commune")
	}
	switch {
	case p.ProcessingTime == worktime.Duration{}:
		fe.Add("processing_time", "bắt buộc")
	default:
		if !p.ProcessingTime.Unit.Valid() {
			fe.Add("processing_time.unit", "phải là working_days, working_hours hoặc days")
		}
		if p.ProcessingTime.Value < 0 || p.ProcessingTime.Value > 3650 {
			fe.Add("processing_time.value", "phải từ 0 đến 3650")
		}
	}
	if p.Fee < 0 {
		fe.Add("fee", "không được âm")
	}
	p.checkFees(fe)
	if !p.OnlineLevel.Valid() {
		fe.Add("online_level", "phải là info, partial hoặc full")
	}
	if !p.Status.Valid() {
		fe.Add("status", "phải là active hoặc abolished")
	}
	return fe.Err()
}

// Validate checks a publication.
func (p Publication) Validate() error {
	fe := domain.FieldErrors{}
	p.check(fe)
	return fe.Err()
}

func (p Publication) check(fe domain.FieldErrors) {
	if !p.Kind.Valid() {
		fe.Add("kind", "phải là new, amended hoặc abolished")
	}
	CheckText(fe, "decision", p.Decision, true, MaxNameLen)
	if p.DecidedOn.Year == 0 {
		fe.Add("decided_on", "bắt buộc (YYYY-MM-DD)")
	}
}

package loadgen

import (
	"math/rand/v2"
	"strconv"
	"time"

	"github.com/motcua/motcua/domain/dossier"
)

// Record is one generated dossier: its identity, applicant and the times
// its status implies (zero when absent).
type Record struct {
	Code, Procedure, Unit, Agency string
	Channel, Status, Outcome      string
	OnSpot                        bool
	Applicant                     Applicant
	ProcValue                     int
	ProcUnit                      string
	Submitted, Received, Due      time.Time
	Resolved, Returned, Withdrawn time.Time
	Stopped, Rejected             time.Time
	// CalendarDue says the import line leaves due_at and appointment_at
	// out, for the server to compute from its calendar; Due is still the
	// due time the generator timed the dossier by.
	CalendarDue bool
	// Digitised, EResult and PaidOnline are the line's digitisation flags
	// (Generator.FlagPercent).
	Digitised, EResult, PaidOnline bool
}

// StatusCode is the national portal's status code of the record's status
// (dossier.Status.Code), 0 for an unknown one.
func (r *Record) StatusCode() int { return dossier.Status(r.Status).Code() }

// Timeliness classifies a resolved record by the service's own rule
// (dossier.Classify); "" when it is not resolved.
func (r *Record) Timeliness(loc *time.Location) string {
	if r.Resolved.IsZero() {
		return ""
	}
	return string(dossier.Classify(r.Resolved, r.Due, loc))
}

// Applicant is a generated citizen: a Vietnamese name, a 12-digit ID
// number, a mobile number and a village address.
type Applicant struct {
	Name, IDNumber, Phone, Address string
}

var (
	familyNames = []string{"Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô", "Dương", "Lý", "Lò", "Vàng", "Giàng", "Tòng"}
	middleNames = []string{"Văn", "Thị", "Hữu", "Đức", "Minh", "Thanh", "Ngọc", "Quang", "Xuân", "Thu"}
	givenNames  = []string{"An", "Bình", "Cường", "Dung", "Em", "Giang", "Hà", "Hải", "Hùng", "Lan", "Linh", "Mai", "Nam", "Phúc", "Quân", "Sơn", "Thảo", "Trang", "Tuấn", "Yến"}
	villages    = []string{"Bản Bo", "Bình Lư", "Nà Tăm", "Sơn Bình", "Hồ Thầu", "Khun Há", "Tả Lèng", "Giang Ma"}
)

// NewApplicant draws an applicant from rng.
func NewApplicant(rng *rand.Rand) Applicant {
	return Applicant{
		Name:     familyNames[rng.IntN(len(familyNames))] + " " + middleNames[rng.IntN(len(middleNames))] + " " + givenNames[rng.IntN(len(givenNames))],
		IDNumber: "0" + pad(rng.Int64N(100_000_000_000), 11),
		Phone:    "09" + pad(rng.Int64N(100_000_000), 8),
		Address:  "Thôn " + strconv.Itoa(1+rng.IntN(20)) + ", xã " + villages[rng.IntN(len(villages))],
	}
}

// pad formats n with at least width digits.
func pad(n int64, width int) string {
	s := strconv.FormatInt(n, 10)
	for len(s) < width {
		s = "0" + s
	}
	return s
}

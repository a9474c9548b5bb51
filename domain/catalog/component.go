package catalog

import (
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/motcua/motcua/domain"
)

// Component is one paper of a procedure's dossier (thành phần hồ sơ): what
// the applicant brings, how many originals and copies, whether it is always
// needed or only in a stated case, and the blank form to fill in. A retired
// component (Active false) is kept for the dossiers that name it; no new one
// may. Components are never deleted and their IDs never reused.
type Component struct {
	ID            int64
	ProcedureCode string
	// Code is the component's code in the national procedure database; ""
	// for none.
	Code      string
	Name      string
	Originals int
	Copies    int
	// Required is false for a conditional component, needed only in the case
	// Condition describes.
	Required  bool
	Condition string
	// Template is the file name of the blank form (e.g. "Mẫu số 01.docx"); ""
	// for none.
	Template  string
	Position  int
	Active    bool
	CreatedAt time.Time
	UpdatedAt time.Time
}

// Limits of a component (docs/openapi.yaml).
const (
	MaxComponentCodeLen = 50
	MaxTemplateLen      = 255
	MaxCopies           = 100
	// MaxPosition is the largest position; a component added after one at
	// MaxPosition takes MaxPosition too and sorts after it by ID.
	MaxPosition = 1_000_000
)

// NewComponent is a component as a request or an import line gives it:
// nil is an absent field, whose default applies (one original, no copies,
// required, active, after the last for the position).
type NewComponent struct {
	Code      *string
	Name      string
	Originals *int
	Copies    *int
	Required  *bool
	Condition string
	Template  *string
	Position  *int
	Active    *bool
}

// Build is the component n describes for the procedure code, with the
// defaults of the absent fields (the position stays 0 when absent) and the
// problems of n in fe (an empty code or template: null is how none is said).
// It does not validate the result: Validate does.
func (n NewComponent) Build(code string, fe domain.FieldErrors) Component {
	c := Component{ProcedureCode: code, Name: n.Name, Originals: 1, Required: true, Condition: n.Condition, Active: true}
	CheckNotEmpty(fe, "code", n.Code)
	CheckNotEmpty(fe, "template", n.Template)
	if n.Code != nil {
		c.Code = *n.Code
	}
	if n.Template != nil {
		c.Template = *n.Template
	}
	if n.Originals != nil {
		c.Originals = *n.Originals
	}
	if n.Copies != nil {
		c.Copies = *n.Copies
	}
	if n.Required != nil {
		c.Required = *n.Required
	}
	if n.Position != nil {
		c.Position = *n.Position
	}
	if n.Active != nil {
		c.Active = *n.Active
	}
	return c
}

// CheckNotEmpty records in fe that an optional text field was given empty:
// a field that may be null says "none" with null, never with "".
func CheckNotEmpty(fe domain.FieldErrors, field string, s *string) {
	if s != nil && *s == "" {
		fe.Add(field, "không được để trống (gửi null nếu không có)")
	}
}

// Validate checks a component's own fields (not its procedure's existence
// nor the uniqueness of its code).
func (c Component) Validate() error {
	fe := domain.FieldErrors{}
	c.Check(fe, "")
	return fe.Err()
}

// Check records the problems of c in fe, each field named with prefix
// (e.g. "components[2].").
func (c Component) Check(fe domain.FieldErrors, prefix string) {
	if c.Code != "" && !ValidComponentCode(c.Code) {
		fe.Add(prefix+"code", "mã gồm 1–50 ký tự ASCII in được, không bắt đầu hay kết thúc bằng khoảng trắng")
	}
	CheckText(fe, prefix+"name", c.Name, true, MaxNameLen)
	counts := true
	if c.Originals < 0 || c.Originals > MaxCopies {
		fe.Add(prefix+"originals", "phải từ 0 đến 100")
		counts = false
	}
	if c.Copies < 0 || c.Copies > MaxCopies {
		fe.Add(prefix+"copies", "phải từ 0 đến 100")
		counts = false
	}
	if counts && c.Originals+c.Copies < 1 {
		fe.Add(prefix+"originals", "cần ít nhất một bản chính hoặc một bản sao")
		fe.Add(prefix+"copies", "cần ít nhất một bản chính hoặc một bản sao")
	}
	CheckText(fe, prefix+"condition", c.Condition, false, MaxTextLen)
	if c.Template != "" {
		if reason := templateProblem(c.Template); reason != "" {
			fe.Add(prefix+"template", reason)
		}
	}
	if c.Position < 0 || c.Position > MaxPosition {
		fe.Add(prefix+"position", "phải từ 0 đến 1000000")
	}
}

// ValidComponentCode reports whether s is acceptable as a component code:
// 1 to 50 printable ASCII characters (space included), neither starting nor
// ending with a space.
func ValidComponentCode(s string) bool {
	if len(s) == 0 || len(s) > MaxComponentCodeLen || s[0] == ' ' || s[len(s)-1] == ' ' {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] > 0x7e {
			return false
		}
	}
	return true
}

// templateProblem says what is wrong with a template's file name, or "".
func templateProblem(s string) string {
	switch {
	case utf8.RuneCountInString(s) > MaxTemplateLen:
		return "tối đa 255 ký tự"
	case strings.TrimSpace(s) == "":
		return "không được chỉ có khoảng trắng"
	case strings.ContainsAny(s, `/\`):
		return `là tên tệp, không được chứa / hay \`
	case domain.CheckText(s, false) != domain.TextOK:
		return "không được chứa ký tự điều khiển"
	}
	return ""
}

// FeeKind says whether a fee line is a charge (lệ phí) or a fee (phí), as
// the Law on Fees and Charges (2015) tells them apart.
type FeeKind string

// The fee kinds.
const (
	FeeCharge FeeKind = "charge" // lệ phí
	FeeFee    FeeKind = "fee"    // phí
)

// Valid reports whether k is a known kind.
func (k FeeKind) Valid() bool { return k == FeeCharge || k == FeeFee }

// FeeLine is one amount of a procedure's fee, in VND.
type FeeLine struct {
	Kind   FeeKind
	Name   string
	Amount int64
}

// Limits of the fee lines.
const (
	MaxFeeLines  = 50
	MaxFeeAmount = 1_000_000_000_000
)

// SetFees sets p's fee and fee lines as a request gives them, nil being
// absent. Lines given and not empty: the fee is their sum, unless fee is
// given too (Validate then requires it to be the sum). Lines given empty:
// no lines, and the fee is fee when given, else unchanged. The fee given
// alone is a lump sum without lines.
func (p *Procedure) SetFees(fee *int64, lines *[]FeeLine) {
	switch {
	case lines != nil:
		p.FeeLines = nil
		if len(*lines) > 0 {
			p.FeeLines = append([]FeeLine(nil), *lines...)
		}
		if fee != nil {
			p.Fee = *fee
		} else if sum, ok := FeeSum(p.FeeLines); ok && len(p.FeeLines) > 0 {
			p.Fee = sum
		}
	case fee != nil:
		p.Fee, p.FeeLines = *fee, nil
	}
}

// FeeSum is the sum of lines, and false when an amount is out of range (the
// sum then means nothing).
func FeeSum(lines []FeeLine) (int64, bool) {
	var sum int64
	for _, l := range lines {
		if l.Amount < 0 || l.Amount > MaxFeeAmount {
			return 0, false
		}
		sum += l.Amount
	}
	return sum, true
}

// checkFees records the problems of p's fee lines in fe, and a fee that is
// not their sum.
func (p Procedure) checkFees(fe domain.FieldErrors) {
	if len(p.FeeLines) > MaxFeeLines {
		fe.Add("fee_lines", "tối đa 50 khoản")
	}
	for i, l := range p.FeeLines {
		if i >= MaxFeeLines {
			break
		}
		f := "fee_lines[" + strconv.Itoa(i) + "]."
		if !l.Kind.Valid() {
			fe.Add(f+"kind", "phải là charge (lệ phí) hoặc fee (phí)")
		}
		CheckText(fe, f+"name", l.Name, true, MaxNameLen)
		if l.Amount < 0 || l.Amount > MaxFeeAmount {
			fe.Add(f+"amount", "phải từ 0 đến 1000000000000 (đồng)")
		}
	}
	if sum, ok := FeeSum(p.FeeLines); ok && len(p.FeeLines) > 0 && p.Fee != sum {
		fe.Add("fee", "phải bằng tổng các khoản của fee_lines ("+strconv.FormatInt(sum, 10)+" đồng); bỏ fee để máy chủ tự tính")
	}
}

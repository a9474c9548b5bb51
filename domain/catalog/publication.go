package catalog

import (
	"github.com/motcua/motcua/domain"
	"github.com/motcua/motcua/domain/worktime"
)

// Years a publishing decision may be dated in.
const (
	minDecisionYear = 1900
	maxDecisionYear = 2999
)

// PublicationText is a publishing decision as people write it (the API's
// body, an import line): the date as YYYY-MM-DD.
type PublicationText struct {
	Kind      string
	Decision  string
	DecidedOn string
}

// Parse reads t, a decision about the procedure code as of today, into a
// Publication. The field errors (keys kind, decision, decided_on) say what
// is wrong; a decision is dated in a year from 1900 to 2999 and not after
// today.
func (t PublicationText) Parse(code string, today worktime.Date) (Publication, domain.FieldErrors) {
	pub := Publication{ProcedureCode: code, Kind: PublicationKind(t.Kind), Decision: t.Decision}
	fe := domain.FieldErrors{}
	if t.DecidedOn != "" {
		d, err := worktime.ParseDate(t.DecidedOn)
		switch {
		case err != nil:
			fe.Add("decided_on", "ngày phải có dạng YYYY-MM-DD")
		case d.Year < minDecisionYear || d.Year > maxDecisionYear:
			fe.Add("decided_on", "năm phải từ 1900 đến 2999")
		case d.After(today):
			fe.Add("decided_on", "không được ở tương lai")
		}
		pub.DecidedOn = d
	}
	pub.check(fe)
	return pub, fe
}

package dossier

import (
	"math"
	"time"
)

// What the citizen's lookup tells them beyond the dossier's own fields: the
// next step, derived from the status and the history (docs/domain.md, "What
// the lookup tells the citizen"), and the latest reschedule.

// NextKind is what the citizen is asked to do next about a dossier.
type NextKind string

// The next steps of docs/domain.md.
const (
	NextWait       NextKind = "wait"       // nothing yet: the agency is at work
	NextNone       NextKind = "none"       // nothing: the dossier is finished
	NextSupplement NextKind = "supplement" // bring the missing papers to the counter
	NextPayment    NextKind = "payment"    // pay the fees or taxes asked
	NextCollect    NextKind = "collect"    // collect the result at the reception unit
	NextRate       NextKind = "rate"       // rate the handling of the dossier
)

// NextStep is what the citizen has to do now, with what the staff wrote
// about it.
type NextStep struct {
	Kind NextKind
	// Reason is the written reason of the action that led here (a refusal,
	// a supplement request, a withdrawal, a stop, a denial); empty when
	// none applies or none was recorded.
	Reason string
	// Items are the papers a supplement request asks for; nil otherwise.
	Items []string
	// Amount is the sum to pay in VND while the dossier awaits payment; nil
	// otherwise.
	Amount *int64
}

// Reschedule is a moved appointment as the citizen sees it: the apology of
// Mẫu 04.
type Reschedule struct {
	// At is when the appointment was moved.
	At time.Time
	// AppointmentAt is the new appointment.
	AppointmentAt time.Time
	Reason        string
}

// PublicDetailActions are the actions whose history details the lookup
// reads: the reason of a refusal, a withdrawal, a stop or a denial, the
// reason and items of a supplement request, the amount of a payment
// request, and the new appointment and reason of a reschedule. A store
// may leave the details of every other action out of Stage.
var PublicDetailActions = []Action{ActReject, ActRequestSupplement, ActRequestPayment, ActResolve,
	ActWithdraw, ActStop, ActReschedule}

// NextStepOf is the next step of a dossier whose status, outcome and
// recorded payment amount are d's, whose history is stages (oldest first,
// with the details of PublicDetailActions) and which the citizen has rated
// or not. The reason, items and amount come from the latest history entry
// of the action that led to the status; the amount falls back to
// d.PaymentAmount, which a history without that entry (an imported
// dossier) still has. An unknown status has nothing to do: NextNone.
func NextStepOf(d Dossier, stages []Stage, rated bool) NextStep {
	switch d.Status {
	case Submitted, Received, Processing:
		return NextStep{Kind: NextWait}
	case Rejected:
		return NextStep{Kind: NextNone, Reason: reasonOf(stages, ActReject)}
	case Withdrawn:
		return NextStep{Kind: NextNone, Reason: reasonOf(stages, ActWithdraw)}
	case Stopped:
		return NextStep{Kind: NextNone, Reason: reasonOf(stages, ActStop)}
	case SupplementRequested:
		n := NextStep{Kind: NextSupplement}
		if e, ok := latest(stages, ActRequestSupplement); ok {
			n.Reason, n.Items = text(e.Details["reason"]), texts(e.Details["items"])
		}
		return n
	case AwaitingPayment:
		n := NextStep{Kind: NextPayment}
		if e, ok := latest(stages, ActRequestPayment); ok {
			n.Amount = amount(e.Details["amount"])
		}
		if n.Amount == nil && d.PaymentAmount != nil {
			n.Amount = ptr(*d.PaymentAmount)
		}
		return n
	case Resolved:
		n := NextStep{Kind: NextCollect}
		if d.Outcome == Denied {
			// A denial comes with written reasons, which the citizen
			// collects with it and may contest.
			n.Reason = reasonOf(stages, ActResolve)
		}
		return n
	case Returned:
		if !rated {
			return NextStep{Kind: NextRate}
		}
	}
	return NextStep{Kind: NextNone}
}

// LatestReschedule is the latest reschedule in stages whose new appointment
// can be read, nil when there is none.
func LatestReschedule(stages []Stage) *Reschedule {
	for i := len(stages) - 1; i >= 0; i-- {
		s := stages[i]
		if s.Action != ActReschedule {
			continue
		}
		t, err := time.Parse(time.RFC3339, text(s.Details["new_due_at"]))
		if err != nil {
			continue
		}
		return &Reschedule{At: s.At, AppointmentAt: t.UTC(), Reason: text(s.Details["reason"])}
	}
	return nil
}

// latest is the last stage of action a.
func latest(stages []Stage, a Action) (Stage, bool) {
	for j := len(stages) - 1; j >= 0; j-- {
		if stages[j].Action == a {
			return stages[j], true
		}
	}
	return Stage{}, false
}

// reasonOf is the reason of the last stage of action a, "" without one.
func reasonOf(stages []Stage, a Action) string {
	if e, ok := latest(stages, a); ok {
		return text(e.Details["reason"])
	}
	return ""
}

// The details of a history entry are JSON once stored, so a value arrives
// as the service wrote it (an int64, a []string) or as JSON decodes it (a
// float64, a []any); the readers below take both.

// text is v when it is a string, else "".
func text(v any) string {
	s, _ := v.(string)
	return s
}

// texts are the strings of v, a list; nil when it holds none.
func texts(v any) []string {
	var out []string
	switch l := v.(type) {
	case []string:
		out = append(out, l...)
	case []any:
		for _, x := range l {
			if s, ok := x.(string); ok {
				out = append(out, s)
			}
		}
	}
	return out
}

// amount is v as a whole number of VND, nil when it is not one.
func amount(v any) *int64 {
	switch n := v.(type) {
	case int64:
		return &n
	case int:
		return ptr(int64(n))
	case float64:
		if n == math.Trunc(n) && math.Abs(n) <= MaxAmount {
			return ptr(int64(n))
		}
	case interface{ Int64() (int64, error) }: // json.Number
		if i, err := n.Int64(); err == nil {
			return &i
		}
	}
	return nil
}

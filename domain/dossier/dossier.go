// Package dossier models the dossiers (hồ sơ) received at a one-stop counter
// and the rules that move them from registration to the returned result:
// the state machine of docs/domain.md, the dossier code, the working-time clock
// (due time, supplement pause, rescheduled appointment), timeliness, the
// unit scope of staff, and the citizen's lookup by pin.
package dossier

import (
	"time"

	"github.com/motcua/motcua/domain/worktime"
)

// Status is where a dossier is in its life.
type Status string

// The statuses of docs/domain.md, with the national portal's status codes 1–10.
const (
	Submitted           Status = "submitted"            // 1: sent online, not yet accepted
	Received            Status = "received"             // 2: accepted; the clock runs
	Rejected            Status = "rejected"             // 3: refused at receipt (Mẫu 03)
	Processing          Status = "processing"           // 4: with the handling agency
	SupplementRequested Status = "supplement_requested" // 5: waiting for the applicant; the clock is stopped
	AwaitingPayment     Status = "awaiting_payment"     // 6: waiting for fees or taxes
	Withdrawn           Status = "withdrawn"            // 7: the applicant withdrew it
	Stopped             Status = "stopped"              // 8: processing stopped by the agency
	Resolved            Status = "resolved"             // 9: result ready
	Returned            Status = "returned"             // 10: result handed to the applicant
)

// Statuses lists every status in status-code order.
var Statuses = []Status{Submitted, Received, Rejected, Processing, SupplementRequested, AwaitingPayment,
	Withdrawn, Stopped, Resolved, Returned}

// Code returns the national portal's status code (1–10), 0 for an unknown status.
func (s Status) Code() int {
	for i, v := range Statuses {
		if v == s {
			return i + 1
		}
	}
	return 0
}

// Valid reports whether s is a known status.
func (s Status) Valid() bool { return s.Code() != 0 }

// InProgress reports whether the dossier has been received and is not
// finished: received, processing, supplement requested or awaiting payment.
func (s Status) InProgress() bool {
	return s == Received || s == Processing || s == SupplementRequested || s == AwaitingPayment
}

// Channel is how a dossier reached the counter.
type Channel string

// The channels; their national codes are direct 1, online 2, postal 3.
const (
	Direct Channel = "direct"
	Online Channel = "online"
	Postal Channel = "postal"
)

// Valid reports whether c is a known channel.
func (c Channel) Valid() bool { return c == Direct || c == Online || c == Postal }

// Outcome is the result of a resolved dossier.
type Outcome string

// The outcomes.
const (
	Approved Outcome = "approved"
	Denied   Outcome = "denied" // with written reasons
)

// Valid reports whether o is a known outcome.
func (o Outcome) Valid() bool { return o == Approved || o == Denied }

// Timeliness says how a resolved dossier met its statutory due time.
type Timeliness string

// The timeliness classes of docs/domain.md.
const (
	Early  Timeliness = "early"   // resolved on a calendar day before the due day
	OnTime Timeliness = "on_time" // resolved on the due day, at or before the due time
	Late   Timeliness = "late"    // resolved after the due time
)

// Applicant is the person or organisation a dossier is filed for. Every
// field but Name is optional; IDNumber, Phone, Email and Address are
// personal data.
type Applicant struct {
	Name         string
	IDNumber     string
	Phone        string
	Email        string
	Address      string
	Organization string
}

// Document is one paper of a dossier's file and its number of copies.
type Document struct {
	Name   string
	Copies int
}

// Dossier is one application for an administrative procedure. Times are
// instants (stored UTC); a nil time has not happened.
type Dossier struct {
	ID            int64
	Code          string
	ProcedureCode string
	// UnitCode is the reception unit: where the counter that received it sits.
	UnitCode string
	// AgencyCode is the handling agency: the procedure's agency at registration.
	AgencyCode string
	// HolderUnit is the unit holding it now (the handling agency until a transfer).
	HolderUnit string
	Assignee   string
	Channel    Channel
	OnSpot     bool
	Status     Status
	Applicant  Applicant
	// ApplicantIDHash is the keyed hash of the normalised ID number, for the
	// citizen's lookup by ID number; empty when no ID number was given.
	ApplicantIDHash string
	Documents       []Document
	Note            string
	// Notify lists the channels the applicant asked to be told on, in
	// domain.NotifyChannels order; nil for none (imports always).
	Notify []string
	// PinHash is the keyed hash of the lookup pin; the pin itself is never kept.
	PinHash string
	// ProcessingTime is the procedure's processing time at registration.
	ProcessingTime worktime.Duration

	SubmittedAt time.Time
	ReceivedAt  *time.Time
	// DueAt is the statutory due time: from the processing time, moved by
	// supplement waiting time; never by a reschedule.
	DueAt *time.Time
	// AppointmentAt is what the citizen was promised: DueAt unless rescheduled.
	AppointmentAt *time.Time
	// SupplementRequestedAt is the start of the current supplement pause.
	SupplementRequestedAt *time.Time
	PaymentAmount         *int64
	ResolvedAt            *time.Time
	Outcome               Outcome
	Timeliness            Timeliness
	ReturnedAt            *time.Time
	WithdrawnAt           *time.Time
	StoppedAt             *time.Time
	RejectedAt            *time.Time

	// Digitised reports that the dossier has a component file flagged
	// digitised (scanned at the counter), and EResult that it has an
	// electronic result file. Only the file store sets them and the
	// instants below (the first time each became true), never Update:
	// ComponentFileAt (a component file of any flags), ReusedAt (one flagged
	// reused or from a national database).
	Digitised                                         bool
	EResult                                           bool
	DigitisedAt, EResultAt, ComponentFileAt, ReusedAt *time.Time

	// PaidTotal is the sum of the paid payments (VND), PaidOnline whether
	// one was paid online and PaidOnlineAt when the first was recorded.
	// RegisteredFee is the procedure's fee at registration; PayableAt is
	// when the dossier first carried a financial obligation (that fee, or a
	// payment not cancelled), nil while it carries none.
	PaidTotal     int64
	PaidOnline    bool
	PaidOnlineAt  *time.Time
	RegisteredFee int64
	PayableAt     *time.Time

	// Version counts the changes of the row, for optimistic concurrency.
	Version   int
	CreatedAt time.Time
	UpdatedAt time.Time

	// History is the dossier's append-only log, oldest first, when loaded.
	History []Entry
}

// Entry is one line of a dossier's history: an action, the move it made
// and who made it. Entries are appended, never changed or deleted.
type Entry struct {
	ID        int64
	DossierID int64
	Action    Action
	// From is the status before the action; empty for the registration.
	From    Status
	To      Status
	At      time.Time
	By      string
	Unit    string
	Note    string
	Details map[string]any
}

// Registered is the answer to a registration: the dossier and its one-time
// lookup pin, shown to the citizen once and never stored.
type Registered struct {
	Dossier
	Pin string
	// What a client needs to print its own receipt: the names of the
	// procedure, the reception unit, the handling agency and the receiving
	// clerk, and the procedure's fee (VND).
	ProcedureName  string
	UnitName       string
	AgencyName     string
	ReceivedByName string
	Fee            int64
}

// Public is what a citizen may see of a dossier: no staff names, no
// applicant data beyond the masked name.
type Public struct {
	Code          string
	Status        Status
	ProcedureName string
	AgencyName    string
	// UnitName is the reception unit's name: where the citizen filed the
	// dossier and collects the result.
	UnitName string
	// ApplicantName is the masked name (MaskName).
	ApplicantName string
	ReceivedAt    *time.Time
	AppointmentAt *time.Time
	ResolvedAt    *time.Time
	ReturnedAt    *time.Time
	// Outcome is the recorded result; empty until the dossier is resolved.
	Outcome Outcome
	// Next is what the citizen has to do now (NextStepOf).
	Next NextStep
	// Reschedule is the latest apology with a new appointment, nil when
	// the appointment was never moved (LatestReschedule).
	Reschedule *Reschedule
	// Rated reports whether the citizen has rated the dossier.
	Rated bool
	// ResultsAvailable reports whether the citizen may download an
	// electronic result: the dossier is returned and has a result file.
	ResultsAvailable bool
	Stages           []Stage
}

// PublicRecord is what the store reads for the citizen's lookup: the
// dossier's public fields (Store.PublicByCode lists them), whether a
// citizen rating of it exists, and its stages. All are read with the
// dossier so the lookup is one query.
type PublicRecord struct {
	Dossier
	Rated bool
	// Stages are the action and time of each history entry, oldest first,
	// with the details of the entries whose action is one of
	// PublicDetailActions (History without the rest), and no records of
	// files (RecordOnlyActions).
	Stages []Stage
}

// Stage is one step a dossier passed, as a citizen sees it.
type Stage struct {
	Action Action
	At     time.Time
	// Details are the entry's details when Action is one of
	// PublicDetailActions, whose reason, items, amount or new appointment
	// the lookup shows; nil for the other actions, whose details (staff
	// usernames, units) the lookup never reads.
	Details map[string]any
}

// Package feedback models citizen feedback (phản ánh, kiến nghị — PAKN) on
// administrative regulations and their handling, and the satisfaction
// ratings citizens give a returned dossier: codes, the state machine, who
// may act, deadlines in working days, what is shown publicly.
package feedback

import (
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/motcua/motcua/domain"
	"github.com/motcua/motcua/domain/catalog"
	"github.com/motcua/motcua/domain/worktime"
)

// Channel is how a feedback item reached the administration.
type Channel string

// The channels of docs/domain.md.
const (
	ChannelHotline Channel = "hotline" // a call to the hotline, recorded by a clerk
	ChannelOnline  Channel = "online"  // the public portal or the national PAKN system
	ChannelDirect  Channel = "direct"  // in person at a counter
	ChannelMail    Channel = "mail"    // a letter
)

// Valid reports whether c is a known channel.
func (c Channel) Valid() bool {
	switch c {
	case ChannelHotline, ChannelOnline, ChannelDirect, ChannelMail:
		return true
	}
	return false
}

// Category is what a feedback item is about.
type Category string

// The categories of docs/domain.md.
const (
	CategoryRegulation Category = "regulation" // an administrative regulation
	CategoryProcedure  Category = "procedure"  // how a procedure or a dossier was handled
	CategoryConduct    Category = "conduct"    // the conduct of staff
	CategoryOther      Category = "other"
)

// Valid reports whether c is a known category.
func (c Category) Valid() bool {
	switch c {
	case CategoryRegulation, CategoryProcedure, CategoryConduct, CategoryOther:
		return true
	}
	return false
}

// Status is where a feedback item stands.
type Status string

// The statuses of docs/domain.md. Answered and refused are final; an answered item
// may still be published once.
const (
	StatusReceived   Status = "received"
	StatusProcessing Status = "processing"
	StatusAnswered   Status = "answered"
	StatusRefused    Status = "refused"
)

// Statuses lists every status, in lifecycle order.
var Statuses = []Status{StatusReceived, StatusProcessing, StatusAnswered, StatusRefused}

// Valid reports whether s is a known status.
func (s Status) Valid() bool {
	switch s {
	case StatusReceived, StatusProcessing, StatusAnswered, StatusRefused:
		return true
	}
	return false
}

// Open reports whether the item still awaits an answer or a refusal.
func (s Status) Open() bool { return s == StatusReceived || s == StatusProcessing }

// Deadlines in working days from receipt (docs/domain.md, Decree 20/2008).
var (
	// AnswerTime is the time to answer: 15 working days.
	AnswerTime = worktime.Duration{Value: 15, Unit: worktime.WorkingDays}
	// RefuseTime is the time to refuse: 2 working days.
	RefuseTime = worktime.Duration{Value: 2, Unit: worktime.WorkingDays}
)

// Text limits (docs/openapi.yaml).
const (
	MaxTitleLen   = 300   // titles and names
	MaxTextLen    = 10000 // content, answers, reasons, notes, comments
	MaxPhoneLen   = 20
	MaxEmailLen   = 254
	MaxAddressLen = 300
)

// Sender is who sent a feedback item. Every field may be empty: anonymous
// feedback is accepted. It is personal data: never logged, never public.
type Sender struct {
	Name    string
	Phone   string
	Email   string
	Address string
}

// Empty reports whether the sender is anonymous.
func (s Sender) Empty() bool {
	return s.Name == "" && s.Phone == "" && s.Email == "" && s.Address == ""
}

// Feedback is one feedback item.
type Feedback struct {
	ID       int64
	Code     string
	Channel  Channel
	Category Category
	Title    string
	Content  string
	Sender   Sender
	// DossierCode, AgencyCode and ProcedureCode are optional links. A set
	// AgencyCode is the agency the item is assigned to.
	DossierCode   string
	AgencyCode    string
	ProcedureCode string
	// RecordedUnit is the unit of the clerk who recorded it; empty for
	// citizens' own submissions.
	RecordedUnit string
	// Notify lists the channels the sender asked to be told on, in
	// domain.NotifyChannels order; nil for none.
	Notify        []string
	Status        Status
	Published     bool
	Answer        string
	RefusalReason string
	ReceivedAt    time.Time
	DueAt         time.Time // answer due: 15 working days
	RefuseDueAt   time.Time // refusal due: 2 working days
	AnsweredAt    *time.Time
	RefusedAt     *time.Time
	PublishedAt   *time.Time
	// PublicTitle, PublicContent and PublicAnswer are the texts the
	// publishing leader chose instead of the item's own ("" : its own).
	PublicTitle   string
	PublicContent string
	PublicAnswer  string
	// PinHash is the keyed hash of the citizen's lookup PIN, bound to Code.
	PinHash   string
	Version   int
	CreatedAt time.Time
	UpdatedAt time.Time
	// History is filled by single-item reads, oldest first.
	History []Entry
	// AgencyName is filled for public answers.
	AgencyName string
}

// Overdue reports whether the item is still open after its due time.
func (f Feedback) Overdue(now time.Time) bool {
	return f.Status.Open() && now.After(f.DueAt)
}

// Entry is one line of a feedback item's append-only history.
type Entry struct {
	Action Action
	From   Status // empty for the first entry
	To     Status
	At     time.Time
	By     string // username; empty for a citizen
	Unit   string
	Note   string
}

// NewFeedback is what a clerk or a citizen sends.
type NewFeedback struct {
	Channel       Channel
	Category      Category
	Title         string
	Content       string
	Sender        Sender
	DossierCode   string
	AgencyCode    string
	ProcedureCode string
	// Notify lists the channels the sender asked to be told on; each
	// needs the sender's address for it.
	Notify []string
}

// normalize trims the single-line fields.
func (n *NewFeedback) normalize() {
	n.Title = strings.TrimSpace(n.Title)
	n.Sender.Name = strings.TrimSpace(n.Sender.Name)
	n.Sender.Phone = strings.TrimSpace(n.Sender.Phone)
	n.Sender.Email = strings.TrimSpace(n.Sender.Email)
	n.Sender.Address = strings.TrimSpace(n.Sender.Address)
	n.DossierCode = strings.TrimSpace(n.DossierCode)
	n.AgencyCode = strings.TrimSpace(n.AgencyCode)
	n.ProcedureCode = strings.TrimSpace(n.ProcedureCode)
	n.Notify = domain.NormalizeNotify(n.Notify)
}

// validate checks the item's own fields into fe (not whether the linked
// agency, procedure or dossier exists).
func (n NewFeedback) validate(fe domain.FieldErrors) {
	if !n.Channel.Valid() {
		fe.Add("channel", "phải là hotline, online, direct hoặc mail")
	}
	if !n.Category.Valid() {
		fe.Add("category", "phải là regulation, procedure, conduct hoặc other")
	}
	checkText(fe, "title", n.Title, true, MaxTitleLen)
	checkText(fe, "content", n.Content, true, MaxTextLen)
	checkText(fe, "sender.name", n.Sender.Name, false, MaxTitleLen)
	checkText(fe, "sender.address", n.Sender.Address, false, MaxAddressLen)
	if n.Sender.Phone != "" && !domain.ValidPhone(n.Sender.Phone) {
		fe.Add("sender.phone", "số điện thoại không hợp lệ")
	}
	if n.Sender.Email != "" && !domain.ValidEmail(n.Sender.Email) {
		fe.Add("sender.email", "địa chỉ thư điện tử không hợp lệ")
	}
	domain.CheckNotify(fe, n.Notify, n.Sender.Email, n.Sender.Phone, "sender.email", "sender.phone")
	for field, v := range map[string]string{"dossier_code": n.DossierCode, "agency_code": n.AgencyCode, "procedure_code": n.ProcedureCode} {
		if v != "" && !catalog.ValidCode(v) {
			fe.Add(field, "mã không hợp lệ")
		}
	}
}

// checkText records a problem when s is blank (and required) or longer than
// max characters.
func checkText(fe domain.FieldErrors, field, s string, required bool, max int) {
	if required && strings.TrimSpace(s) == "" {
		fe.Add(field, "bắt buộc")
		return
	}
	if !utf8.ValidString(s) {
		fe.Add(field, "không phải UTF-8 hợp lệ")
		return
	}
	if utf8.RuneCountInString(s) > max {
		fe.Add(field, "quá dài (tối đa "+strconv.Itoa(max)+" ký tự)")
	}
}

// Masked returns f with the sender's personal data hidden: the name masked
// word by word, phone, e-mail and address removed. For roles that read
// feedback without needing to contact the sender (viewers).
func (f Feedback) Masked() Feedback {
	f.Sender = Sender{Name: domain.MaskName(f.Sender.Name)}
	return f
}

// redacted is what replaces the sender's data found in public text.
const redacted = "***"

// PublicText is what publishing the item shows: its title, content and
// answer (or the texts the leader chose instead), with phone numbers, ID
// numbers, e-mail addresses and the sender's own name, phone, e-mail or
// address (however written) replaced by "***" (see Redact), and how many
// spans were replaced.
type PublicText struct {
	Title, Content, Answer string
	Redactions             int
}

// PublicText returns what the item shows once published.
func (f Feedback) PublicText() PublicText {
	secrets := []string{f.Sender.Name, f.Sender.Phone, f.Sender.Email, f.Sender.Address}
	pick := func(own, chosen string) string {
		if chosen != "" {
			return chosen
		}
		return own
	}
	var out PublicText
	var n int
	out.Title, n = Redact(pick(f.Title, f.PublicTitle), secrets...)
	out.Redactions += n
	out.Content, n = Redact(pick(f.Content, f.PublicContent), secrets...)
	out.Redactions += n
	out.Answer, n = Redact(pick(f.Answer, f.PublicAnswer), secrets...)
	out.Redactions += n
	return out
}

// Public returns the item as it may be shown to anyone: no sender at all,
// and the redacted public text (PublicText) for title, content and answer.
func (f Feedback) Public() Feedback {
	pt := f.PublicText()
	f.Title, f.Content, f.Answer = pt.Title, pt.Content, pt.Answer
	f.PublicTitle, f.PublicContent, f.PublicAnswer = "", "", ""
	f.Sender = Sender{}
	f.Notify = nil
	f.PinHash = ""
	f.RecordedUnit = ""
	f.History = nil
	return f
}

package dossier

import (
	"slices"

	"github.com/motcua/motcua/domain"
	"github.com/motcua/motcua/domain/user"
)

// Action is a move in a dossier's life, as recorded in its history.
type Action string

// The registration actions: the first history entry of every dossier.
const (
	ActReceive Action = "receive" // registered at the counter or by post
	ActSubmit  Action = "submit"  // registered as an online submission
)

// The actions of POST /dossiers/{code}/actions (docs/domain.md).
const (
	ActAccept            Action = "accept"
	ActReject            Action = "reject"
	ActStart             Action = "start"
	ActTransfer          Action = "transfer"
	ActRequestSupplement Action = "request_supplement"
	ActSupplement        Action = "supplement"
	ActRequestPayment    Action = "request_payment"
	ActConfirmPayment    Action = "confirm_payment"
	ActResolve           Action = "resolve"
	ActReturn            Action = "return"
	ActWithdraw          Action = "withdraw"
	ActStop              Action = "stop"
	ActReschedule        Action = "reschedule"
)

// The actions recorded by the dossier's files: a new file, a new version of
// one. Staff do not request them as actions; they upload. They move no
// status (from and to are the current one) and are not stages of the
// citizen's lookup.
const (
	ActAttachFile  Action = "attach_file"
	ActReplaceFile Action = "replace_file"
)

// RecordOnlyActions are the history actions that are not stages of the
// citizen's lookup: the records of files and of counter payments.
var RecordOnlyActions = []Action{ActAttachFile, ActReplaceFile, ActRecordPayment}

// Actions lists the actions staff may request, in the order of docs/domain.md.
var Actions = []Action{ActAccept, ActReject, ActStart, ActTransfer, ActRequestSupplement, ActSupplement,
	ActRequestPayment, ActConfirmPayment, ActResolve, ActReturn, ActWithdraw, ActStop, ActReschedule}

// Valid reports whether a is an action staff may request (not a
// registration action).
func (a Action) Valid() bool { return slices.Contains(Actions, a) }

// step is a (status, action) pair: a key of the machine.
type step struct {
	from   Status
	action Action
}

// move is what the machine allows for a step.
type move struct {
	to    Status
	roles []user.Role
	// onSpotByHandlingLeader limits the step to on-spot dossiers acted on by
	// a leader of the handling agency (docs/domain.md: received → resolved).
	onSpotByHandlingLeader bool
}

var (
	clerk   = user.RoleClerk
	officer = user.RoleOfficer
	leader  = user.RoleLeader
)

// machine is THE state machine of docs/domain.md: every allowed (status, action)
// with its next status and the roles that may take it. Anything not listed
// is an invalid transition.
var machine = map[step]move{
	{Submitted, ActAccept}: {to: Received, roles: []user.Role{clerk}},
	{Submitted, ActReject}: {to: Rejected, roles: []user.Role{clerk}},

	{Received, ActStart}: {to: Processing, roles: []user.Role{clerk, officer, leader}},

	{Processing, ActTransfer}: {to: Processing, roles: []user.Role{officer, leader}},

	{Received, ActRequestSupplement}:     {to: SupplementRequested, roles: []user.Role{officer, leader, clerk}},
	{Processing, ActRequestSupplement}:   {to: SupplementRequested, roles: []user.Role{officer, leader, clerk}},
	{SupplementRequested, ActSupplement}: {to: Processing, roles: []user.Role{clerk}},

	{Processing, ActRequestPayment}:      {to: AwaitingPayment, roles: []user.Role{officer, leader}},
	{AwaitingPayment, ActConfirmPayment}: {to: Processing, roles: []user.Role{clerk}},

	{Processing, ActResolve}: {to: Resolved, roles: []user.Role{leader}},
	{Received, ActResolve}:   {to: Resolved, roles: []user.Role{leader}, onSpotByHandlingLeader: true},

	{Resolved, ActReturn}: {to: Returned, roles: []user.Role{clerk}},

	{Submitted, ActWithdraw}:           {to: Withdrawn, roles: []user.Role{clerk}},
	{Received, ActWithdraw}:            {to: Withdrawn, roles: []user.Role{clerk}},
	{Processing, ActWithdraw}:          {to: Withdrawn, roles: []user.Role{clerk}},
	{SupplementRequested, ActWithdraw}: {to: Withdrawn, roles: []user.Role{clerk}},
	{AwaitingPayment, ActWithdraw}:     {to: Withdrawn, roles: []user.Role{clerk}},

	{Received, ActStop}:            {to: Stopped, roles: []user.Role{leader}},
	{Processing, ActStop}:          {to: Stopped, roles: []user.Role{leader}},
	{SupplementRequested, ActStop}: {to: Stopped, roles: []user.Role{leader}},
	{AwaitingPayment, ActStop}:     {to: Stopped, roles: []user.Role{leader}},

	{Received, ActReschedule}:            {to: Received, roles: []user.Role{leader, clerk}},
	{Processing, ActReschedule}:          {to: Processing, roles: []user.Role{leader, clerk}},
	{SupplementRequested, ActReschedule}: {to: SupplementRequested, roles: []user.Role{leader, clerk}},
	{AwaitingPayment, ActReschedule}:     {to: AwaitingPayment, roles: []user.Role{leader, clerk}},
}

// Roles returns the roles that may take action a in some status.
func Roles(a Action) []user.Role {
	var out []user.Role
	for k, m := range machine {
		if k.action != a {
			continue
		}
		for _, r := range m.roles {
			if !slices.Contains(out, r) {
				out = append(out, r)
			}
		}
	}
	return out
}

// Actor is who asks for a move, as the machine needs to know them.
type Actor struct {
	Role user.Role
	// LeadsHandlingAgency reports whether the actor's unit is the dossier's
	// handling agency or above it.
	LeadsHandlingAgency bool
}

// Next returns the status that action a takes a dossier with status from
// (and on-spot flag onSpot) to, when actor may take it. A role that may
// never take a is ErrForbidden; a move the machine does not list is
// KindInvalidTransition; the on-spot resolve by someone other than a leader
// of the handling agency is ErrForbidden.
func Next(from Status, onSpot bool, a Action, actor Actor) (Status, error) {
	if !slices.Contains(Roles(a), actor.Role) {
		return "", domain.ErrForbidden
	}
	m, ok := machine[step{from, a}]
	if !ok || (m.onSpotByHandlingLeader && !onSpot) {
		return "", invalidTransition(from, a)
	}
	if !slices.Contains(m.roles, actor.Role) {
		return "", domain.ErrForbidden
	}
	if m.onSpotByHandlingLeader && !actor.LeadsHandlingAgency {
		return "", domain.ErrForbidden
	}
	return m.to, nil
}

func invalidTransition(from Status, a Action) error {
	return &domain.Error{Kind: domain.KindInvalidTransition,
		Message: "Không thể thực hiện thao tác " + string(a) + " với hồ sơ ở trạng thái " + string(from),
		Details: map[string]any{"status": string(from), "action": string(a)}}
}

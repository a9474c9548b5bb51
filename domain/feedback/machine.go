package feedback

import (
	"github.com/motcua/motcua/domain"
	"github.com/motcua/motcua/domain/user"
)

// Action is a step in a feedback item's life, as written in its history.
type Action string

// The actions. Receive and Submit only open the history (a clerk recorded the
// item, or a citizen sent it); the others are docs/domain.md's table.
const (
	ActionReceive Action = "receive" // recorded by a clerk
	ActionSubmit  Action = "submit"  // sent by a citizen (the portal, a low rating)
	ActionAssign  Action = "assign"
	ActionAnswer  Action = "answer"
	ActionRefuse  Action = "refuse"
	ActionPublish Action = "publish"
)

// Actions are the actions staff may request, in docs/domain.md's order.
var Actions = []Action{ActionAssign, ActionAnswer, ActionRefuse, ActionPublish}

// rule is one row of the state machine.
type rule struct {
	from []Status // the statuses the action may start from
	to   Status   // the status after it
	// unpublished: the action needs an item not yet published (publish is once).
	unpublished bool
	// roles may take the action (inside their scope).
	roles []user.Role
	// ofAgency: officers and leaders must belong to the assigned agency.
	ofAgency bool
}

// machine is docs/domain.md's table, the one source of truth for moves and roles.
var machine = map[Action]rule{
	ActionAssign:  {from: []Status{StatusReceived, StatusProcessing}, to: StatusProcessing, roles: []user.Role{user.RoleClerk, user.RoleLeader, user.RoleAdmin}},
	ActionAnswer:  {from: []Status{StatusReceived, StatusProcessing}, to: StatusAnswered, roles: []user.Role{user.RoleOfficer, user.RoleLeader}, ofAgency: true},
	ActionRefuse:  {from: []Status{StatusReceived, StatusProcessing}, to: StatusRefused, roles: []user.Role{user.RoleLeader}},
	ActionPublish: {from: []Status{StatusAnswered}, to: StatusAnswered, unpublished: true, roles: []user.Role{user.RoleLeader, user.RoleAdmin}, ofAgency: true},
}

// Known reports whether a is an action staff may request.
func (a Action) Known() bool {
	_, ok := machine[a]
	return ok
}

// Next returns the status after action a on an item in status s (published
// telling whether it is already published). Any move outside the table is
// KindInvalidTransition; an unknown action is KindValidation.
func Next(s Status, published bool, a Action) (Status, error) {
	r, ok := machine[a]
	if !ok {
		return "", domain.FieldErrors{"action": "phải là assign, answer, refuse hoặc publish"}.Err()
	}
	for _, f := range r.from {
		if f == s && !(r.unpublished && published) {
			return r.to, nil
		}
	}
	msg := "Không thể thực hiện thao tác " + string(a) + " khi phản ánh, kiến nghị ở trạng thái " + string(s)
	if r.unpublished && published && s == StatusAnswered {
		msg = "Câu trả lời đã được công khai"
	}
	return "", &domain.Error{Kind: domain.KindInvalidTransition, Message: msg,
		Details: map[string]any{"status": string(s), "action": string(a)}}
}

// ErrNotFound is the one answer to an unknown code, an item outside the
// caller's scope, and a wrong lookup PIN.
var ErrNotFound = domain.NotFound("phản ánh, kiến nghị")

// InScope reports whether f lies within p's scope: its recording unit or its
// assigned agency is p's unit or below it. Admins and viewers without a unit
// see everything.
func InScope(p user.Principal, t user.Ancestry, f Feedback) bool {
	return p.InScope(t, f.RecordedUnit, f.AgencyCode)
}

// Authorize decides whether p may take action a on f: an item outside p's
// scope is KindNotFound (codes cannot be probed), a role the table does not
// name is KindForbidden, and so is an officer or leader of another agency
// than the assigned one for answer and publish. Admins publish anywhere in
// their scope.
func Authorize(p user.Principal, t user.Ancestry, f Feedback, a Action) error {
	if !InScope(p, t, f) {
		return ErrNotFound
	}
	r, ok := machine[a]
	if !ok {
		return domain.FieldErrors{"action": "phải là assign, answer, refuse hoặc publish"}.Err()
	}
	if err := p.RequireRole(r.roles...); err != nil {
		return err
	}
	if r.ofAgency && p.Is(user.RoleOfficer, user.RoleLeader) && (f.AgencyCode == "" || p.Unit != f.AgencyCode) {
		return &domain.Error{Kind: domain.KindForbidden,
			Message: "Chỉ cán bộ của cơ quan được giao xử lý mới được thực hiện thao tác này"}
	}
	return nil
}

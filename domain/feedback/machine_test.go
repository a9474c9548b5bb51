package feedback

import (
	"testing"

	"github.com/motcua/motcua/domain"
	"github.com/motcua/motcua/domain/catalog"
	"github.com/motcua/motcua/domain/user"
)

// TestNextEveryPair walks every (status, published, action) triple: the
// allowed moves of docs/domain.md and nothing else.
func TestNextEveryPair(t *testing.T) {
	type key struct {
		from      Status
		published bool
		action    Action
	}
	allowed := map[key]Status{
		{StatusReceived, false, ActionAssign}:   StatusProcessing,
		{StatusProcessing, false, ActionAssign}: StatusProcessing,
		{StatusReceived, false, ActionAnswer}:   StatusAnswered,
		{StatusProcessing, false, ActionAnswer}: StatusAnswered,
		{StatusReceived, false, ActionRefuse}:   StatusRefused,
		{StatusProcessing, false, ActionRefuse}: StatusRefused,
		{StatusAnswered, false, ActionPublish}:  StatusAnswered,
	}
	n := 0
	for _, s := range Statuses {
		for _, pub := range []bool{false, true} {
			if pub && s != StatusAnswered {
				continue // only an answered item can be published
			}
			for _, a := range Actions {
				n++
				got, err := Next(s, pub, a)
				want, ok := allowed[key{s, pub, a}]
				if ok {
					if err != nil || got != want {
						t.Errorf("Next(%s, published=%v, %s) = %q, %v; want %q", s, pub, a, got, err, want)
					}
					continue
				}
				if domain.KindOf(err) != domain.KindInvalidTransition {
					t.Errorf("Next(%s, published=%v, %s) = %q, %v; want invalid_transition", s, pub, a, got, err)
				}
			}
		}
	}
	if n != 5*len(Actions) {
		t.Fatalf("walked %d triples, want %d", n, 5*len(Actions))
	}
	for _, a := range []Action{ActionReceive, ActionSubmit, "reopen", ""} {
		if _, err := Next(StatusReceived, false, a); domain.KindOf(err) != domain.KindValidation {
			t.Errorf("Next(received, %q) = %v, want validation (not an action staff may request)", a, err)
		}
	}
}

func demoTree() *catalog.Tree {
	return catalog.NewTree([]catalog.Agency{
		{Code: "P"}, {Code: "C", ParentCode: "P"}, {Code: "J", ParentCode: "P"}, {Code: "I", ParentCode: "P"},
		{Code: "D", ParentCode: "P"}, {Code: "D1", ParentCode: "D"},
	})
}

// TestAuthorize is the role and scope table of docs/domain.md on one item recorded
// at the district desk D and assigned to department J.
func TestAuthorize(t *testing.T) {
	tree := demoTree()
	f := Feedback{RecordedUnit: "D", AgencyCode: "J", Status: StatusProcessing}
	unassigned := Feedback{RecordedUnit: "D", Status: StatusReceived}
	public := Feedback{AgencyCode: "J"}
	inbox := Feedback{} // a citizen's item naming no agency
	p := func(r user.Role, unit string) user.Principal {
		return user.Principal{Username: "u", Role: r, Unit: unit}
	}
	const ok, forbidden, notFound = 0, domain.KindForbidden, domain.KindNotFound
	tests := []struct {
		name string
		who  user.Principal
		f    Feedback
		a    Action
		want domain.Kind
	}{
		{"clerk at recording unit assigns", p(user.RoleClerk, "D"), f, ActionAssign, ok},
		{"clerk of another branch: not found", p(user.RoleClerk, "C"), f, ActionAssign, notFound},
		{"leader of agency assigns", p(user.RoleLeader, "J"), f, ActionAssign, ok},
		{"admin without unit assigns", p(user.RoleAdmin, ""), f, ActionAssign, ok},
		{"admin assigns the province inbox", p(user.RoleAdmin, ""), inbox, ActionAssign, ok},
		{"clerk cannot see the province inbox", p(user.RoleClerk, "C"), inbox, ActionAssign, notFound},
		{"officer may not assign", p(user.RoleOfficer, "J"), f, ActionAssign, forbidden},
		{"viewer may not assign", p(user.RoleViewer, ""), f, ActionAssign, forbidden},

		{"officer of assigned agency answers", p(user.RoleOfficer, "J"), f, ActionAnswer, ok},
		{"leader of assigned agency answers", p(user.RoleLeader, "J"), f, ActionAnswer, ok},
		{"leader of recording unit may not answer", p(user.RoleLeader, "D"), f, ActionAnswer, forbidden},
		{"nobody answers an unassigned item", p(user.RoleLeader, "D"), unassigned, ActionAnswer, forbidden},
		{"officer elsewhere: not found", p(user.RoleOfficer, "I"), f, ActionAnswer, notFound},
		{"clerk may not answer", p(user.RoleClerk, "D"), f, ActionAnswer, forbidden},
		{"admin may not answer", p(user.RoleAdmin, ""), f, ActionAnswer, forbidden},
		{"officer of agency sees a citizen's item", p(user.RoleOfficer, "J"), public, ActionAnswer, ok},

		{"leader of agency refuses", p(user.RoleLeader, "J"), f, ActionRefuse, ok},
		{"leader of recording unit refuses", p(user.RoleLeader, "D"), f, ActionRefuse, ok},
		{"officer may not refuse", p(user.RoleOfficer, "J"), f, ActionRefuse, forbidden},
		{"clerk may not refuse", p(user.RoleClerk, "D"), f, ActionRefuse, forbidden},
		{"admin may not refuse", p(user.RoleAdmin, ""), f, ActionRefuse, forbidden},

		{"leader of agency publishes", p(user.RoleLeader, "J"), f, ActionPublish, ok},
		{"admin publishes", p(user.RoleAdmin, ""), f, ActionPublish, ok},
		{"admin of another branch: not found", p(user.RoleAdmin, "I"), f, ActionPublish, notFound},
		{"leader of recording unit may not publish", p(user.RoleLeader, "D"), f, ActionPublish, forbidden},
		{"officer may not publish", p(user.RoleOfficer, "J"), f, ActionPublish, forbidden},
		{"clerk may not publish", p(user.RoleClerk, "D"), f, ActionPublish, forbidden},
		{"viewer may not publish", p(user.RoleViewer, ""), f, ActionPublish, forbidden},
		{"leader of a parent unit is not of the agency", p(user.RoleLeader, "P"), Feedback{AgencyCode: "D1"}, ActionAnswer, forbidden},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := Authorize(tt.who, tree, tt.f, tt.a)
			if tt.want == ok {
				if err != nil {
					t.Fatalf("Authorize = %v, want allowed", err)
				}
				return
			}
			if domain.KindOf(err) != tt.want {
				t.Fatalf("Authorize = %v, want kind %s", err, tt.want)
			}
		})
	}
}

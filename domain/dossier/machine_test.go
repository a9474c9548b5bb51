package dossier_test

import (
	"strings"
	"testing"

	"github.com/motcua/motcua/domain"
	"github.com/motcua/motcua/domain/dossier"
	"github.com/motcua/motcua/domain/user"
)

// specTable is docs/domain.md's action table, copied as text: action | from
// statuses | to ("=" for no change) | roles.
const specTable = `
accept | submitted | received | clerk
reject | submitted | rejected | clerk
start | received | processing | clerk officer leader
transfer | processing | processing | officer leader
request_supplement | received processing | supplement_requested | officer leader clerk
supplement | supplement_requested | processing | clerk
request_payment | processing | awaiting_payment | officer leader
confirm_payment | awaiting_payment | processing | clerk
resolve | processing | resolved | leader
return | resolved | returned | clerk
withdraw | submitted received processing supplement_requested awaiting_payment | withdrawn | clerk
stop | received processing supplement_requested awaiting_payment | stopped | leader
reschedule | received processing supplement_requested awaiting_payment | = | leader clerk
`

type specMove struct {
	to    dossier.Status
	roles []user.Role
}

func parseSpec(t *testing.T) (map[dossier.Status]map[dossier.Action]specMove, map[dossier.Action][]user.Role) {
	t.Helper()
	moves := map[dossier.Status]map[dossier.Action]specMove{}
	roles := map[dossier.Action][]user.Role{}
	for _, line := range strings.Split(strings.TrimSpace(specTable), "\n") {
		parts := strings.Split(line, "|")
		if len(parts) != 4 {
			t.Fatalf("bad spec line %q", line)
		}
		a := dossier.Action(strings.TrimSpace(parts[0]))
		var rs []user.Role
		for _, r := range strings.Fields(parts[3]) {
			rs = append(rs, user.Role(r))
		}
		roles[a] = rs
		for _, f := range strings.Fields(parts[1]) {
			from := dossier.Status(f)
			to := dossier.Status(strings.TrimSpace(parts[2]))
			if to == "=" {
				to = from
			}
			if moves[from] == nil {
				moves[from] = map[dossier.Action]specMove{}
			}
			moves[from][a] = specMove{to: to, roles: rs}
		}
	}
	return moves, roles
}

func hasRole(rs []user.Role, r user.Role) bool {
	for _, x := range rs {
		if x == r {
			return true
		}
	}
	return false
}

var allRoles = []user.Role{user.RoleAdmin, user.RoleClerk, user.RoleOfficer, user.RoleLeader, user.RoleViewer}

// TestNextEveryStatusActionRole checks the machine against docs/domain.md for every
// (status, action) pair and every role, on-spot or not.
func TestNextEveryStatusActionRole(t *testing.T) {
	t.Parallel()
	moves, roles := parseSpec(t)
	if len(dossier.Statuses) != 10 || len(dossier.Actions) != 13 {
		t.Fatalf("want 10 statuses and 13 actions, have %d and %d", len(dossier.Statuses), len(dossier.Actions))
	}
	pairs := 0
	for _, from := range dossier.Statuses {
		for _, a := range dossier.Actions {
			pairs++
			for _, role := range allRoles {
				for _, onSpot := range []bool{false, true} {
					for _, leads := range []bool{false, true} {
						got, err := dossier.Next(from, onSpot, a, dossier.Actor{Role: role, LeadsHandlingAgency: leads})
						m, listed := moves[from][a]
						// docs/domain.md: an on-spot dossier may go received → resolved by a
						// leader of the handling agency.
						onSpotResolve := from == dossier.Received && a == dossier.ActResolve && onSpot
						var wantKind domain.Kind
						var want dossier.Status
						switch {
						case !hasRole(roles[a], role):
							wantKind = domain.KindForbidden
						case onSpotResolve && !leads:
							wantKind = domain.KindForbidden
						case onSpotResolve:
							want = dossier.Resolved
						case !listed:
							wantKind = domain.KindInvalidTransition
						case !hasRole(m.roles, role):
							wantKind = domain.KindForbidden
						default:
							want = m.to
						}
						if want != "" {
							if err != nil || got != want {
								t.Errorf("Next(%s, on_spot=%v, %s, %s, leads=%v) = %q, %v; want %q", from, onSpot, a, role, leads, got, err, want)
							}
							continue
						}
						if err == nil || domain.KindOf(err) != wantKind {
							t.Errorf("Next(%s, on_spot=%v, %s, %s, leads=%v) = %q, %v; want kind %v", from, onSpot, a, role, leads, got, err, wantKind)
						}
					}
				}
			}
		}
	}
	if pairs != 130 {
		t.Fatalf("checked %d pairs, want 130", pairs)
	}
}

func TestStatusCodes(t *testing.T) {
	t.Parallel()
	want := map[dossier.Status]int{"submitted": 1, "received": 2, "rejected": 3, "processing": 4,
		"supplement_requested": 5, "awaiting_payment": 6, "withdrawn": 7, "stopped": 8, "resolved": 9, "returned": 10}
	for s, c := range want {
		if got := s.Code(); got != c {
			t.Errorf("%s.Code() = %d, want %d", s, got, c)
		}
	}
	if dossier.Status("archived").Code() != 0 || dossier.Status("archived").Valid() {
		t.Error("an unknown status has code 0 and is not valid")
	}
	for _, a := range []dossier.Action{dossier.ActReceive, dossier.ActSubmit, "approve", ""} {
		if a.Valid() {
			t.Errorf("%q must not be a requestable action", a)
		}
	}
}

func TestInvalidTransitionNamesStatusAndAction(t *testing.T) {
	t.Parallel()
	_, err := dossier.Next(dossier.Returned, false, dossier.ActResolve, dossier.Actor{Role: user.RoleLeader})
	var de *domain.Error
	if !asError(err, &de) || de.Kind != domain.KindInvalidTransition {
		t.Fatalf("err = %v, want invalid transition", err)
	}
	if de.Details["status"] != "returned" || de.Details["action"] != "resolve" {
		t.Fatalf("details = %v", de.Details)
	}
}

package api_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/motcua/motcua/cmd/motcua/demo"
)

// machineTable is an action table as text: action | from statuses | to ("="
// for no change). The fuzzers below hold the server to it.
type machineTable map[string]map[string]string // from → action → to

func parseMachine(t testing.TB, text string) machineTable {
	m := machineTable{}
	for _, line := range strings.Split(strings.TrimSpace(text), "\n") {
		parts := strings.Split(line, "|")
		if len(parts) != 3 {
			t.Fatalf("bad table line %q", line)
		}
		action, to := strings.TrimSpace(parts[0]), strings.TrimSpace(parts[2])
		for _, from := range strings.Fields(parts[1]) {
			if m[from] == nil {
				m[from] = map[string]string{}
			}
			dest := to
			if to == "=" {
				dest = from
			}
			m[from][action] = dest
		}
	}
	return m
}

// The dossier table of docs/domain.md (the on-spot resolve from received is
// the one conditional row).
const dossierMachine = `
accept | submitted | received
reject | submitted | rejected
start | received | processing
transfer | processing | processing
request_supplement | received processing | supplement_requested
supplement | supplement_requested | processing
request_payment | processing | awaiting_payment
confirm_payment | awaiting_payment | processing
resolve | processing received | resolved
return | resolved | returned
withdraw | submitted received processing supplement_requested awaiting_payment | withdrawn
stop | received processing supplement_requested awaiting_payment | stopped
reschedule | received processing supplement_requested awaiting_payment | =
`

// The feedback table of docs/domain.md.
const feedbackMachine = `
assign | received processing | processing
answer | received processing | answered
refuse | received processing | refused
publish | answered | answered
`

type fuzzAct struct {
	user string
	body map[string]any
}

var dossierActs = []fuzzAct{
	{"clerk", map[string]any{"action": "accept"}},
	{"clerk", map[string]any{"action": "reject", "reason": "Không thuộc thẩm quyền"}},
	{"clerk", map[string]any{"action": "start"}},
	{"leader", map[string]any{"action": "start"}},
	{"leader", map[string]any{"action": "transfer", "to_unit": demo.Planning}},
	{"clerk", map[string]any{"action": "request_supplement", "reason": "Thiếu giấy tờ", "items": []string{"Bản sao"}}},
	{"leader", map[string]any{"action": "request_supplement", "reason": "Thiếu giấy tờ", "items": []string{"Bản sao"}}},
	{"clerk", map[string]any{"action": "supplement"}},
	{"leader", map[string]any{"action": "request_payment", "amount": 50000}},
	{"clerk", map[string]any{"action": "confirm_payment"}},
	{"leader", map[string]any{"action": "resolve", "outcome": "approved"}},
	{"leader", map[string]any{"action": "resolve", "outcome": "refused", "reason": "Không đủ điều kiện"}},
	{"clerk", map[string]any{"action": "return"}},
	{"clerk", map[string]any{"action": "withdraw", "reason": "Công dân rút hồ sơ"}},
	{"leader", map[string]any{"action": "stop", "reason": "Giấy tờ giả mạo"}},
	{"clerk", map[string]any{"action": "reschedule", "reason": "Xin lỗi", "new_due_at": "2027-06-30T17:00:00+07:00"}},
	{"clerk", map[string]any{"action": "resolve", "outcome": "approved"}},
	{"admin", map[string]any{"action": "start"}},
}

var feedbackActs = []fuzzAct{
	{"clerk", map[string]any{"action": "assign", "agency_code": demo.Justice}},
	{"clerk", map[string]any{"action": "assign", "agency_code": demo.Planning}},
	{"leader", map[string]any{"action": "assign", "agency_code": demo.Justice}},
	{"officer", map[string]any{"action": "answer", "answer": "Đã trả lời."}},
	{"leader", map[string]any{"action": "answer", "answer": "Trả lời của lãnh đạo."}},
	{"leader", map[string]any{"action": "refuse", "reason": "Không thuộc thẩm quyền"}},
	{"leader", map[string]any{"action": "publish"}},
	{"admin", map[string]any{"action": "publish"}},
	{"clerk", map[string]any{"action": "answer", "answer": "x"}},
}

// statusOf reads an item's status with GET.
func (fs *fuzzServer) statusOf(t *testing.T, path string) string {
	rec := fs.send(http.MethodGet, path, fs.tokens["admin"], "", nil)
	if rec.Code != http.StatusOK {
		t.Fatalf("GET %s: %d %s", path, rec.Code, rec.Body)
	}
	var out struct {
		Status string `json:"status"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &out); err != nil {
		t.Fatal(err)
	}
	return out.Status
}

// fuzzMachine plays the actions seq names on a fresh item: every accepted
// action is a move of table from the status before it, every refused one
// leaves the status as it was, and the status is always one of the table's.
func fuzzMachine(t *testing.T, fs *fuzzServer, kind, text string, acts []fuzzAct, seq []byte) {
	table := parseMachine(t, text)
	known := map[string]bool{}
	for from, moves := range table {
		known[from] = true
		for _, to := range moves {
			known[to] = true
		}
	}
	code := fs.fresh(t, kind)
	path := "/api/v1/" + kind + "/" + code
	if kind == "dossier" {
		path = "/api/v1/dossiers/" + code
	}
	status := fs.statusOf(t, path)
	if len(seq) > 24 {
		seq = seq[:24]
	}
	for _, b := range seq {
		a := acts[int(b)%len(acts)]
		body, _ := json.Marshal(a.body)
		rec := fs.send(http.MethodPost, path+"/actions", fs.tokens[a.user], "application/json", body)
		if rec.Code >= 500 {
			t.Fatalf("%s %s: %d %s", a.user, body, rec.Code, rec.Body)
		}
		now := fs.statusOf(t, path)
		if !known[now] {
			t.Fatalf("%s %s left %s in status %q, which the table does not know", a.user, body, kind, now)
		}
		action := a.body["action"].(string)
		if rec.Code/100 == 2 {
			want, ok := table[status][action]
			if !ok {
				t.Fatalf("%s %s accepted from %s; the table has no such move", a.user, body, status)
			}
			if now != want {
				t.Fatalf("%s %s from %s: %s, the table says %s", a.user, body, status, now, want)
			}
		} else if now != status {
			t.Fatalf("%s %s refused (%d) but moved %s from %s to %s", a.user, body, rec.Code, kind, status, now)
		}
		status = now
	}
}

// FuzzDossierActions: no sequence of actions moves a dossier outside its table.
func FuzzDossierActions(f *testing.F) {
	fs := startFuzzServer(f)
	f.Fuzz(func(t *testing.T, seq []byte) {
		fuzzMachine(t, fs, "dossier", dossierMachine, dossierActs, seq)
	})
}

// FuzzFeedbackActions: no sequence of actions moves feedback outside its table.
func FuzzFeedbackActions(f *testing.F) {
	fs := startFuzzServer(f)
	f.Fuzz(func(t *testing.T, seq []byte) {
		fuzzMachine(t, fs, "feedback", feedbackMachine, feedbackActs, seq)
	})
}

package api_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/motcua/motcua/cmd/motcua/app/apptest"
)

// Typed views of the answers the dossier and feedback tests read. Each
// struct declares only the fields some test reads, under the API's own
// names, so a test says d.DueAt where it used to say d["due_at"].
//
// The conventions, which decodeAs enforces:
//   - A field without omitempty must be in the answer. A renamed field
//     therefore fails at decode instead of reading as its zero value.
//   - omitempty marks a field the API leaves out of some answers (the
//     lookup PIN after registration, the history in lists, the keys of
//     history details, which differ by action).
//   - A field that may be null is a pointer (or a slice); a null in any
//     other field fails at decode, so "" or false in a struct means the
//     API said "" or false.
//   - Times stay strings: the tests compare the API's rendering, offset
//     included ("2026-11-23T09:00:00+07:00"), not just the instant.

// ==== dossiers

type dossierJSON struct {
	Code                  string         `json:"code"`
	Status                string         `json:"status"`
	StatusCode            int            `json:"status_code"`
	UnitCode              string         `json:"unit_code"`
	AgencyCode            string         `json:"agency_code"`
	HolderUnit            string         `json:"holder_unit"`
	Assignee              *string        `json:"assignee"`
	OnSpot                bool           `json:"on_spot"`
	Applicant             applicantJSON  `json:"applicant"`
	Documents             []documentJSON `json:"documents"`
	ReceivedAt            *string        `json:"received_at"`
	DueAt                 *string        `json:"due_at"`
	AppointmentAt         *string        `json:"appointment_at"`
	SupplementRequestedAt *string        `json:"supplement_requested_at"`
	PaymentAmount         *int64         `json:"payment_amount"`
	ResolvedAt            *string        `json:"resolved_at"`
	Outcome               *string        `json:"outcome"`
	Timeliness            *string        `json:"timeliness"`
	ReturnedAt            *string        `json:"returned_at"`
	WithdrawnAt           *string        `json:"withdrawn_at"`
	StoppedAt             *string        `json:"stopped_at"`
	RejectedAt            *string        `json:"rejected_at"`
	Version               int            `json:"version"`
	LookupPin             string         `json:"lookup_pin,omitempty"` // only in the registration's answer
	History               []historyJSON  `json:"history,omitempty"`    // not in lists
}

type applicantJSON struct {
	IDNumber string `json:"id_number"`
	Phone    string `json:"phone"`
	Email    string `json:"email"`
	Address  string `json:"address"`
}

type documentJSON struct {
	Copies int `json:"copies"`
}

type historyJSON struct {
	Action  string             `json:"action"`
	From    *string            `json:"from"` // null on the first entry
	To      string             `json:"to"`
	By      string             `json:"by"`
	Unit    string             `json:"unit"`
	Note    string             `json:"note"`
	Details historyDetailsJSON `json:"details,omitempty"`
}

// historyDetailsJSON: the keys of an entry's details depend on its action.
type historyDetailsJSON struct {
	Reason        string `json:"reason,omitempty"`
	Policy        string `json:"policy,omitempty"`
	PreviousDueAt string `json:"previous_due_at,omitempty"`
}

// publicDossierJSON is what a citizen sees with the PIN.
type publicDossierJSON struct {
	Status        string            `json:"status"`
	StatusCode    int               `json:"status_code"`
	ProcedureName string            `json:"procedure_name"`
	AgencyName    string            `json:"agency_name"`
	ApplicantName string            `json:"applicant_name"`
	ReturnedAt    *string           `json:"returned_at"`
	Stages        []json.RawMessage `json:"stages"` // only counted
}

// transitionErrorJSON is the 409 invalid_transition body.
type transitionErrorJSON struct {
	Error struct {
		Details struct {
			Status string `json:"status"`
			Action string `json:"action"`
		} `json:"details"`
	} `json:"error"`
}

// ==== feedback

// feedbackJSON is a feedback item as staff see it.
type feedbackJSON struct {
	Code         string              `json:"code"`
	Channel      string              `json:"channel"`
	Sender       *feedbackSenderJSON `json:"sender"`
	AgencyCode   *string             `json:"agency_code"`
	RecordedUnit *string             `json:"recorded_unit"` // null for a citizen's own submission
	Status       string              `json:"status"`
	Published    bool                `json:"published"`
	Answer       *string             `json:"answer"`
	DueAt        string              `json:"due_at"`
	RefuseDueAt  string              `json:"refuse_due_at"`
	AnsweredAt   *string             `json:"answered_at"`
	PublishedAt  *string             `json:"published_at"`
	Overdue      bool                `json:"overdue"`
	LookupPin    string              `json:"lookup_pin,omitempty"` // only in the answer that created the item
	History      []feedbackEntryJSON `json:"history,omitempty"`    // not in lists
}

type feedbackSenderJSON struct {
	Name  *string `json:"name"`
	Phone *string `json:"phone"`
}

type feedbackEntryJSON struct {
	Action string  `json:"action"`
	From   *string `json:"from"`
	To     string  `json:"to"`
	By     *string `json:"by"` // null for a citizen
	Unit   *string `json:"unit"`
}

// feedbackReceiptJSON answers a citizen's submission.
type feedbackReceiptJSON struct {
	Code      string `json:"code"`
	LookupPin string `json:"lookup_pin"`
	Status    string `json:"status"`
	DueAt     string `json:"due_at"`
}

// feedbackLookupJSON is what a citizen sees with the PIN.
type feedbackLookupJSON struct {
	Code          string  `json:"code"`
	Status        string  `json:"status"`
	Published     bool    `json:"published"`
	Answer        *string `json:"answer"`
	RefusalReason *string `json:"refusal_reason"`
}

// publishedFeedbackJSON is an item of the public list of published answers.
type publishedFeedbackJSON struct {
	Code       string  `json:"code"`
	Content    string  `json:"content"`
	Answer     string  `json:"answer"`
	AgencyCode *string `json:"agency_code"`
	AgencyName *string `json:"agency_name"`
}

// ==== shared

// listJSON is a list answer; the tests read its items only.
type listJSON[T any] struct {
	Items []T `json:"items"`
}

type tokenJSON struct {
	AccessToken string `json:"access_token"`
}

// Failure messages print the typed views as JSON: %v of a pointer field
// would print an address.
func (d dossierJSON) String() string           { return jsonString(d) }
func (h historyJSON) String() string           { return jsonString(h) }
func (p publicDossierJSON) String() string     { return jsonString(p) }
func (f feedbackJSON) String() string          { return jsonString(f) }
func (s feedbackSenderJSON) String() string    { return jsonString(s) }
func (h feedbackEntryJSON) String() string     { return jsonString(h) }
func (l feedbackLookupJSON) String() string    { return jsonString(l) }
func (p publishedFeedbackJSON) String() string { return jsonString(p) }

// jsonString renders v as JSON (null for a nil pointer).
func jsonString(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return "!" + err.Error()
	}
	return string(b)
}

// val is *p, or T's zero value when the field was null.
func val[T any](p *T) T {
	if p == nil {
		var zero T
		return zero
	}
	return *p
}

// decodeAs decodes r's body, which must be one JSON value, into a T and
// fails the test if it cannot, if a field of T without omitempty is
// missing from the answer, or if the answer has null where T cannot hold
// it (see the conventions above). Fields T does not declare are ignored:
// answers carry more than a test reads.
func decodeAs[T any](tb testing.TB, r apptest.Response) T {
	tb.Helper()
	var v T
	dec := json.NewDecoder(bytes.NewReader(r.Body))
	if err := dec.Decode(&v); err != nil {
		tb.Fatalf("decode the answer as %T: %v: %s", v, err, r.Body)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		tb.Fatalf("the answer holds more than one JSON value: %s", r.Body)
	}
	var raw any
	if err := json.Unmarshal(r.Body, &raw); err != nil {
		tb.Fatalf("the answer is not JSON: %v: %s", err, r.Body)
	}
	if bad := shapeErrors(reflect.TypeOf(v), raw, "$"); len(bad) > 0 {
		tb.Fatalf("the answer does not have the shape of %T: %s: %s", v, strings.Join(bad, "; "), r.Body)
	}
	return v
}

// shapeErrors lists where raw (decoded JSON) lacks a field t requires or
// has a null t cannot hold.
func shapeErrors(t reflect.Type, raw any, path string) []string {
	if raw == nil {
		switch t.Kind() {
		case reflect.Pointer, reflect.Slice, reflect.Map, reflect.Interface:
			return nil
		}
		return []string{path + " is null"}
	}
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	var bad []string
	switch t.Kind() {
	case reflect.Struct:
		obj, ok := raw.(map[string]any)
		if !ok {
			return nil // the decoder has already refused a non-object
		}
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			name, opts, _ := strings.Cut(f.Tag.Get("json"), ",")
			if !f.IsExported() || name == "-" || name == "" {
				continue
			}
			v, present := obj[name]
			if !present {
				if !strings.Contains(","+opts+",", ",omitempty,") {
					bad = append(bad, path+"."+name+" is missing")
				}
				continue
			}
			bad = append(bad, shapeErrors(f.Type, v, path+"."+name)...)
		}
	case reflect.Slice:
		list, _ := raw.([]any)
		for i, v := range list {
			bad = append(bad, shapeErrors(t.Elem(), v, path+"["+strconv.Itoa(i)+"]")...)
		}
	}
	return bad
}

// itemsAs is the items of a list answer, decoded as T.
func itemsAs[T any](tb testing.TB, r apptest.Response) []T {
	tb.Helper()
	return decodeAs[listJSON[T]](tb, r).Items
}

// TestTypedViewShape pins the conventions decodeAs enforces: a missing
// field or a null where the view cannot hold one is refused; omitempty
// fields may be missing, pointers and slices may be null, extra keys pass.
func TestTypedViewShape(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		body string
		want string // "" for no shape error
	}{
		{`{"action":"start","from":"received","to":"processing","by":"a","unit":"u","note":"","extra":1}`, ""},
		{`{"action":"receive","from":null,"to":"received","by":"a","unit":"u","note":"","details":{"reason":"x"}}`, ""},
		{`{"action":"receive","to":"received","by":"a","unit":"u","note":""}`, "$.from is missing"},
		{`{"action":null,"from":null,"to":"received","by":"a","unit":"u","note":""}`, "$.action is null"},
		{`{"action":"a","from":null,"to":"b","by":"a","unit":"u","note":"","details":null}`, "$.details is null"},
	} {
		var raw any
		if err := json.Unmarshal([]byte(tt.body), &raw); err != nil {
			t.Fatal(err)
		}
		if got := strings.Join(shapeErrors(reflect.TypeOf(historyJSON{}), raw, "$"), "; "); got != tt.want {
			t.Errorf("%s: %q, want %q", tt.body, got, tt.want)
		}
	}
	var raw any
	_ = json.Unmarshal([]byte(`{"items":[{"action":"a","from":null,"to":"b","by":"c","unit":"u"}]}`), &raw)
	if got := shapeErrors(reflect.TypeOf(listJSON[historyJSON]{}), raw, "$"); len(got) != 1 || got[0] != "$.items[0].note is missing" {
		t.Errorf("list item: %q", got)
	}
}

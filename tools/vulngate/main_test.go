package main

import (
	"strings"
	"testing"
)

func TestJudgeFailsOnReachableModuleFindingsOnly(t *testing.T) {
	stream := `{"config":{"protocol_version":"v1.0.0"}}
{"osv":{"id":"GO-1","summary":"module bug"}}
{"osv":{"id":"GO-2","summary":"stdlib bug"}}
{"osv":{"id":"GO-3","summary":"imported, not called"}}
{"finding":{"osv":"GO-1","fixed_version":"v1.0.1","trace":[{"module":"example.com/m","version":"v1.0.0","package":"example.com/m/p","function":"F"}]}}
{"finding":{"osv":"GO-1","fixed_version":"v1.0.1","trace":[{"module":"example.com/m","version":"v1.0.0","package":"example.com/m/p","function":"G"}]}}
{"finding":{"osv":"GO-2","fixed_version":"v1.26.9","trace":[{"module":"stdlib","version":"v1.26.8","package":"net/http","function":"Serve"}]}}
{"finding":{"osv":"GO-3","fixed_version":"v2.0.0","trace":[{"module":"example.com/n","version":"v1.0.0","package":"example.com/n"}]}}
`
	failing, warnings, err := judge(strings.NewReader(stream))
	if err != nil {
		t.Fatal(err)
	}
	if len(failing) != 1 || failing[0].id != "GO-1" || failing[0].fixed != "v1.0.1" || failing[0].summary != "module bug" {
		t.Errorf("failing = %+v, want GO-1 once", failing)
	}
	if len(warnings) != 1 || warnings[0].id != "GO-2" {
		t.Errorf("warnings = %+v, want GO-2", warnings)
	}
}

func TestJudgeRefusesGarbage(t *testing.T) {
	for _, in := range []string{"{not json", "", `{"progress":{"message":"Scanning"}}`} {
		if _, _, err := judge(strings.NewReader(in)); err == nil {
			t.Errorf("%q must be an error, not a pass", in)
		}
	}
}

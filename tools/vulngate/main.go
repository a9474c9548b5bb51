// Command vulngate reads `govulncheck -format json` on its standard input and
// decides whether the build may go on.
//
// A vulnerability that the code reaches (a finding whose trace ends in a
// function) in a module the project requires fails the gate: the fix is a
// `go get module@fixed` in go.mod. The same finding in the standard library is
// printed as a warning and does not fail: its fix is a newer Go toolchain, which
// comes with the build machine, not with the repository (CONTRIBUTING.md says
// how to check a release on a patched toolchain).
package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
)

type frame struct {
	Module   string `json:"module"`
	Version  string `json:"version"`
	Package  string `json:"package"`
	Function string `json:"function"`
}

type finding struct {
	OSV          string  `json:"osv"`
	FixedVersion string  `json:"fixed_version"`
	Trace        []frame `json:"trace"`
}

type message struct {
	Config  *json.RawMessage `json:"config"`
	Finding *finding         `json:"finding"`
	OSV     *struct {
		ID      string `json:"id"`
		Summary string `json:"summary"`
	} `json:"osv"`
}

// verdict is one reachable vulnerability, once per (id, module).
type verdict struct {
	id, module, found, fixed, summary string
}

func main() {
	failing, warnings, err := judge(os.Stdin)
	if err != nil {
		fmt.Fprintln(os.Stderr, "vulngate:", err)
		os.Exit(2)
	}
	for _, v := range warnings {
		fmt.Printf("warning: %s in the Go toolchain (%s, fixed in %s): %s\n", v.id, v.found, v.fixed, v.summary)
	}
	for _, v := range failing {
		fmt.Printf("FAIL: %s in %s@%s (fixed in %s): %s\n", v.id, v.module, v.found, v.fixed, v.summary)
	}
	if len(failing) > 0 {
		os.Exit(1)
	}
	fmt.Printf("vulngate: no reachable vulnerability in a required module (%d in the toolchain)\n", len(warnings))
}

// judge splits the reachable findings of a govulncheck JSON stream into those
// that fail the gate (required modules) and warnings (the standard library).
func judge(r io.Reader) (failing, warnings []verdict, err error) {
	dec := json.NewDecoder(r)
	summaries := map[string]string{}
	seen := map[string]bool{}
	var reached []verdict
	sawConfig := false
	for {
		var m message
		if err := dec.Decode(&m); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			return nil, nil, fmt.Errorf("reading govulncheck output: %w", err)
		}
		if m.Config != nil {
			sawConfig = true
		}
		if m.OSV != nil {
			summaries[m.OSV.ID] = m.OSV.Summary
		}
		f := m.Finding
		if f == nil || len(f.Trace) == 0 || f.Trace[0].Function == "" {
			continue // not reached by the code: only imported or required
		}
		key := f.OSV + " " + f.Trace[0].Module
		if seen[key] {
			continue
		}
		seen[key] = true
		reached = append(reached, verdict{id: f.OSV, module: f.Trace[0].Module, found: f.Trace[0].Version, fixed: f.FixedVersion})
	}
	if !sawConfig {
		return nil, nil, errors.New("no govulncheck output (did the scan run?)")
	}
	for _, v := range reached {
		v.summary = summaries[v.id]
		if v.module == "stdlib" || v.module == "toolchain" {
			warnings = append(warnings, v)
		} else {
			failing = append(failing, v)
		}
	}
	byID := func(s []verdict) { sort.Slice(s, func(i, j int) bool { return s[i].id < s[j].id }) }
	byID(failing)
	byID(warnings)
	return failing, warnings, nil
}

package api_test

import (
	"flag"
	"fmt"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
)

var (
	// suiteIncomplete is set by a test that skipped for a missing tool:
	// what it would have received is then not required.
	suiteIncomplete atomic.Bool

	seenMu sync.Mutex
	seen   = map[string]bool{} // "METHOD /template status" answered by some test
)

func observe(method, tpl string, status int) {
	seenMu.Lock()
	seen[method+" "+tpl+" "+strconv.Itoa(status)] = true
	seenMu.Unlock()
}

// raceOnly are documented answers that only a race between two requests
// gives, which no deterministic test provokes.
var raceOnly = map[string]string{
	"POST /api/v1/auth/password 409": "the password was changed between the check of the current one and the write",
}

// checkEveryStatusSeen runs after the whole suite (not a -run subset): every
// status docs/openapi.yaml lists for an operation must have been answered
// by the server to some test, so the document lists no answer the server
// cannot give; and every property it calls nullable that tests received
// must have come null at least once, so nullable is only where a value can
// be null. 500 and 503 are listed for every operation and are never
// an expected answer; they are not required.
func checkEveryStatusSeen() int {
	if f := flag.Lookup("test.run"); f == nil || f.Value.String() != "" {
		return 0
	}
	if testing.Short() || suiteIncomplete.Load() {
		return 0
	}
	loader := openapi3.NewLoader()
	spec, err := loader.LoadFromFile("../docs/openapi.yaml")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	var missing []string
	for tpl, item := range spec.Paths.Map() {
		for method, op := range item.Operations() {
			for status := range op.Responses.Map() {
				if status == "500" || status == "503" || status == "default" {
					continue
				}
				key := method + " " + tpl + " " + status
				if _, race := raceOnly[key]; !seen[key] && !race {
					missing = append(missing, key)
				}
			}
		}
	}
	sort.Strings(missing)
	if nn := nullableNeverNull(); len(nn) > 0 {
		fmt.Fprintf(os.Stderr, "%d properties docs/openapi.yaml calls nullable that tests received but never null (a test with the null, or not nullable):\n  %s\n", len(nn), strings.Join(nn, "\n  "))
		return 1
	}
	if len(missing) > 0 {
		fmt.Fprintf(os.Stderr, "%d answers docs/openapi.yaml documents but no test received (provoke each in a test, or drop it from the document):\n  %s\n", len(missing), strings.Join(missing, "\n  "))
		return 1
	}
	return 0
}

// nullSeen records, for every nullable property of a response schema (by
// component and property, or the operation's path to it), whether a test
// received it null and whether it received it at all.
var (
	nullMu   sync.Mutex
	nullSeen = map[string]bool{} // property → received null at least once
)

// observeNulls walks v along s and records what it finds of the nullable
// properties.
func observeNulls(s *openapi3.SchemaRef, v any, name string) {
	if s == nil || s.Value == nil {
		return
	}
	if s.Ref != "" {
		name = strings.TrimPrefix(s.Ref, "#/components/schemas/")
	}
	switch x := v.(type) {
	case map[string]any:
		for prop, pv := range x {
			ps := s.Value.Properties[prop]
			if ps == nil || ps.Value == nil {
				continue
			}
			child := name + "." + prop
			if ps.Value.Nullable {
				nullMu.Lock()
				nullSeen[child] = nullSeen[child] || pv == nil
				nullMu.Unlock()
			}
			observeNulls(ps, pv, child)
		}
	case []any:
		for _, it := range x {
			observeNulls(s.Value.Items, it, name+"[]")
		}
	}
}

// nullableNeverNull lists the nullable properties tests received but never
// null.
func nullableNeverNull() []string {
	nullMu.Lock()
	defer nullMu.Unlock()
	var out []string
	for k, null := range nullSeen {
		if !null {
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return out
}

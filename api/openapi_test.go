package api

import (
	"context"
	"net/http"
	"sort"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/motcua/motcua/docs"
)

// loadSpec loads and validates docs/openapi.yaml (the copy embedded in the
// binary, which is what /openapi.yaml serves).
func loadSpec(t *testing.T) *openapi3.T {
	t.Helper()
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData(docs.OpenAPI)
	if err != nil {
		t.Fatalf("docs/openapi.yaml does not load: %v", err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		t.Fatalf("docs/openapi.yaml is not valid OpenAPI 3: %v", err)
	}
	return doc
}

// ginToOpenAPI turns /a/:code/*rest into /a/{code}/{rest}.
func ginToOpenAPI(path string) string {
	parts := strings.Split(path, "/")
	for i, p := range parts {
		if strings.HasPrefix(p, ":") || strings.HasPrefix(p, "*") {
			parts[i] = "{" + p[1:] + "}"
		}
	}
	return strings.Join(parts, "/")
}

func TestGinToOpenAPI(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"/healthz":                               "/healthz",
		"/api/v1/agencies/:code":                 "/api/v1/agencies/{code}",
		"/api/v1/procedures/:code/publications":  "/api/v1/procedures/{code}/publications",
		"/api/v1/imports/:kind/*rest":            "/api/v1/imports/{kind}/{rest}",
		"/api/v1/public/dossiers/:code/rating/x": "/api/v1/public/dossiers/{code}/rating/x",
	} {
		if got := ginToOpenAPI(in); got != want {
			t.Errorf("ginToOpenAPI(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestEveryRouteIsInTheSpecAndBack checks both directions: each route the
// router registers is an operation of docs/openapi.yaml, and each operation
// of the spec is routed. Nothing is excluded: health, metrics and the spec
// itself are part of the contract too.
func TestEveryRouteIsInTheSpecAndBack(t *testing.T) {
	t.Parallel()
	doc := loadSpec(t)
	engine, err := newEngine(Deps{}) // handlers are not called: nil services are fine
	if err != nil {
		t.Fatal(err)
	}
	routed := map[string]bool{}
	for _, r := range engine.Routes() {
		routed[r.Method+" "+ginToOpenAPI(r.Path)] = true
	}
	specified := map[string]bool{}
	for path, item := range doc.Paths.Map() {
		for method := range item.Operations() {
			specified[strings.ToUpper(method)+" "+path] = true
		}
	}
	for _, k := range sortedKeys(routed) {
		if !specified[k] {
			t.Errorf("route %s is not in docs/openapi.yaml", k)
		}
	}
	for _, k := range sortedKeys(specified) {
		if !routed[k] {
			t.Errorf("docs/openapi.yaml describes %s, which no route serves", k)
		}
	}
	for _, must := range []string{"GET /healthz", "GET /readyz", "GET /metrics", "GET /openapi.yaml",
		"POST /api/v1/auth/login", "PUT /api/v1/calendar/{year}", "POST /api/v1/procedures/{code}/publications"} {
		if !routed[must] || !specified[must] {
			t.Errorf("%s must be routed and specified (routed %v, specified %v)", must, routed[must], specified[must])
		}
	}
}

// TestEveryOperationHasSchemas checks that the spec describes each
// operation fully: a response schema for its success answer, a request
// schema when it takes a body, the Error schema for every error answer,
// and bearer security on every staff endpoint.
func TestEveryOperationHasSchemas(t *testing.T) {
	t.Parallel()
	doc := loadSpec(t)
	globalBearer := hasBearer(doc.Security)
	ids := map[string]string{}
	for _, path := range sortedKeys(doc.Paths.Map()) {
		item := doc.Paths.Value(path)
		for method, op := range item.Operations() {
			name := method + " " + path
			if op.OperationID == "" {
				t.Errorf("%s: no operationId", name)
			} else if prev, dup := ids[op.OperationID]; dup {
				t.Errorf("%s: operationId %q already used by %s", name, op.OperationID, prev)
			} else {
				ids[op.OperationID] = name
			}
			if op.Responses == nil || op.Responses.Len() == 0 {
				t.Errorf("%s: no responses", name)
				continue
			}
			success := 0
			for code, ref := range op.Responses.Map() {
				if ref == nil || ref.Value == nil {
					t.Errorf("%s %s: empty response", name, code)
					continue
				}
				switch {
				case strings.HasPrefix(code, "2"):
					if code == "204" {
						success++
						continue
					}
					if !hasSchema(ref.Value.Content) {
						t.Errorf("%s %s: the success answer has no schema", name, code)
					}
					success++
				case strings.HasPrefix(code, "4"), strings.HasPrefix(code, "5"):
					mt := ref.Value.Content.Get("application/json")
					errSchema := "#/components/schemas/Error"
					if strings.HasPrefix(path, "/open311/") { // Open311's own shape, in JSON or XML
						errSchema = "#/components/schemas/Open311Errors"
						if x := ref.Value.Content.Get("text/xml"); mt == nil && x != nil && x.Schema != nil {
							continue
						}
					}
					if mt == nil || mt.Schema == nil || mt.Schema.Ref != errSchema {
						t.Errorf("%s %s: error answers use the Error schema", name, code)
					}
				}
			}
			if success == 0 {
				t.Errorf("%s: no 2xx answer", name)
			}
			switch method {
			case http.MethodPost, http.MethodPut, http.MethodPatch:
				if op.RequestBody == nil || op.RequestBody.Value == nil || !hasSchema(op.RequestBody.Value.Content) {
					t.Errorf("%s: no request schema", name)
				}
			}
			staff := strings.HasPrefix(path, "/api/v1/") && !strings.HasPrefix(path, "/api/v1/public/") &&
				!strings.HasPrefix(path, "/api/v1/auth/")
			secured := globalBearer
			if op.Security != nil {
				secured = hasBearer(*op.Security)
			}
			if staff && !secured {
				t.Errorf("%s: a staff endpoint must declare bearer security", name)
			}
			if staff && op.Responses.Status(http.StatusUnauthorized) == nil {
				t.Errorf("%s: a staff endpoint must document 401", name)
			}
		}
	}
	for _, s := range []string{"Error", "ListEnvelope", "Agency", "Procedure", "ProcessingTime", "Publication",
		"Calendar", "User", "LoginRequest", "LoginResponse"} {
		if doc.Components.Schemas[s] == nil {
			t.Errorf("components.schemas.%s is missing", s)
		}
	}
}

func hasSchema(c openapi3.Content) bool {
	for _, mt := range c {
		if mt != nil && mt.Schema != nil {
			return true
		}
	}
	return false
}

func hasBearer(reqs openapi3.SecurityRequirements) bool {
	for _, r := range reqs {
		if _, ok := r["bearer"]; ok {
			return true
		}
	}
	return false
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

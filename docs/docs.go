// Package docs carries the API contract, docs/openapi.yaml, into the binary
// so the server can serve it at /openapi.yaml.
package docs

import _ "embed"

// OpenAPI is the OpenAPI 3 description of every route.
//
//go:embed openapi.yaml
var OpenAPI []byte

// HoSoSchema is the JSON Schema of the dossier record sent to the national
// public service portal (docs/dvcqg/hoso.schema.json).
//
//go:embed dvcqg/hoso.schema.json
var HoSoSchema []byte

package exam

import _ "embed"

// OpenAPI is this feature's part of /openapi.json: its paths and the
// components they use, assembled with the others' by the app.
//
//go:embed openapi.json
var OpenAPI []byte

package app

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"

	"github.com/teapothq/teapot/internal/exam"
	"github.com/teapothq/teapot/internal/ipinfo"
	"github.com/teapothq/teapot/internal/lab"
	"github.com/teapothq/teapot/internal/live"
	"github.com/teapothq/teapot/internal/site"
	"github.com/teapothq/teapot/internal/urlcheck"
)

// openapiBase is the document's frame (openapi, info, servers) with the
// app's own paths (/healthz) and the components every feature shares.
//
//go:embed openapi.json
var openapiBase []byte

// componentKinds are the components sections, in the document's order.
var componentKinds = []string{"parameters", "headers", "responses", "schemas"}

// member is one member of a JSON object, its value as written.
type member struct {
	key string
	val json.RawMessage
}

// members reads a JSON object's members in the order written.
func members(raw []byte) ([]member, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return nil, fmt.Errorf("not a JSON object")
	}
	var out []member
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return nil, err
		}
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return nil, err
		}
		out = append(out, member{t.(string), v})
	}
	return out, nil
}

// assembleOpenAPI builds /openapi.json from the features' fragments, in
// the order given: the frame comes from the first that has it, paths and
// each kind of component follow the fragments' order. A path or
// component defined twice is an error. The result is indented as the
// fragments are, two spaces, and its server URL is the base path.
func assembleOpenAPI(base string, fragments ...[]byte) ([]byte, error) {
	var frame []member
	var paths []member
	comps := map[string][]member{}
	seen := map[string]bool{}
	add := func(list *[]member, where string, ms []member) error {
		for _, m := range ms {
			if seen[where+m.key] {
				return fmt.Errorf("openapi: %s %s is defined twice", where, m.key)
			}
			seen[where+m.key] = true
			*list = append(*list, m)
		}
		return nil
	}
	for i, f := range fragments {
		top, err := members(f)
		if err != nil {
			return nil, fmt.Errorf("openapi fragment %d: %w", i, err)
		}
		for _, m := range top {
			switch m.key {
			case "paths", "components":
				ms, err := members(m.val)
				if err != nil {
					return nil, fmt.Errorf("openapi fragment %d: %s: %w", i, m.key, err)
				}
				if m.key == "paths" {
					if err := add(&paths, "path", ms); err != nil {
						return nil, err
					}
					continue
				}
				for _, kind := range ms {
					inner, err := members(kind.val)
					if err != nil {
						return nil, fmt.Errorf("openapi fragment %d: %s: %w", i, kind.key, err)
					}
					list := comps[kind.key]
					if err := add(&list, kind.key, inner); err != nil {
						return nil, err
					}
					comps[kind.key] = list
				}
			default:
				if err := add(&frame, "member", []member{m}); err != nil {
					return nil, err
				}
			}
		}
	}
	var compMembers []member
	for _, kind := range componentKinds {
		if len(comps[kind]) > 0 {
			compMembers = append(compMembers, member{kind, object(comps[kind])})
		}
	}
	doc := object(append(frame, member{"paths", object(paths)}, member{"components", object(compMembers)}))
	var out bytes.Buffer
	if err := json.Indent(&out, doc, "", "  "); err != nil {
		return nil, err
	}
	out.WriteByte('\n')
	if base == "" {
		base = "/"
	}
	quoted, _ := json.Marshal(base)
	return bytes.Replace(out.Bytes(), []byte(`"url": "/"`), append([]byte(`"url": `), quoted...), 1), nil
}

// object writes members as one compact JSON object.
func object(ms []member) []byte {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, m := range ms {
		if i > 0 {
			b.WriteByte(',')
		}
		k, _ := json.Marshal(m.key)
		b.Write(k)
		b.WriteByte(':')
		json.Compact(&b, m.val)
	}
	b.WriteByte('}')
	return b.Bytes()
}

// openAPI is the served /openapi.json: every feature's fragment, in the
// order of the document's sections.
func openAPI(base string) ([]byte, error) {
	return assembleOpenAPI(base, site.OpenAPI, live.OpenAPI, urlcheck.OpenAPI, ipinfo.OpenAPI, openapiBase, lab.OpenAPI,
		exam.OpenAPI)
}

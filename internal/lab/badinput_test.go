package lab

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestBadInputSQLite(t *testing.T)   { testBadInput(t, openSQLite) }
func TestPostgresBadInput(t *testing.T) { testBadInput(t, openPostgres) }

// testBadInput sends malformed, wrongly typed, oversized and hostile
// requests: each gets a clear 4xx problem and the stored article does not
// change.
func testBadInput(t *testing.T, open opener) {
	base := serve(t, Options{Store: open(t), MaxBody: 1024})
	c := newClient(t, base)
	loc := c.create("target", "Title", "body\n")
	before := c.do("GET", loc, "").body
	mp := "application/merge-patch+json"
	cases := []struct {
		name, method, path, body string
		headers                  []string
		status                   int
	}{
		{"empty body", "PUT", loc, "", []string{"If-Match", `"v1"`, "Content-Type", "application/json"}, 400},
		{"not JSON", "PUT", loc, `{"slug": `, []string{"If-Match", `"v1"`}, 400},
		{"an array", "PUT", loc, `[1,2]`, []string{"If-Match", `"v1"`}, 400},
		{"a string", "PUT", loc, `"hello"`, []string{"If-Match", `"v1"`}, 400},
		{"trailing data", "PUT", loc, `{"slug":"a","title":"b","body":""} {}`, []string{"If-Match", `"v1"`}, 400},
		{"missing members", "PUT", loc, `{"title":"b"}`, []string{"If-Match", `"v1"`}, 400},
		{"title a number", "PUT", loc, `{"slug":"a","title":5,"body":""}`, []string{"If-Match", `"v1"`}, 400},
		{"body an object", "PUT", loc, `{"slug":"a","title":"b","body":{"x":1}}`, []string{"If-Match", `"v1"`}, 400},
		{"slug null", "PUT", loc, `{"slug":null,"title":"b","body":""}`, []string{"If-Match", `"v1"`}, 400},
		{"unknown member", "PUT", loc, `{"slug":"a","title":"b","body":"","author":"me"}`, []string{"If-Match", `"v1"`}, 400},
		{"duplicate member", "PUT", loc, `{"slug":"a","title":"b","title":"c","body":""}`, []string{"If-Match", `"v1"`}, 400},
		{"version a string", "PUT", loc, `{"slug":"a","title":"b","body":"","version":"1"}`, nil, 400},
		{"version a fraction", "PUT", loc, `{"slug":"a","title":"b","body":"","version":1.5}`, nil, 400},
		{"version zero", "PUT", loc, `{"slug":"a","title":"b","body":"","version":0}`, nil, 400},
		{"version huge", "PUT", loc, `{"slug":"a","title":"b","body":"","version":99999999999999999999}`, nil, 400},
		{"id of another article", "PUT", loc, `{"id":999,"slug":"a","title":"b","body":""}`, []string{"If-Match", `"v1"`}, 400},
		{"invalid state name", "PUT", loc, `{"slug":"a","title":"b","body":"","state":"deleted"}`, []string{"If-Match", `"v1"`}, 400},
		{"uppercase slug", "PUT", loc, `{"slug":"Hello","title":"b","body":""}`, []string{"If-Match", `"v1"`}, 400},
		{"SQL in the slug", "PUT", loc, `{"slug":"a'; DROP TABLE articles; --","title":"b","body":""}`, []string{"If-Match", `"v1"`}, 400},
		{"slug too long", "PUT", loc, `{"slug":"` + strings.Repeat("a", 65) + `","title":"b","body":""}`, []string{"If-Match", `"v1"`}, 400},
		{"empty title", "PUT", loc, `{"slug":"a","title":"  ","body":""}`, []string{"If-Match", `"v1"`}, 400},
		{"title too long", "PUT", loc, `{"slug":"a","title":"` + strings.Repeat("é", 201) + `","body":""}`, []string{"If-Match", `"v1"`}, 400},
		{"NUL in the title", "PUT", loc, `{"slug":"a","title":"a\u0000b","body":""}`, []string{"If-Match", `"v1"`}, 400},
		{"line break in the title", "PUT", loc, `{"slug":"a","title":"a\nb","body":""}`, []string{"If-Match", `"v1"`}, 400},
		{"NUL in the body", "PUT", loc, `{"slug":"a","title":"b","body":"x\u0000"}`, []string{"If-Match", `"v1"`}, 400},
		{"escape character in the body", "PUT", loc, `{"slug":"a","title":"b","body":"\u001b[31m"}`, []string{"If-Match", `"v1"`}, 400},
		{"invalid UTF-8", "PUT", loc, "{\"slug\":\"a\",\"title\":\"\xff\xfe\",\"body\":\"\"}", []string{"If-Match", `"v1"`}, 400},
		{"body too large", "PUT", loc, `{"slug":"a","title":"b","body":"` + strings.Repeat("x", 1025) + `"}`, []string{"If-Match", `"v1"`}, 413},
		{"request too large", "PUT", loc, `{"slug":"a","title":"b","body":"` + strings.Repeat("\\n", 20000) + `"}`, []string{"If-Match", `"v1"`}, 413},
		{"XML", "PUT", loc, `<article/>`, []string{"If-Match", `"v1"`, "Content-Type", "application/xml"}, 415},
		{"JSON with a latin-1 charset", "PUT", loc, `{"slug":"a","title":"b","body":""}`, []string{"If-Match", `"v1"`, "Content-Type", "application/json; charset=latin1"}, 415},
		{"no Content-Type", "PUT", loc, `{"slug":"a","title":"b","body":""}`, []string{"If-Match", `"v1"`, "Content-Type", ""}, 415},
		{"If-Match unquoted", "PUT", loc, `{"slug":"a","title":"b","body":""}`, []string{"If-Match", `v1`}, 400},
		{"If-Match unterminated", "PUT", loc, `{"slug":"a","title":"b","body":""}`, []string{"If-Match", `"v1`}, 400},
		{"If-Match with a script", "PUT", loc, `{"slug":"a","title":"b","body":""}`, []string{"If-Match", `<script>alert(1)</script>`}, 400},
		{"If-Match of many tags", "DELETE", loc, "", []string{"If-Match", strings.Repeat(`"v1", `, 100) + `"v1"`}, 400},
		{"merge patch array", "PATCH", loc, `[{"op":"replace"}]`, []string{"If-Match", `"v1"`, "Content-Type", mp}, 400},
		{"merge patch unknown member", "PATCH", loc, `{"tags":["a"]}`, []string{"If-Match", `"v1"`, "Content-Type", mp}, 400},
		{"merge patch wrong type", "PATCH", loc, `{"title":["a"]}`, []string{"If-Match", `"v1"`, "Content-Type", mp}, 400},
		{"id not a number", "PUT", "/lab/articles/1%27%20OR%201=1", `{"slug":"a","title":"b","body":""}`, []string{"If-Match", "*"}, 404},
		{"id with a leading zero", "GET", "/lab/articles/0" + strings.TrimPrefix(loc, "/lab/articles/"), "", nil, 404},
		{"id negative", "DELETE", "/lab/articles/-1", "", []string{"If-Match", "*"}, 404},
		{"id too large", "GET", "/lab/articles/99999999999999999999", "", nil, 404},
		{"transition with SQL", "POST", loc + "/publish';--", "", nil, 404},
		{"create with a version", "POST", "/lab/articles", `{"slug":"n","title":"b","body":"","version":3}`, nil, 400},
		{"create published", "POST", "/lab/articles", `{"slug":"n","title":"b","body":"","state":"published"}`, nil, 400},
		{"create taken slug", "POST", "/lab/articles", `{"slug":"target","title":"b","body":""}`, nil, 409},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := c.do(tc.method, tc.path, tc.body, tc.headers...)
			if r.status != tc.status {
				t.Fatalf("status %d, want %d\n%s", r.status, tc.status, r.body)
			}
			p := r.json(t)
			if p["status"] != float64(tc.status) || p["title"] == "" || p["detail"] == "" {
				t.Fatalf("not a full problem: %s", r.body)
			}
			if strings.Contains(r.body, "<script>") {
				t.Fatalf("the problem echoes markup unescaped: %s", r.body)
			}
			if after := c.do("GET", loc, "").body; after != before {
				t.Fatalf("the article changed:\n%s\nbecame\n%s", before, after)
			}
		})
	}
	if l := c.do("GET", "/lab/articles", "").json(t)["articles"].([]any); len(l) != 1 {
		t.Fatalf("%d articles after the bad requests, want 1", len(l))
	}

	// A long Content-Type is quoted back cut short, as every echo is.
	long := "application/" + strings.Repeat("x", 5000)
	if r := c.do("PUT", loc, `{}`, "If-Match", `"v1"`, "Content-Type", long); r.status != 415 || len(r.body) > 1500 || !strings.Contains(r.body, "…") {
		t.Errorf("a 5 KB Content-Type: %d with a %d-byte problem, want 415 quoting it cut short", r.status, len(r.body))
	}

	// Field errors name the fields.
	r := c.do("PUT", loc, `{"slug":"A","title":"","body":5}`, "If-Match", `"v1"`)
	var p struct {
		Errors []fieldError `json:"errors"`
	}
	json.Unmarshal([]byte(r.body), &p)
	if len(p.Errors) == 0 || p.Errors[0].Field != "body" {
		t.Fatalf("field errors: %s", r.body)
	}

	// SQL metacharacters and other odd text in every free field are stored
	// as they are.
	hostile := `'; DROP TABLE articles; -- % _ \ " ` + "`" + ` $1 ? :name <script>alert(1)</script> 🫖 \u202e`
	b, _ := json.Marshal(map[string]string{"slug": "odd", "title": hostile, "body": hostile + "\n" + hostile})
	r = c.do("POST", "/lab/articles", string(b))
	expect(t, "hostile but valid text", r, 201, "")
	a := c.do("GET", r.header.Get("Location"), "").json(t)
	if a["title"] != hostile || a["body"] != hostile+"\n"+hostile {
		t.Fatalf("hostile text did not round-trip: %v", a)
	}
}

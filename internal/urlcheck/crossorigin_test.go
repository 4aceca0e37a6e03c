package urlcheck

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
)

// TestCrossOriginRefused: a page on another site cannot post checks
// through its visitors' browsers, in any body the API takes; the /check
// page itself, its form without JavaScript, and clients that send no
// Origin (curl, scripts) still can.
func TestCrossOriginRefused(t *testing.T) {
	t.Parallel()
	var hits atomic.Int32
	target := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { hits.Add(1) }))
	t.Cleanup(target.Close)
	plain := serveAPI(t, localChecker(t, Options{}))
	proxied := serveAPI(t, localChecker(t, Options{Origins: []string{"https://teapot.example"}}))
	form := "application/x-www-form-urlencoded"
	formBody := url.Values{"urls": {target.URL + "/"}, "format": {"json"}}.Encode()
	jsonBody := `{"urls":["` + target.URL + `/"]}`
	tests := []struct {
		name        string
		api         string
		ctype, body string
		origin      string // "self": the API's own origin
		site        string // Sec-Fetch-Site
		want        int
		detail      string
	}{
		{"cross-site form post", plain, form, formBody, "https://evil.example", "cross-site", 403, "Sec-Fetch-Site: cross-site"},
		{"cross-site JSON as a form", plain, form, jsonBody, "https://evil.example", "cross-site", 403, "another origin"},
		{"cross-site text/plain", plain, "text/plain", jsonBody, "https://evil.example", "cross-site", 403, "another origin"},
		{"same-site sibling", plain, form, formBody, "https://evil.teapot.example", "same-site", 403, "Sec-Fetch-Site: same-site"},
		{"old browser, other origin", plain, form, formBody, "https://evil.example", "", 403, `Origin "https://evil.example" is not this server's`},
		{"old browser, opaque origin", plain, form, formBody, "null", "", 403, `Origin "null"`},
		{"the /check page's fetch", plain, "application/json", jsonBody, "self", "same-origin", 200, ""},
		{"the /check form without JavaScript", plain, form, formBody, "self", "same-origin", 200, ""},
		{"old browser, same origin", plain, "application/json", jsonBody, "self", "", 200, ""},
		{"curl -d, no Origin", plain, form, jsonBody, "", "", 200, ""},
		{"script, no Origin", plain, "application/json", jsonBody, "", "", 200, ""},
		{"behind a proxy that rewrites Host, no --public-url", plain, "application/json", jsonBody, "https://teapot.example", "", 403, "is not this server's"},
		{"behind a proxy that rewrites Host, --public-url", proxied, "application/json", jsonBody, "https://teapot.example", "", 200, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, _ := http.NewRequest("POST", tt.api+"/api/check", strings.NewReader(tt.body))
			req.Header.Set("Content-Type", tt.ctype)
			switch tt.origin {
			case "":
			case "self":
				req.Header.Set("Origin", tt.api)
			default:
				req.Header.Set("Origin", tt.origin)
			}
			if tt.site != "" {
				req.Header.Set("Sec-Fetch-Site", tt.site)
			}
			before := hits.Load()
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != tt.want {
				t.Fatalf("status %d, want %d:\n%s", resp.StatusCode, tt.want, b)
			}
			if tt.want == 200 {
				if hits.Load() == before {
					t.Error("answered 200, but the URL was not checked")
				}
				return
			}
			var p struct {
				Status int
				Detail string
			}
			json.Unmarshal(b, &p)
			if ct := resp.Header.Get("Content-Type"); ct != "application/problem+json; charset=utf-8" || p.Status != 403 || !strings.Contains(p.Detail, tt.detail) {
				t.Errorf("%s, want a 403 problem saying %q:\n%s", ct, tt.detail, b)
			}
			if hits.Load() != before {
				t.Error("the refused request was checked all the same")
			}
		})
	}
}

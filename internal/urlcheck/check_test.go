package urlcheck

import (
	"crypto/x509"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"
)

// localChecker may reach the loopback test servers: private targets and
// any port are allowed explicitly (TestSSRF proves the default refuses
// them).
func localChecker(t *testing.T, opts Options) *Checker {
	t.Helper()
	opts.Guard.AllowPrivate, opts.Guard.AnyPort = true, true
	return newChecker(t, opts, nil)
}

func spec(mod ...func(*Spec)) Spec {
	s := Spec{Method: "GET", Follow: true, MaxRedirects: DefaultMaxHops, Agent: "teapot", Timeout: 5 * time.Second}
	for _, m := range mod {
		m(&s)
	}
	return s
}

func check(t *testing.T, c *Checker, raw string, s Spec) Result {
	t.Helper()
	u, err := ParseURL(raw)
	if err != nil {
		t.Fatal(err)
	}
	return c.Check(t.Context(), u, s)
}

// redirector serves /r/N, which redirects to /r/N-1 until /r/0 answers
// 200, and a few odd cases.
func redirector(t *testing.T) *httptest.Server {
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case strings.HasPrefix(r.URL.Path, "/r/"):
			n, _ := strconv.Atoi(strings.TrimPrefix(r.URL.Path, "/r/"))
			if n <= 0 {
				fmt.Fprint(w, "arrived")
				return
			}
			w.Header().Set("Location", fmt.Sprintf("../r/%d", n-1)) // relative, with dot segments
			w.WriteHeader(http.StatusMovedPermanently)
		case r.URL.Path == "/loop-a":
			http.Redirect(w, r, "/loop-b", http.StatusFound)
		case r.URL.Path == "/loop-b":
			http.Redirect(w, r, "/loop-a", http.StatusTemporaryRedirect)
		case r.URL.Path == "/nowhere":
			w.WriteHeader(http.StatusFound)
		case r.URL.Path == "/see-other":
			http.Redirect(w, r, "/r/0", http.StatusSeeOther)
		case r.URL.Path == "/ftp":
			http.Redirect(w, r, "ftp://example.com/", http.StatusFound)
		case r.URL.Path == "/slow":
			select {
			case <-r.Context().Done():
			case <-time.After(2 * time.Second):
			}
		case r.URL.Path == "/big":
			chunk := strings.Repeat("x", 1<<10)
			for i := 0; i < 1<<10; i++ {
				if _, err := fmt.Fprint(w, chunk); err != nil {
					return
				}
			}
		case r.URL.Path == "/echo":
			w.Header().Set("X-Got-UA", r.Header.Get("User-Agent"))
			w.Header().Set("X-Got-Test", r.Header.Get("X-Test"))
			w.Header().Set("X-Got-Method", r.Method)
		}
	}))
	t.Cleanup(ts.Close)
	return ts
}

func TestRedirects(t *testing.T) {
	t.Parallel()
	ts := redirector(t)
	c := localChecker(t, Options{})
	tests := []struct {
		name      string
		path      string
		spec      Spec
		status    int
		hops      int
		errSubstr string
		loop      bool
		warning   bool
	}{
		{"chain of 3 relative", "/r/3", spec(), 200, 4, "", false, false},
		{"no follow", "/r/3", spec(func(s *Spec) { s.Follow = false }), 301, 1, "", false, false},
		{"at the limit", "/r/10", spec(), 200, 11, "", false, false},
		{"over the limit", "/r/11", spec(), 301, 11, "more than 10 redirects", false, false},
		{"lower limit", "/r/3", spec(func(s *Spec) { s.MaxRedirects = 2 }), 301, 3, "more than 2 redirects", false, false},
		{"loop", "/loop-a", spec(), 307, 2, "redirect loop", true, false},
		{"missing Location", "/nowhere", spec(), 302, 1, "", false, true},
		{"303 to GET", "/see-other", spec(), 200, 2, "", false, false},
		{"redirect to ftp", "/ftp", spec(), 302, 1, "only http and https", false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := check(t, c, ts.URL+tt.path, tt.spec)
			if r.Status != tt.status || len(r.Hops) != tt.hops || r.Redirects != tt.hops-1 {
				t.Errorf("status %d with %d hops (%d redirects), want %d with %d", r.Status, len(r.Hops), r.Redirects, tt.status, tt.hops)
			}
			if !strings.Contains(r.Error, tt.errSubstr) || (tt.errSubstr == "") != (r.Error == "") {
				t.Errorf("error %q, want one containing %q", r.Error, tt.errSubstr)
			}
			if r.Loop != tt.loop || (r.Warning != "") != tt.warning {
				t.Errorf("loop %v, warning %q; want loop %v, a warning %v", r.Loop, r.Warning, tt.loop, tt.warning)
			}
		})
	}
	t.Run("hop details", func(t *testing.T) {
		t.Parallel()
		r := check(t, c, ts.URL+"/r/1", spec())
		h := r.Hops[0]
		if h.Location != "../r/0" || h.Reason != "Moved Permanently" || h.Proto != "HTTP/1.1" || h.RemoteAddr == "" {
			t.Errorf("first hop %+v: want Location ../r/0, reason, HTTP/1.1 and the remote address", h)
		}
		if r.Hops[1].URL != ts.URL+"/r/0" || r.FinalURL != ts.URL+"/r/0" {
			t.Errorf("the relative Location resolved to %q, final %q", r.Hops[1].URL, r.FinalURL)
		}
		if h.Timings.Connect <= 0 || h.Timings.FirstByte <= 0 || h.Timings.Total < h.Timings.FirstByte || h.Headers["Location"] == nil {
			t.Errorf("timings %+v and headers %v: want connect, first byte and the Location header", h.Timings, h.Headers)
		}
		if r.Hops[1].BodyBytes != int64(len("arrived")) || r.TimeMS <= 0 {
			t.Errorf("final body %d bytes, time %v", r.Hops[1].BodyBytes, r.TimeMS)
		}
	})
}

func TestTimeoutAndSize(t *testing.T) {
	t.Parallel()
	ts := redirector(t)
	c := localChecker(t, Options{MaxBytes: 64 << 10})
	start := time.Now()
	r := check(t, c, ts.URL+"/slow", spec(func(s *Spec) { s.Timeout = 300 * time.Millisecond }))
	if !strings.Contains(r.Error, "timed out") || r.Status != 0 || time.Since(start) > 1500*time.Millisecond {
		t.Errorf("slow: status %d, error %q after %v; want a timeout after 300ms", r.Status, r.Error, time.Since(start))
	}
	r = check(t, c, ts.URL+"/big", spec())
	if r.Status != 200 || !r.Hops[0].Truncated || r.Hops[0].BodyBytes != 64<<10 || r.Error != "" {
		t.Errorf("big: status %d, %d bytes read, truncated %v, error %q; want 200 and 65536 bytes, truncated", r.Status, r.Hops[0].BodyBytes, r.Hops[0].Truncated, r.Error)
	}
	r = check(t, c, ts.URL+"/big", spec(func(s *Spec) { s.Method = "HEAD" }))
	if r.Status != 200 || r.Hops[0].BodyBytes != 0 || r.Hops[0].Method != "HEAD" {
		t.Errorf("HEAD: status %d, %d bytes", r.Status, r.Hops[0].BodyBytes)
	}
}

func TestAgentsAndHeaders(t *testing.T) {
	t.Parallel()
	ts := redirector(t)
	c := localChecker(t, Options{})
	for name, a := range agents {
		r := check(t, c, ts.URL+"/echo", spec(func(s *Spec) { s.Agent = name; s.Header = http.Header{"X-Test": {"yes"}} }))
		h := r.Hops[0].Headers
		if got := h["X-Got-Ua"]; len(got) != 1 || got[0] != a.ua || h["X-Got-Test"][0] != "yes" {
			t.Errorf("%s: the server saw User-Agent %v and X-Test %v", name, got, h["X-Got-Test"])
		}
	}
}

func TestTLS(t *testing.T) {
	t.Parallel()
	ts := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, "secure") }))
	ts.EnableHTTP2 = true
	ts.StartTLS()
	t.Cleanup(ts.Close)
	// The system's roots do not know the test certificate: reported, not
	// fatal.
	r := check(t, localChecker(t, Options{RootCAs: x509.NewCertPool()}), ts.URL+"/", spec())
	if r.Status != 200 || r.TLS == nil || r.TLS.Verified || !strings.Contains(r.TLS.VerifyError, "unknown authority") {
		t.Fatalf("self-signed: status %d, TLS %+v; want 200 with a verification error", r.Status, r.TLS)
	}
	info := r.TLS
	if info.Version != "TLS 1.3" || info.Cipher == "" || !strings.Contains(info.Subject, "Acme") || len(info.SANs) == 0 || info.DaysLeft < 1 || r.Proto != "HTTP/2.0" {
		t.Errorf("TLS %+v over %s: want TLS 1.3, a cipher, the subject, SANs, days left, HTTP/2", info, r.Proto)
	}
	if r.Hops[0].Timings.TLS <= 0 {
		t.Errorf("no TLS handshake time: %+v", r.Hops[0].Timings)
	}
	// Trusting the test certificate makes it verified (127.0.0.1 is a SAN).
	roots := x509.NewCertPool()
	roots.AddCert(ts.Certificate())
	r = check(t, localChecker(t, Options{RootCAs: roots}), ts.URL+"/", spec())
	if r.TLS == nil || !r.TLS.Verified {
		t.Errorf("trusted: TLS %+v, want verified", r.TLS)
	}
}

func TestParseURL(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct{ in, want, err string }{
		{"example.org", "http://example.org", ""},
		{" HTTPS://example.org/a#frag ", "https://example.org/a", ""},
		{"ftp://example.org/", "", "only http and https"},
		{"file:///etc/passwd", "", "only http and https"},
		{"gopher://x", "", "only http and https"},
		{"javascript:alert(1)", "", "only http and https"},
		{"example.org:8080/a", "http://example.org:8080/a", ""},
		{"[::1]:8080", "http://[::1]:8080", ""},
		{"http://", "", "no host"},
		{"http://example.org:99999/", "", "1 to 65535"},
		{"http://exa mple.org/", "", "not a URL"},
		{"", "", "empty"},
		{"http://example.org/" + strings.Repeat("a", MaxURLLen), "", "at most 2048"},
	} {
		u, err := ParseURL(tt.in)
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("ParseURL(%.40q) error %v, want %q", tt.in, err, tt.err)
			}
			continue
		}
		if err != nil || u.String() != tt.want {
			t.Errorf("ParseURL(%q) = %v, %v; want %s", tt.in, u, err, tt.want)
		}
	}
}

func TestParseHost(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"2130706433": "127.0.0.1", "0x7f.1": "127.0.0.1", "0177.0.0.1": "127.0.0.1", "127.1": "127.0.0.1",
		"0x7f000001": "127.0.0.1", "10.1": "10.0.0.1", "192.168.257": "192.168.1.1", "0": "0.0.0.0",
		"::ffff:127.0.0.1": "127.0.0.1", "example.org": "", "1.2.3.4.example": "",
	} {
		a, ok, err := parseHost(in)
		if err != nil || ok != (want != "") || ok && a.String() != want {
			t.Errorf("parseHost(%q) = %v, %v, %v; want %q", in, a, ok, err, want)
		}
	}
	for _, bad := range []string{"256.1.1.1", "1.2.3.4.5", "example.0x", "0x100000000", "1.2.3.09"} {
		if _, _, err := parseHost(bad); err == nil {
			t.Errorf("parseHost(%q): no error, want one (numeric but not an address)", bad)
		}
	}
	_ = url.URL{}
}

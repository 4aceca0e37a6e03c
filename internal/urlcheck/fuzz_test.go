package urlcheck

import (
	"net/url"
	"testing"
	"time"
)

// FuzzParseRequest feeds arbitrary bodies to the request parser, as JSON
// and as a form: it must never panic, and whatever it accepts must be
// within the limits.
func FuzzParseRequest(f *testing.F) {
	for _, s := range []string{
		`{"urls":["example.org"]}`,
		`{"urls":["https://example.org/a?b#c","http://[::1]:8080/"],"method":"head","follow":false,"max_redirects":3,"user_agent":"Googlebot","headers":{"X-A":"1"},"timeout":"2s"}`,
		`{"urls":["http://0x7f.1/","http://2130706433"],"timeout":"1h"}`,
		`urls=example.org%0Ahttp%3A%2F%2F127.1%2F&method=GET&follow=1&headers=X-A%3A+1&format=csv`,
		`{"urls":[""],"headers":{"Host":"x","X\r\n":"y"}}`,
	} {
		f.Add(s, true)
		f.Add(s, false)
	}
	lim := Limits{MaxURLs: 5, MaxTimeout: 3 * time.Second}
	f.Fuzz(func(t *testing.T, body string, asJSON bool) {
		ctype := "application/json"
		if !asJSON {
			ctype = "application/x-www-form-urlencoded"
		}
		spec, urls, err := ParseRequest(ctype, []byte(body), lim)
		if err != nil {
			if _, ok := err.(*InputError); !ok {
				t.Fatalf("error %T %v is not an *InputError", err, err)
			}
			return
		}
		if spec.Method != "GET" && spec.Method != "HEAD" || spec.MaxRedirects < 0 || spec.MaxRedirects > MaxRedirectsCap ||
			spec.Timeout <= 0 || spec.Timeout > lim.MaxTimeout || len(spec.Header) > MaxHeaders || agents[spec.Agent].ua == "" {
			t.Fatalf("accepted an out-of-limit spec %+v", spec)
		}
		if len(urls) == 0 || len(urls) > lim.MaxURLs {
			t.Fatalf("accepted %d URLs", len(urls))
		}
		for _, u := range urls {
			checkAccepted(t, u)
		}
	})
}

func checkAccepted(t *testing.T, u *url.URL) {
	if u.Scheme != "http" && u.Scheme != "https" || u.Hostname() == "" || len(u.String()) > MaxURLLen+len("http://")+16 {
		t.Fatalf("accepted %q", u)
	}
	// The host must not panic the guard either, and a literal address
	// must be refused or allowed the same way in every spelling.
	a, ok, _ := parseHost(u.Hostname())
	if ok {
		g := Guard{}
		b, ok2, err := parseHost(a.String())
		if !ok2 || err != nil || b != a.WithZone(b.Zone()) && b != a {
			t.Fatalf("%s reads as %v, whose string %q reads as %v", u.Hostname(), a, a.String(), b)
		}
		if (g.CheckAddr(a) == nil) != (g.CheckAddr(b) == nil) {
			t.Fatalf("%v and %v are judged differently", a, b)
		}
	}
}

// FuzzParseHost: every host string either reads as an address or not,
// without panicking, and numeric spellings of loopback are loopback.
func FuzzParseHost(f *testing.F) {
	for _, s := range []string{"127.0.0.1", "2130706433", "0x7f.1", "0177.0.0.1", "127.1", "::ffff:127.0.0.1", "[::]", "example.org", "1.2.3.4.5", "0x", "09"} {
		f.Add(s)
	}
	g := Guard{}
	f.Fuzz(func(t *testing.T, host string) {
		a, ok, err := parseHost(host)
		if ok && err != nil {
			t.Fatalf("both an address and an error for %q", host)
		}
		if ok && a.Unmap().IsLoopback() && g.CheckAddr(a) == nil {
			t.Fatalf("%q is loopback %v but allowed", host, a)
		}
	})
}

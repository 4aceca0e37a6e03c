package urlcheck

import (
	"context"
	"encoding/json"
	"errors"
	"net"
	"net/netip"
	"net/url"
	"strings"
	"testing"
)

// resultLines are the result lines of an NDJSON answer as sent, by the
// index of their URL.
func resultLines(t *testing.T, api string, req Request) map[int]string {
	t.Helper()
	body, _ := json.Marshal(req)
	resp, text := post(t, api, "", "application/json", string(body))
	if resp.StatusCode != 200 {
		t.Fatalf("status %d:\n%s", resp.StatusCode, text)
	}
	out := map[int]string{}
	for _, l := range strings.Split(strings.TrimSpace(text), "\n") {
		var p Progress
		if err := json.Unmarshal([]byte(l), &p); err != nil {
			t.Fatalf("line %q: %v", l, err)
		}
		if p.Result != nil {
			out[p.Result.Index] = l
		}
	}
	return out
}

// TestRefusalHidesResolvedAddress: a host name that resolves to an
// internal address is refused by the rule it breaks, and the answer names
// the host, never the address: what internal names resolve to is a map of
// the network the checker runs in. A literal address is echoed back.
func TestRefusalHidesResolvedAddress(t *testing.T) {
	t.Parallel()
	s := newSSRFSetup(t)
	via := s.allowed + "/to?u=" + url.QueryEscape("http://intranet.test/")
	tests := []struct {
		url, rule, target, rfc string
		hidden                 []string // must not appear anywhere in the result
	}{
		{"http://intranet.test/", "private", "intranet.test", "RFC 1918", []string{"10.1.2.3"}},
		{"http://mixed.test/", "private", "mixed.test", "RFC 1918", []string{"192.168.1.1"}},
		{"http://v6only.test/", "loopback", "v6only.test", "RFC 4291", []string{`::1"`, "::1 "}},
		{"http://mapped.test/", "private", "mapped.test", "RFC 1918", []string{"10.0.0.1", "ffff:"}},
		{"http://metadata.test/", "link-local", "metadata.test", "RFC 3927", []string{"169.254"}},
		{"http://nat64.test/", "private", "nat64.test", "RFC 1918", []string{"10.0.0.1", "64:ff9b", "a00:1"}},
		{"http://Intranet.TEST./", "private", "intranet.test", "RFC 1918", []string{"10.1.2.3"}},
		{via, "private", "intranet.test", "RFC 1918", []string{"10.1.2.3"}},
	}
	req := Request{URLs: []string{"http://10.1.2.3/"}}
	for _, tt := range tests {
		req.URLs = append(req.URLs, tt.url)
	}
	lines := resultLines(t, s.api, req)
	var lit Result
	json.Unmarshal([]byte(lines[0]), &struct{ Result *Result }{&lit})
	if lit.Refused == nil || lit.Refused.Target != "10.1.2.3" || !strings.Contains(lit.Error, "10.1.2.3") {
		t.Errorf("a literal address: refused %+v, error %q; want it named", lit.Refused, lit.Error)
	}
	for i, tt := range tests {
		line := lines[i+1]
		var p Progress
		json.Unmarshal([]byte(line), &p)
		r := p.Result
		if r.Refused == nil || r.Refused.Rule != tt.rule || r.Refused.Target != tt.target {
			t.Errorf("%s: refused %+v, want rule %s for %s", tt.url, r.Refused, tt.rule, tt.target)
			continue
		}
		if !strings.Contains(r.Error, "host "+tt.target+" resolves to an") || !strings.Contains(r.Error, tt.rfc) {
			t.Errorf("%s: error %q does not name the host and the rule (%s)", tt.url, r.Error, tt.rfc)
		}
		for _, h := range tt.hidden {
			if strings.Contains(line, h) {
				t.Errorf("%s: the result gives away %q:\n%s", tt.url, h, line)
			}
		}
	}
}

// leakyResolver fails every lookup with the error given for the name,
// the way the system's resolver does: naming the server it asked.
type leakyResolver map[string]error

func (l leakyResolver) LookupNetIP(ctx context.Context, network, host string) ([]netip.Addr, error) {
	return nil, l[host]
}

// TestDNSErrorHidesResolver: a failed lookup says what failed without
// the resolver's address or the addresses of the exchange.
func TestDNSErrorHidesResolver(t *testing.T) {
	t.Parallel()
	const server = "10.53.0.1:53"
	res := leakyResolver{
		"gone.test":   &net.DNSError{Err: "no such host", Name: "gone.test", Server: server, IsNotFound: true},
		"slow.test":   &net.DNSError{Err: "read udp 10.0.0.5:41234->" + server + ": i/o timeout", Name: "slow.test", Server: server, IsTimeout: true},
		"broken.test": &net.DNSError{Err: "server misbehaving", Name: "broken.test", Server: "[fd00::53]:53", IsTemporary: true},
		"odd.test":    &net.DNSError{Err: "dial udp " + server + ": connect: network is unreachable", Name: "odd.test", Server: server},
		"plain.test":  errors.New("lookup plain.test on " + server + ": refused"),
	}
	api := serveAPI(t, newChecker(t, Options{}, res))
	want := map[string]string{
		"gone.test":   "resolving gone.test: no such host",
		"slow.test":   "resolving slow.test: the lookup timed out",
		"broken.test": "resolving broken.test: server misbehaving",
		"odd.test":    "resolving odd.test: the lookup failed",
		"plain.test":  "resolving plain.test: the lookup failed",
	}
	var req Request
	var names []string
	for name := range want {
		names = append(names, name)
		req.URLs = append(req.URLs, "http://"+name+"/")
	}
	for i, line := range resultLines(t, api, req) {
		var p Progress
		json.Unmarshal([]byte(line), &p)
		if got := p.Result.Error; got != want[names[i]] {
			t.Errorf("%s: error %q, want %q", names[i], got, want[names[i]])
		}
		for _, leak := range []string{"10.53.0.1", "10.0.0.5", "fd00::53"} {
			if strings.Contains(line, leak) {
				t.Errorf("%s: the result gives away %s:\n%s", names[i], leak, line)
			}
		}
	}
}

package urlcheck

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"math"
	"net/http/httptrace"
	"strings"
	"sync"
	"time"
)

// Result is what the check of one URL found.
type Result struct {
	// Index is the URL's position in the request, from 0; results
	// stream in the order they finish.
	Index     int           `json:"index"`
	URL       string        `json:"url"`
	FinalURL  string        `json:"final_url,omitempty"`
	Status    int           `json:"status"` // the final status; 0 when there was no answer
	Reason    string        `json:"reason,omitempty"`
	Redirects int           `json:"redirects"`
	TimeMS    float64       `json:"time_ms"`
	Proto     string        `json:"http_version,omitempty"`
	TLS       *TLSInfo      `json:"tls,omitempty"`
	Hops      []Hop         `json:"hops"`
	Error     string        `json:"error,omitempty"`
	Refused   *RefusedError `json:"refused,omitempty"`
	Loop      bool          `json:"loop,omitempty"`
	Warning   string        `json:"warning,omitempty"`
}

// Hop is one request of a redirect chain and its response.
type Hop struct {
	URL        string              `json:"url"`
	Method     string              `json:"method"`
	Status     int                 `json:"status,omitempty"`
	Reason     string              `json:"reason,omitempty"`
	Location   string              `json:"location,omitempty"`
	Proto      string              `json:"http_version,omitempty"`
	RemoteAddr string              `json:"remote_addr,omitempty"`
	Timings    Timings             `json:"timings"`
	Headers    map[string][]string `json:"headers,omitempty"`
	BodyBytes  int64               `json:"body_bytes"`
	Truncated  bool                `json:"body_truncated,omitempty"`
	BodyError  string              `json:"body_error,omitempty"`
	TLS        *TLSInfo            `json:"tls,omitempty"`
	Error      string              `json:"error,omitempty"`
	Refused    *RefusedError       `json:"refused,omitempty"`
}

// MarshalJSON lets a refusal appear in results as {rule, target, reason}.
func (e *RefusedError) MarshalJSON() ([]byte, error) {
	return marshal(struct {
		Rule   string `json:"rule"`
		Target string `json:"target"`
		Reason string `json:"reason"`
	}{e.Rule, e.Target, e.Reason})
}

// Timings of a hop in milliseconds: each phase, and the time to the first
// byte and to the end of the body from the start of the request. A phase
// that did not happen (no DNS for an address) is 0.
type Timings struct {
	DNS       float64 `json:"dns_ms"`
	Connect   float64 `json:"connect_ms"`
	TLS       float64 `json:"tls_ms"`
	FirstByte float64 `json:"first_byte_ms"`
	Total     float64 `json:"total_ms"`
}

// TLSInfo describes an HTTPS connection and the server's certificate.
type TLSInfo struct {
	Version     string    `json:"version"`
	Cipher      string    `json:"cipher"`
	ALPN        string    `json:"alpn,omitempty"`
	Subject     string    `json:"subject"`
	Issuer      string    `json:"issuer"`
	SANs        []string  `json:"sans,omitempty"`
	NotAfter    time.Time `json:"not_after"`
	DaysLeft    int       `json:"days_left"`
	Verified    bool      `json:"verified"`
	VerifyError string    `json:"verify_error,omitempty"`
}

// tlsInfo describes the connection and verifies the chain against host,
// as a browser would, without having refused it.
func (c *Checker) tlsInfo(cs *tls.ConnectionState, host string) *TLSInfo {
	info := &TLSInfo{Version: tls.VersionName(cs.Version), Cipher: tls.CipherSuiteName(cs.CipherSuite), ALPN: cs.NegotiatedProtocol}
	if len(cs.PeerCertificates) == 0 {
		info.VerifyError = "the server sent no certificate"
		return info
	}
	leaf := cs.PeerCertificates[0]
	info.Subject, info.Issuer = leaf.Subject.String(), leaf.Issuer.String()
	info.SANs = append(info.SANs, leaf.DNSNames...)
	for _, ip := range leaf.IPAddresses {
		info.SANs = append(info.SANs, ip.String())
	}
	if len(info.SANs) > 50 {
		info.SANs = info.SANs[:50]
	}
	info.NotAfter = leaf.NotAfter.UTC()
	info.DaysLeft = int(math.Floor(time.Until(leaf.NotAfter).Hours() / 24))
	inter := x509.NewCertPool()
	for _, cert := range cs.PeerCertificates[1:] {
		inter.AddCert(cert)
	}
	_, err := leaf.Verify(x509.VerifyOptions{DNSName: strings.Trim(host, "[]"), Roots: c.opts.RootCAs, Intermediates: inter})
	info.Verified = err == nil
	if err != nil {
		info.VerifyError = err.Error()
	}
	return info
}

// timings collects a hop's events from httptrace. The dialer records DNS
// itself (it resolves, not net/http).
type timings struct {
	mu                           sync.Mutex
	start                        time.Time
	connStart, connDone          time.Time
	tlsStart, tlsDone, firstByte time.Time
}

func (t *timings) trace() *httptrace.ClientTrace {
	at := func(p *time.Time, keepFirst bool) {
		t.mu.Lock()
		defer t.mu.Unlock()
		if !keepFirst || p.IsZero() {
			*p = time.Now()
		}
	}
	return &httptrace.ClientTrace{
		ConnectStart:         func(string, string) { at(&t.connStart, true) },
		ConnectDone:          func(string, string, error) { at(&t.connDone, false) },
		TLSHandshakeStart:    func() { at(&t.tlsStart, true) },
		TLSHandshakeDone:     func(tls.ConnectionState, error) { at(&t.tlsDone, false) },
		GotFirstResponseByte: func() { at(&t.firstByte, true) },
	}
}

func (t *timings) result(ht *hopTrace, end time.Time) Timings {
	dnsStart, dnsDone, _ := ht.get()
	t.mu.Lock()
	defer t.mu.Unlock()
	span := func(a, b time.Time) float64 {
		if a.IsZero() || b.IsZero() || b.Before(a) {
			return 0
		}
		return ms(b.Sub(a))
	}
	return Timings{
		DNS:       span(dnsStart, dnsDone),
		Connect:   span(t.connStart, t.connDone),
		TLS:       span(t.tlsStart, t.tlsDone),
		FirstByte: span(t.start, t.firstByte),
		Total:     span(t.start, end),
	}
}

func marshal(v any) ([]byte, error) { return json.Marshal(v) }

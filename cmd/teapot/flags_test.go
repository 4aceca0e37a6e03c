package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/teapothq/teapot/internal/geo/geotest"
)

// TestIPFlags: the flags of the client's address and of /ip are checked
// by name, come from the environment, and are listed by help serve.
func TestIPFlags(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"--trusted-proxies", "10.0.0.0/33"}, "--trusted-proxies"},
		{[]string{"--trusted-proxies", "proxy.example"}, "--trusted-proxies"},
		{[]string{"--client-ip-header", "X-Real-IP"}, "--client-ip-header"},
		{[]string{"--trusted-proxies", "10.0.0.1", "--client-ip-header", "X Real IP"}, "--client-ip-header"},
		{[]string{"--reverse-dns-timeout", "1m"}, "--reverse-dns-timeout"},
		{[]string{"--ipv4-host", "ipv4.teapot.example"}, "--ipv4-host"},
		{[]string{"--public-url", "https://teapot.example", "--ipv6-host", "https://ipv6.teapot.example"}, "--ipv6-host"},
		{[]string{"--public-url", "https://teapot.example", "--ipv4-host", "a b"}, "--ipv4-host"},
	} {
		if _, err := loadConfig(tt.args, func(string) string { return "" }); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%v: error %v, want one naming %s", tt.args, err, tt.want)
		}
	}
	env := map[string]string{"TEAPOT_TRUSTED_PROXIES": "10.0.0.0/8", "TEAPOT_CLIENT_IP_HEADER": "X-Real-IP"}
	cfg, err := loadConfig(nil, func(k string) string { return env[k] })
	if err != nil || cfg.TrustedProxies != "10.0.0.0/8" || cfg.ClientIPHeader != "X-Real-IP" {
		t.Errorf("from the environment: %+v, %v", cfg, err)
	}
	out, err := runCLI(t, "help", "serve")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"--trusted-proxies  (TEAPOT_TRUSTED_PROXIES", "--client-ip-header  (TEAPOT_CLIENT_IP_HEADER", "--reverse-dns-timeout  (TEAPOT_REVERSE_DNS_TIMEOUT, default 1s)"} {
		if !strings.Contains(out, want) {
			t.Errorf("help serve lacks %q", want)
		}
	}
}

// TestIPGeoStartErrors: a missing or corrupt database stops serve at
// start with an error that names the flag and the file.
func TestIPGeoStartErrors(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	corrupt := filepath.Join(dir, "corrupt.mmdb")
	os.WriteFile(corrupt, []byte(strings.Repeat("not a database ", 100)), 0o644)
	fx, err := geotest.WriteMaxMind(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	city := fx.Location[0]
	for _, tt := range []struct {
		args []string
		want []string
	}{
		{[]string{"--geo-city", filepath.Join(dir, "missing.mmdb")}, []string{"--geo-city", "missing.mmdb"}},
		{[]string{"--geo-asn", corrupt}, []string{"--geo-asn", corrupt, "not a readable MaxMind DB"}},
		{[]string{"--geo-city", city + "," + corrupt}, []string{"--geo-city", corrupt}},
		{[]string{"--geo-asn", city}, []string{"--geo-asn", "is a city database"}},
		{[]string{"--geo-city", ","}, []string{"--geo-city", "names no file"}},
		{[]string{"--geo-reload", "-1s"}, []string{"--geo-reload"}},
	} {
		_, err := runCLI(t, append([]string{"serve", "--addr", "127.0.0.1:0", "--access-log=false"}, tt.args...)...)
		for _, w := range tt.want {
			if err == nil || !strings.Contains(err.Error(), w) {
				t.Errorf("%v: error %v, want one with %q", tt.args, err, w)
			}
		}
	}
	out, err := runCLI(t, "help", "serve")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"--geo-city  (TEAPOT_GEO_CITY", "--geo-asn  (TEAPOT_GEO_ASN", "--geo-reload  (TEAPOT_GEO_RELOAD, default 5s)"} {
		if !strings.Contains(out, want) {
			t.Errorf("help serve lacks %q", want)
		}
	}
	env := map[string]string{"TEAPOT_GEO_CITY": city, "TEAPOT_GEO_ASN": fx.Network}
	if cfg, err := loadConfig(nil, func(k string) string { return env[k] }); err != nil || cfg.GeoCity != city || cfg.GeoASN != fx.Network {
		t.Errorf("from the environment: %q %q, %v", cfg.GeoCity, cfg.GeoASN, err)
	}
}

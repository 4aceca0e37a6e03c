package main

import (
	"bytes"
	"context"
	"errors"
	"runtime/debug"
	"strings"
	"testing"
)

// runCLI runs teapot with args and an empty environment.
func runCLI(t *testing.T, args ...string) (stdout string, err error) {
	t.Helper()
	var out, errOut bytes.Buffer
	err = run(context.Background(), args, func(string) string { return "" }, &out, &errOut)
	return out.String(), err
}

func TestCLI(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		args    []string
		want    string // substring of stdout
		wantErr string // substring of the error; "" for success
		usage   bool   // the error is a usage error (exit 2)
	}{
		{"code", []string{"409"}, "409 Conflict\n============", "", false},
		{"code sections", []string{"409"}, "HOW TO FIX", "", false},
		{"draft code", []string{"522"}, "Cloudflare", "", false},
		{"unknown code", []string{"432"}, "", `"432" is not a status code teapot knows; did you mean 431`, false},
		{"lookalike", []string{"4O9"}, "", "did you mean 409 Conflict", false},
		{"check says how to allow loopback", []string{"check", "http://127.0.0.1:1/"}, "--allow-private allows it", "1 of 1 URLs failed", false},
		{"not a code", []string{"99999"}, "", "not a status code (three digits", false},
		{"negative", []string{"-1"}, "", "not a status code", false},
		{"code with extra", []string{"409", "x"}, "", "takes no other arguments", true},
		{"search", []string{"search", "too", "many"}, "429  Too Many Requests", "", false},
		{"search none", []string{"search", "zzzqqq"}, "No status code matches", "no match", false},
		{"search empty", []string{"search"}, "", "search needs words", true},
		{"search long", []string{"search", strings.Repeat("a", 300)}, "", "at most 200", true},
		{"version", []string{"version"}, "teapot ", "", false},
		{"help", []string{"help"}, "teapot export DIR", "", false},
		{"help serve", []string{"help", "serve"}, "--addr  (TEAPOT_ADDR, default :8080)", "", false},
		{"help unknown", []string{"help", "x"}, "", "no help for", true},
		{"unknown command", []string{"frobnicate"}, "", `unknown command "frobnicate"`, true},
		{"export without dir", []string{"export"}, "", "export needs one folder", true},
		{"serve bad flag", []string{"serve", "--nope"}, "", "flag provided but not defined", true},
		{"serve bad base path", []string{"serve", "--base-path", "teapot<x>"}, "", "--base-path", true},
		{"serve bad public url", []string{"serve", "--public-url", "javascript:alert(1)"}, "", "--public-url", true},
		{"serve bad timeout", []string{"serve", "--read-timeout", "0s"}, "", "--read-timeout", true},
		{"serve bad addr", []string{"serve", "--addr", "nope"}, "", "--addr", true},
		{"serve bad log format", []string{"serve", "--log-format", "xml"}, "", "--log-format", true},
		{"serve extra arg", []string{"serve", "now"}, "", "serve takes flags only", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			out, err := runCLI(t, tt.args...)
			if tt.wantErr == "" && err != nil {
				t.Fatalf("error: %v", err)
			}
			if tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)) {
				t.Fatalf("error %v, want one containing %q", err, tt.wantErr)
			}
			var u usageError
			if err != nil && errors.As(err, &u) != tt.usage {
				t.Errorf("usage error = %v, want %v", !tt.usage, tt.usage)
			}
			if !strings.Contains(out, tt.want) {
				t.Errorf("stdout lacks %q:\n%.400s", tt.want, out)
			}
		})
	}
}

// TestEnvironment checks that the environment sets defaults and flags
// override them, and that a bad variable is named.
func TestEnvironment(t *testing.T) {
	t.Parallel()
	env := map[string]string{"TEAPOT_ADDR": "127.0.0.1:9999", "TEAPOT_BASE_PATH": "/x", "TEAPOT_ACCESS_LOG": "false"}
	cfg, err := loadConfig([]string{"--base-path", "/y"}, func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Addr != "127.0.0.1:9999" || cfg.BasePath != "/y" || cfg.AccessLog {
		t.Errorf("config = %+v", cfg)
	}
	_, err = loadConfig(nil, func(k string) string {
		if k == "TEAPOT_IDLE_TIMEOUT" {
			return "forever"
		}
		return ""
	})
	if err == nil || !strings.Contains(err.Error(), "TEAPOT_IDLE_TIMEOUT") {
		t.Errorf("error %v, want it to name TEAPOT_IDLE_TIMEOUT", err)
	}
}

// TestVersionText: the version, then the revision (marked when the tree
// had uncommitted changes), its time and the toolchain, as the build
// recorded them.
func TestVersionText(t *testing.T) {
	t.Parallel()
	bi := &debug.BuildInfo{GoVersion: "go1.26.8", Settings: []debug.BuildSetting{
		{Key: "vcs.revision", Value: "4c00a48fad5e"}, {Key: "vcs.time", Value: "2026-12-06T14:52:57Z"},
		{Key: "vcs.modified", Value: "true"}, {Key: "GOOS", Value: "linux"}, {Key: "GOARCH", Value: "arm64"},
	}}
	want := "teapot v1.2.3\nrevision 4c00a48fad5e (with uncommitted changes)\ncommitted 2026-12-06T14:52:57Z\nbuilt with go1.26.8 for linux/arm64\n"
	if got := versionText("v1.2.3", bi); got != want {
		t.Errorf("versionText:\n%s\nwant\n%s", got, want)
	}
	if got := versionText("dev", nil); got != "teapot dev\n" {
		t.Errorf("without build information: %q", got)
	}
}

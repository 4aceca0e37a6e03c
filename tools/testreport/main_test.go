package main

import (
	"bytes"
	"strings"
	"testing"
)

// A run with a passing, a skipped and a failing test prints the package
// lines, the failure's output, and the skip with its reason at the end.
func TestReport(t *testing.T) {
	t.Parallel()
	in := strings.Join([]string{
		`{"Action":"run","Package":"p","Test":"TestOK"}`,
		`{"Action":"output","Package":"p","Test":"TestOK","Output":"=== RUN   TestOK\n"}`,
		`{"Action":"output","Package":"p","Test":"TestOK","Output":"    ok_test.go:9: chatter\n"}`,
		`{"Action":"pass","Package":"p","Test":"TestOK"}`,
		`{"Action":"output","Package":"p","Test":"TestNginx","Output":"=== RUN   TestNginx\n"}`,
		`{"Action":"output","Package":"p","Test":"TestNginx","Output":"    nginx_test.go:40: nginx is not installed (apt-get install nginx-light)\n"}`,
		`{"Action":"output","Package":"p","Test":"TestNginx","Output":"--- SKIP: TestNginx (0.00s)\n"}`,
		`{"Action":"skip","Package":"p","Test":"TestNginx"}`,
		`{"Action":"output","Package":"p","Test":"TestPG/use","Output":"    pg_test.go:16: TEAPOT_DATABASE_URL is not set\n"}`,
		`{"Action":"skip","Package":"p","Test":"TestPG/use"}`,
		`{"Action":"skip","Package":"p","Test":"TestPG"}`,
		`{"Action":"output","Package":"p","Test":"TestBad","Output":"=== RUN   TestBad\n"}`,
		`{"Action":"output","Package":"p","Test":"TestBad","Output":"    bad_test.go:7: got 1, want 2\n"}`,
		`{"Action":"output","Package":"p","Test":"TestBad","Output":"--- FAIL: TestBad (0.00s)\n"}`,
		`{"Action":"fail","Package":"p","Test":"TestBad"}`,
		`{"Action":"output","Package":"p","Output":"FAIL\n"}`,
		`{"Action":"output","Package":"p","Output":"FAIL\tp\t0.01s\n"}`,
		`{"Action":"fail","Package":"p"}`,
		`{"Action":"output","Package":"q","Output":"PASS\n"}`,
		`{"Action":"output","Package":"q","Output":"ok  \tq\t0.01s\n"}`,
		`{"Action":"pass","Package":"q"}`,
		`go: downloading example.com/x v1.0.0`,
	}, "\n")
	var out bytes.Buffer
	failed, err := report(strings.NewReader(in), &out, false)
	if err != nil || !failed {
		t.Fatalf("failed %v, err %v; want a failure", failed, err)
	}
	got := out.String()
	for _, want := range []string{"bad_test.go:7: got 1, want 2\n--- FAIL: TestBad", "FAIL\tp\t0.01s\n", "ok  \tq\t0.01s\n", "go: downloading",
		"SKIPPED: 2 tests did not run\n  --- SKIP TestNginx p: nginx_test.go:40: nginx is not installed (apt-get install nginx-light)\n",
		"  --- SKIP TestPG/use p: pg_test.go:16: TEAPOT_DATABASE_URL is not set\n"} {
		if !strings.Contains(got, want) {
			t.Errorf("output lacks %q:\n%s", want, got)
		}
	}
	for _, unwanted := range []string{"chatter", "=== RUN", "PASS\n", "TestPG p"} {
		if strings.Contains(got, unwanted) {
			t.Errorf("output has %q:\n%s", unwanted, got)
		}
	}

	out.Reset()
	if _, err := report(strings.NewReader(in), &out, true); err != nil || !strings.Contains(out.String(), "chatter") || !strings.Contains(out.String(), "--- SKIP: TestNginx") {
		t.Errorf("with -v, not every line is printed:\n%s", out.String())
	}
}

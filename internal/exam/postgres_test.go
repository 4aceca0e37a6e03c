package exam_test

import (
	"testing"

	"github.com/teapothq/teapot/internal/app"
	"github.com/teapothq/teapot/internal/exam"
	"github.com/teapothq/teapot/internal/lab/store/pgtest"
)

// TestPostgresInstances: with PostgreSQL, two instances share runs: one
// starts a run, the client's requests reach either, and either reports
// the whole journal, numbered as one.
func TestPostgresInstances(t *testing.T) {
	t.Parallel()
	url := pgtest.URL(t)
	shared := func(c *app.Config) { c.LabMemory, c.DatabaseURL = false, url }
	a, b := serve(t, shared), serve(t, shared)
	run := start(t, a)
	path := infoOf(t, run, "retry-after-seconds").URL
	if got := send(t, "GET", b+path, ""); got.Status != 503 {
		t.Errorf("first request, on the second instance: %d, want 503", got.Status)
	}
	if got := send(t, "GET", a+path, ""); got.Status != 200 {
		t.Errorf("second request, on the first instance: %d, want 200: the script counts across instances", got.Status)
	}
	rep := report(t, b, run)
	c := reportOf(t, rep, "retry-after-seconds")
	if rep.Requests != 2 || len(c.Timeline) != 2 || c.Timeline[1].N != 2 || c.Verdict != exam.Fail {
		t.Errorf("report from the second instance: %d requests, %+v, %s", rep.Requests, c.Timeline, c.Verdict)
	}
}

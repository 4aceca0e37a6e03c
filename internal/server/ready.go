package server

import (
	"context"
	"encoding/json"
	"net/http"
	"time"

	"github.com/teapothq/teapot/internal/respond"
)

// Readiness is what a check reports to /readyz.
type Readiness int

const (
	Ready    Readiness = iota
	Degraded           // serving, with something missing (say, limits per instance)
	NotReady           // not to be sent requests
)

var readinessText = [...]string{Ready: "ready", Degraded: "degraded", NotReady: "not ready"}

// ReadyCheck reports whether a part the server needs answers, and why not.
type ReadyCheck func(ctx context.Context) (Readiness, string)

// readyCheckTimeout bounds each check of a /readyz request.
const readyCheckTimeout = 2 * time.Second

type readyCheck struct {
	name  string
	check ReadyCheck
}

// ReadyWhen adds a check to /readyz. Checks are added before serving.
func (s *Server) ReadyWhen(name string, check ReadyCheck) {
	s.readyChecks = append(s.readyChecks, readyCheck{name, check})
}

// serveReady is /readyz: 200 when every check is ready, 200 "degraded"
// when one is degraded, 503 when one is not ready or the server is
// draining. /healthz, beside it, says only that the process answers.
func (s *Server) serveReady(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	type result struct {
		Status string            `json:"status"`
		Checks map[string]string `json:"checks,omitempty"`
	}
	worst := Ready
	res := result{Checks: map[string]string{}}
	if s.draining.Load() {
		worst = NotReady
		res.Checks["server"] = "draining: shutting down"
	}
	for _, c := range s.readyChecks {
		ctx, cancel := context.WithTimeout(r.Context(), readyCheckTimeout)
		got, why := c.check(ctx)
		cancel()
		worst = max(worst, got)
		res.Checks[c.name] = readinessText[got]
		if why != "" {
			res.Checks[c.name] += ": " + why
		}
	}
	res.Status = readinessText[worst]
	status := http.StatusOK
	if worst == NotReady {
		status = http.StatusServiceUnavailable
	}
	b, _ := json.Marshal(res)
	respond.Bytes(w, status, respond.TypeJSON, append(b, '\n'))
}

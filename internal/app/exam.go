package app

import (
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"time"

	"github.com/teapothq/teapot/internal/clientip"
	"github.com/teapothq/teapot/internal/exam"
	"github.com/teapothq/teapot/internal/ratelimit"
)

// newExam makes the client exam on the lab's database, counting new runs
// by the client policy's key, in Redis too when shared is set.
func (c *Config) newExam(log *slog.Logger, policy *clientip.Policy, db database, shared *ratelimit.Redis) *exam.Exam {
	return exam.New(exam.Options{Store: db, TTL: c.ExamTTL, RunsPerHour: c.ExamRunsPerHour, MaxRuns: c.ExamMaxRuns,
		MaxRequests: c.ExamMaxRequests, MaxBody: c.ExamMaxBody, Tolerance: c.ExamTolerance, AltOrigin: c.ExamAltOrigin,
		PublicURL: c.PublicURL, ClientAddr: policy.Key, Shared: shared, Log: log})
}

// examSweep is how often expired exam runs are removed.
func (c *Config) examSweep() time.Duration { return min(c.ExamTTL/6, 10*time.Minute) }

func (c *Config) validateExam() error {
	switch {
	case c.ExamTTL < time.Minute || c.ExamTTL > 24*time.Hour:
		return fmt.Errorf("--exam-ttl %v must be from 1m to 24h", c.ExamTTL)
	case c.ExamRunsPerHour < 1 || c.ExamRunsPerHour > 100_000:
		return fmt.Errorf("--exam-runs-per-hour %d must be from 1 to 100000", c.ExamRunsPerHour)
	case c.ExamMaxRuns < 1 || c.ExamMaxRuns > 100_000:
		return fmt.Errorf("--exam-max-runs %d must be from 1 to 100000", c.ExamMaxRuns)
	case c.ExamMaxRequests < 1 || c.ExamMaxRequests > 10_000:
		return fmt.Errorf("--exam-max-requests %d must be from 1 to 10000", c.ExamMaxRequests)
	case c.ExamMaxBody < 1024 || c.ExamMaxBody > 1<<20:
		return fmt.Errorf("--exam-max-body %d must be from 1024 to 1048576", c.ExamMaxBody)
	case c.ExamTolerance <= 0 || c.ExamTolerance > time.Second:
		return fmt.Errorf("--exam-tolerance %v must be more than 0 and at most 1s", c.ExamTolerance)
	}
	if c.ExamAltOrigin == "" {
		return nil
	}
	u, err := url.Parse(c.ExamAltOrigin)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil ||
		u.Path != "" && u.Path != "/" || u.RawQuery != "" || u.Fragment != "" || !hostRE.MatchString(u.Host) {
		return fmt.Errorf("--exam-alt-origin %q must be an origin such as https://alt.teapot.example: another name of this server (no path: the base path is added)", c.ExamAltOrigin)
	}
	c.ExamAltOrigin = strings.TrimRight(c.ExamAltOrigin, "/")
	if strings.EqualFold(c.ExamAltOrigin, c.PublicURL) {
		return fmt.Errorf("--exam-alt-origin must differ from --public-url: the check redirects from one origin to another")
	}
	return nil
}

package app

import (
	"time"

	"github.com/teapothq/teapot/internal/exam"
	"github.com/teapothq/teapot/internal/server"
)

// Defaults is the configuration "teapot serve" starts from: safe for a
// public instance, with the lab's SQLite database in ./data.
func Defaults() Config {
	return Config{
		Config: server.Config{
			Addr:              ":8080",
			ReadHeaderTimeout: 5 * time.Second,
			ReadTimeout:       15 * time.Second,
			WriteTimeout:      30 * time.Second,
			IdleTimeout:       time.Minute,
			ShutdownTimeout:   10 * time.Second,
			MaxHeaderBytes:    16384,
			AccessLog:         true,
			MaxConns:          4096,
		},
		ClientIPv6Prefix:    64,
		MaxDelay:            10 * time.Second,
		StatusRate:          20,
		StatusBurst:         40,
		MaxDelayed:          200,
		MaxDelayedPerClient: 5,
		CheckPorts:          "80,443",
		CheckTimeout:        10 * time.Second,
		CheckMaxURLs:        100,
		CheckMaxBytes:       1 << 20,
		CheckWorkers:        32,
		CheckPerClient:      6,
		ReverseDNSTimeout:   time.Second,
		ReverseDNSRate:      30,
		GeoReload:           5 * time.Second,
		DataDir:             "data",
		LabTTL:              24 * time.Hour,
		LabMaxArticles:      50,
		LabMaxBody:          64 << 10,
		LabMaxSandboxes:     10_000,
		LabMaxBytes:         128 << 20,
		LabSandboxesPerHour: 30,
		ExamTTL:             exam.DefaultTTL,
		ExamRunsPerHour:     exam.DefaultRunsPerHour,
		ExamMaxRuns:         exam.DefaultMaxRuns,
		ExamMaxRequests:     exam.DefaultMaxRequests,
		ExamMaxBody:         exam.DefaultMaxBody,
		ExamTolerance:       exam.DefaultTolerance,
		LogFormat:           "text",
		LogLevel:            "info",
	}
}

package app

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/teapothq/teapot/internal/geo"
)

// geoPaths splits a --geo-city or --geo-asn value into its files.
func geoPaths(v string) []string {
	var out []string
	for _, p := range strings.Split(v, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

func (c *Config) validateGeo() error {
	if c.GeoReload < 0 || c.GeoReload > 24*time.Hour {
		return fmt.Errorf("--geo-reload %v must be from 0 (only on SIGHUP) to 24h", c.GeoReload)
	}
	for _, f := range []struct{ flag, v string }{{"geo-city", c.GeoCity}, {"geo-asn", c.GeoASN}} {
		if strings.TrimSpace(f.v) != "" && len(geoPaths(f.v)) == 0 {
			return fmt.Errorf("--%s %q names no file", f.flag, f.v)
		}
	}
	return nil
}

// OpenGeo opens the --geo-city and --geo-asn databases, or returns nil
// when neither is given. The error names the flag and the file: a
// missing or corrupt database stops teapot at start.
func (c *Config) OpenGeo(log *slog.Logger) (*geo.Set, error) {
	city, asn := geoPaths(c.GeoCity), geoPaths(c.GeoASN)
	if len(city) == 0 && len(asn) == 0 {
		return nil, nil
	}
	// Open each flag's files on their own first, so that the error
	// names the right flag.
	for _, f := range []struct {
		flag      string
		city, asn []string
	}{{"geo-city", city, nil}, {"geo-asn", nil, asn}} {
		s, err := geo.OpenSet(f.city, f.asn, nil)
		if err != nil {
			return nil, fmt.Errorf("--%s: %w", f.flag, err)
		}
		s.Close()
	}
	s, err := geo.OpenSet(city, asn, log)
	if err != nil {
		return nil, fmt.Errorf("--geo-city, --geo-asn: %w", err)
	}
	for _, src := range s.Sources() {
		log.Info("geo database", "source", src.Name)
	}
	return s, nil
}

// WatchGeo reloads the databases when their files change (every
// --geo-reload) and on SIGHUP, until ctx is done.
func WatchGeo(ctx context.Context, s *geo.Set, every time.Duration, log *slog.Logger) {
	if s == nil {
		return
	}
	go s.Watch(ctx, every)
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	go func() {
		defer signal.Stop(hup)
		for {
			select {
			case <-ctx.Done():
				return
			case <-hup:
				log.Info("SIGHUP: reloading the geo databases")
				s.Reload(true)
			}
		}
	}()
}

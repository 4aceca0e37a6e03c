package site

import (
	"context"
	"testing"

	"github.com/teapothq/teapot/content"
	"github.com/teapothq/teapot/internal/catalog"
	"github.com/teapothq/teapot/internal/web"
)

// BenchmarkNew measures building the site as teapot does at start-up,
// before it answers /healthz: every page but the codes' HTML, which the
// shell's Warm renders once the server answers.
func BenchmarkNew(b *testing.B) { benchmarkBuild(b, false) }

// BenchmarkWarm measures building the site and rendering every code's
// page, as a server has done once Warm is through.
func BenchmarkWarm(b *testing.B) { benchmarkBuild(b, true) }

func benchmarkBuild(b *testing.B, warm bool) {
	cat, err := catalog.Load(content.FS)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		shell, err := web.New(web.Options{Version: "bench"})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := New(cat, shell); err != nil {
			b.Fatal(err)
		}
		if warm {
			if err := shell.Warm(context.Background()); err != nil {
				b.Fatal(err)
			}
		}
	}
}

// BenchmarkLoad measures loading and validating the catalog.
func BenchmarkLoad(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := catalog.Load(content.FS); err != nil {
			b.Fatal(err)
		}
	}
}

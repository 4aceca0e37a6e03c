package site

import (
	"context"
	"testing"

	"github.com/teapothq/teapot/content"
	"github.com/teapothq/teapot/internal/catalog"
	"github.com/teapothq/teapot/internal/web"
)

// BenchmarkNew measures building the site as teapot does at start-up,
// before it answers /healthz: every page but the codes' HTML, which Warm
// renders (the shell's Warm: BenchmarkWarm) once the server answers.
func BenchmarkNew(b *testing.B) {
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
	}
}

// BenchmarkWarm measures rendering every code's page.
func BenchmarkWarm(b *testing.B) {
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
		if err := shell.Warm(context.Background()); err != nil {
			b.Fatal(err)
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

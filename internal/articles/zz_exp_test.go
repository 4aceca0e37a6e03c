package articles_test

import (
	"path/filepath"
	"testing"

	"github.com/teapothq/teapot/internal/articles"
)

func BenchmarkExp(b *testing.B) {
	for _, kind := range []string{"file", "memory"} {
		b.Run(kind, func(b *testing.B) {
			path := ":memory:"
			if kind == "file" {
				path = filepath.Join(b.TempDir(), "lab.db")
			}
			s := openSQLite(b, path)
			a := mk(b, s)
			b.ResetTimer()
			for range b.N {
				var err error
				a, err = s.Update(b.Context(), "bench", a.ID, a.Version, articles.Fields{Slug: a.Slug, Body: a.Body})
				if err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func mk(b *testing.B, s articles.Store) articles.Article {
	a, err := s.Create(b.Context(), "bench", articles.Fields{Slug: "x", Body: "body"}, 10)
	if err != nil {
		b.Fatal(err)
	}
	return a
}

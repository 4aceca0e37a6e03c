module github.com/teapothq/teapot

go 1.26

require (
	github.com/andybalholm/brotli v1.3.0 // indirect
	github.com/yuin/goldmark v1.8.7 // indirect
)

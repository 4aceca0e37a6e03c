// Command release cross-builds teapot and packs each binary, with the
// README, into an archive: tar.gz for Linux and macOS, zip for Windows,
// and writes SHA256SUMS beside them (sha256sum -c reads it).
//
// The same source gives the same bytes: binaries are built with
// CGO_ENABLED=0, -trimpath, -buildvcs=false and the version stamped by
// -ldflags; every archive entry has the commit's time
// (SOURCE_DATE_EPOCH), owner 0, a fixed mode and a fixed order, whatever
// the files on disk say; gzip gets no name and no time. What may still
// differ is the toolchain: build with the same Go version.
//
//	go run ./tools/release -out dist/release
//	go run ./tools/release -out /tmp/r -targets linux/amd64 -version v1.2.3 -epoch 1700000000
//
// The version defaults to git describe (with -dirty when tracked files
// changed), the time to SOURCE_DATE_EPOCH, else the last commit's.
package main

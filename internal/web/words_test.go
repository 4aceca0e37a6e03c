package web

import "testing"

func TestByteSize(t *testing.T) {
	t.Parallel()
	for n, want := range map[int]string{0: "0 bytes", 1500: "1500 bytes", 1024: "1 KiB", 65536: "64 KiB", 1 << 20: "1 MiB", 3 << 20: "3 MiB", 1<<20 + 1024: "1025 KiB"} {
		if got := ByteSize(n); got != want {
			t.Errorf("ByteSize(%d) = %q, want %q", n, got, want)
		}
	}
	if got := ByteSize(int64(128 << 20)); got != "128 MiB" {
		t.Errorf("ByteSize(int64) = %q", got)
	}
}

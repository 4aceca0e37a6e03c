//go:build unix

package geo

import (
	"io/fs"
	"syscall"
)

// inode tells a file renamed over the old one from the old one, whatever
// their sizes and times.
func inode(fi fs.FileInfo) uint64 {
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		return uint64(st.Ino)
	}
	return 0
}

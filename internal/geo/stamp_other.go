//go:build !unix

package geo

import "io/fs"

// inode is not known here: size and time tell versions apart.
func inode(fs.FileInfo) uint64 { return 0 }

// Command hello is the smallest program a release can be made of: the
// reproducibility test builds it instead of all of teapot.
package main

import "os"

var version = "unset"

func main() { os.Stdout.WriteString("hello " + version + "\n") }

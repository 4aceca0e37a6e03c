// Package labtest is what tests of the conflict lab share: the model of
// one article that porcupine checks a history of HTTP reads and
// conditional writes against, for linearizability. The lab's own tests
// use it with one process or two behind one database; e2e uses it with
// two teapot processes behind nginx. It imports porcupine, and nothing of
// teapot; no binary imports it.
package labtest

import (
	"fmt"

	"github.com/anishathalye/porcupine"
)

// Register is an article as the model sees it: its version and body.
type Register struct {
	Version int64  `json:"version"`
	Body    string `json:"body"`
}

// Op is one HTTP operation on the article: a read (GET), or a
// conditional write (PUT with If-Match) of Body expecting version Expect.
type Op struct {
	Write  bool
	Expect int64
	Body   string
}

// Result is what the server answered: OK, and the article after a write
// or as read (on a 412, the current article the problem carries).
type Result struct {
	OK    bool
	State Register
}

// Model starts at version 1 with an empty body. A read must see the
// current article; a write whose expected version matches must succeed
// and move it on; one that does not must fail and show the current one.
var Model = porcupine.Model{
	Init: func() any { return Register{Version: 1} },
	Step: func(st, in, out any) (bool, any) {
		s, op, res := st.(Register), in.(Op), out.(Result)
		if !op.Write {
			return res.State == s, s
		}
		if op.Expect == s.Version {
			next := Register{s.Version + 1, op.Body}
			return res.OK && res.State == next, next
		}
		return !res.OK && res.State == s, s
	},
	DescribeOperation: func(in, out any) string {
		op, res := in.(Op), out.(Result)
		if !op.Write {
			return fmt.Sprintf("read -> v%d", res.State.Version)
		}
		return fmt.Sprintf("write if v%d -> %v v%d", op.Expect, res.OK, res.State.Version)
	},
}

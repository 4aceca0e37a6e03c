package runner

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os/exec"
	"strings"

	"github.com/teapothq/teapot/internal/exam"
)

// Placeholders are what a command template may contain, in any argument:
// each is replaced by its value inside that one argument, never split
// into several, and no shell sees the result.
var Placeholders = []string{"{method}", "{body}", "{url}"}

// Command is a Send that runs a program: template is its name and
// arguments, with the placeholders replaced for each check. Its output is
// kept only to explain a failure (the last line, cut short).
func Command(template []string) Send { return CommandEnv(template, nil) }

// CommandEnv is Command with the program's environment: env, or, when it
// is nil, this process's own.
func CommandEnv(template, env []string) Send {
	return func(ctx context.Context, c exam.CheckInfo, url string) error {
		r := strings.NewReplacer("{method}", c.Method, "{body}", c.Body, "{url}", url)
		args := make([]string, len(template))
		for i, a := range template {
			args[i] = r.Replace(a)
		}
		cmd := exec.CommandContext(ctx, args[0], args[1:]...)
		cmd.Env = env
		var out tail
		cmd.Stdout, cmd.Stderr = &out, &out
		err := cmd.Run()
		if ctx.Err() != nil {
			return fmt.Errorf("%s: stopped after the time allowed (--timeout)", args[0])
		}
		var exit *exec.ExitError
		if errors.As(err, &exit) {
			msg := fmt.Sprintf("%s exited with %d", args[0], exit.ExitCode())
			if last := out.last(); last != "" {
				msg += ": " + last
			}
			return errors.New(msg)
		}
		return err
	}
}

// tail keeps the last bytes a command wrote.
type tail struct{ b []byte }

const tailBytes = 4096

func (t *tail) Write(p []byte) (int, error) {
	t.b = append(t.b, p...)
	if len(t.b) > tailBytes {
		t.b = t.b[len(t.b)-tailBytes:]
	}
	return len(p), nil
}

// last is the last non-empty line written, at most 200 bytes.
func (t *tail) last() string {
	lines := bytes.Split(bytes.TrimSpace(t.b), []byte("\n"))
	s := string(lines[len(lines)-1])
	if len(s) > 200 {
		s = s[:200] + "…"
	}
	return strings.ToValidUTF8(s, "")
}

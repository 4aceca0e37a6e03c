package store_test

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"

	"github.com/teapothq/teapot/internal/lab/store"
)

// killChildEnv, when set, makes TestSQLiteSurvivesKill the child that
// writes to the database it names until it is killed.
const killChildEnv = "TEAPOT_ARTICLES_KILL_CHILD"

// TestSQLiteSurvivesKill checks that every update SQLite acknowledged is in
// the file after its process dies by SIGKILL, with no chance to close it:
// the guarantee synchronous=NORMAL in WAL mode gives.
func TestSQLiteSurvivesKill(t *testing.T) {
	if path := os.Getenv(killChildEnv); path != "" {
		killChild(path)
		return
	}
	if testing.Short() {
		t.Skip("starts a process")
	}
	path := filepath.Join(t.TempDir(), "lab.db")
	cmd := exec.Command(os.Args[0], "-test.run=^TestSQLiteSurvivesKill$")
	cmd.Env = append(os.Environ(), killChildEnv+"="+path)
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// The child prints "<id> <version>" after each acknowledged update.
	var id, acked int64
	lines := bufio.NewScanner(out)
	for acked < 300 && lines.Scan() {
		if _, err := fmt.Sscan(lines.Text(), &id, &acked); err != nil {
			t.Fatalf("child said %q: %v", lines.Text(), err)
		}
	}
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	cmd.Wait()
	if acked < 300 {
		t.Fatalf("child stopped after version %d: %v", acked, lines.Err())
	}
	s := openSQLite(t, path)
	a := mustGet(t, s, "sb", id)
	if a.Version < acked || a.Body != strconv.FormatInt(a.Version, 10) {
		t.Errorf("after SIGKILL, article at version %d with body %q; want at least the acknowledged version %d, body its version",
			a.Version, a.Body, acked)
	}
}

// killChild updates one article as fast as it can, reporting each
// acknowledged version, until it is killed.
func killChild(path string) {
	ctx := context.Background()
	s, err := store.OpenSQLite(path)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	a, err := s.Create(ctx, "sb", store.Fields{Slug: "s", Body: "1"}, articles(1))
	for err == nil {
		fmt.Printf("%d %d\n", a.ID, a.Version)
		a, err = s.Update(ctx, "sb", a.ID, a.Version, store.Fields{Slug: "s", Body: strconv.FormatInt(a.Version+1, 10)}, 0)
	}
	fmt.Fprintln(os.Stderr, err)
	os.Exit(1)
}

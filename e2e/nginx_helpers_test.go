package e2e

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// startNginx runs Debian's nginx in the foreground with servers (server
// blocks, listening on loopback) in its http block, in a folder of its
// own for its pid, logs and temporary files; it is killed when the test
// ends. Callers wait for their port with waitUp.
func startNginx(t *testing.T, servers string) {
	t.Helper()
	nginx := lookNginx(t)
	dir := t.TempDir()
	conf := fmt.Sprintf(`daemon off;
master_process off;
error_log %[1]s/error.log warn;
pid %[1]s/nginx.pid;
events { worker_connections 256; }
http {
	access_log off;
	types { text/html html; text/css css; text/javascript js; application/json json; text/plain txt; image/svg+xml svg; application/xml xml; }
	client_body_temp_path %[1]s/body;
	proxy_temp_path %[1]s/proxy;
	fastcgi_temp_path %[1]s/fastcgi;
	uwsgi_temp_path %[1]s/uwsgi;
	scgi_temp_path %[1]s/scgi;
%[2]s
}
`, dir, servers)
	if err := os.WriteFile(filepath.Join(dir, "nginx.conf"), []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	start(t, exec.Command(nginx, "-p", dir, "-c", filepath.Join(dir, "nginx.conf")))
}

#!/usr/bin/env bash
# Load benchmark of teapot: GET /409 as a browser asks for it, on teapot,
# on a bare net/http server sending the same bytes (bench/bare), and on
# nginx serving the output of "teapot export", one after the other, plus
# startup time, memory and compressed sizes (part "page"); then GET
# /status/200 and /status/418 on teapot and on go-httpbin (part "status");
# then GET /ip/81.2.69.160.json with test geo databases on teapot and bare,
# and startup and memory with the real ones of make geodata (part "ip").
# See bench/README.md.
#
#   ./bench/run.sh                        # or: make bench
#   BENCH_DURATION=5s ./bench/run.sh      # shorter loads
#   BENCH_PARTS=status ./bench/run.sh     # one part only: page, status or ip
set -euo pipefail

DURATION=${BENCH_DURATION:-10s}          # each measured load
WARMUP=${BENCH_WARMUP:-2s}               # each warm-up load, not measured
THREADS=${BENCH_THREADS:-2}              # wrk -t
CONNECTIONS=${BENCH_CONNECTIONS:-64}     # wrk -c
ROUNDS=${BENCH_ROUNDS:-3}                # loads of each server, alternating; the best counts
STARTS=${BENCH_STARTS:-5}                # startup measurements
STRICT=${BENCH_STRICT:-0}                # 1: exit 3 when a target is missed
PARTS=${BENCH_PARTS:-page,status,ip}     # the parts to run: page, status, ip, or several

# Targets.
TARGET_RATIO=0.9          # teapot >= 0.9 x bare, in requests/s
TARGET_STARTUP_MS=150     # median from process start to the first 200 on /healthz
TARGET_RSS_KB=40960       # VmRSS right after start: 40 MiB
TARGET_BR_BYTES=20000     # brotli /409: 20 KB
TARGET_STATUS_RATIO=1.3   # teapot >= 1.3 x go-httpbin on /status/200 and /status/418, in requests/s

# What a browser sends (Accept-Encoding limited to gzip: nginx-light has no
# brotli_static, and gzip is what the three servers are compared on).
UA='Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36'
ACCEPT='text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8'
PAGE=/409

# Part "status": what both servers are asked, and go-httpbin's version.
STATUS_ACCEPT='application/json'
STATUS_CODES="200 418"
HTTPBIN_MOD=github.com/mccutchen/go-httpbin/v2
HTTPBIN_VERSION=${BENCH_HTTPBIN_VERSION:-v2.26.0}   # the newest v2 on the proxy if refused
# teapot's /status rate limiter stays on, at a limit no load here can reach.
STATUS_RATE=100000000
STATUS_BURST=100000000

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

die() { echo "bench: $*" >&2; exit 1; }

# want PART: whether BENCH_PARTS names it.
want() { case ",$PARTS," in *",$1,"*) return 0 ;; esac; return 1; }
for p in ${PARTS//,/ }; do
	case $p in page | status | ip) ;; *) die "BENCH_PARTS: unknown part '$p' (page, status, ip, or several: page,status,ip)" ;; esac
done
want page || want status || want ip || die "BENCH_PARTS names no part (page, status, ip, or several: page,status,ip)"

# --- tools -----------------------------------------------------------------

find_nginx() { command -v nginx || { [ -x /usr/sbin/nginx ] && echo /usr/sbin/nginx; } || true; }

if { want page && [ -z "$(find_nginx)" ]; } || ! command -v wrk >/dev/null; then
	SUDO=""
	if [ "$(id -u)" != 0 ]; then
		command -v sudo >/dev/null || die "nginx or wrk is missing and this is not root: apt-get install nginx-light wrk"
		SUDO=sudo
	fi
	if want page; then
		echo "bench: installing nginx and wrk from Debian packages" >&2
		$SUDO apt-get update -qq
		$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx-light wrk ||
			$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx wrk
	else
		echo "bench: installing wrk from Debian packages" >&2
		$SUDO apt-get update -qq
		$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk
	fi
fi
NGINX=""
if want page; then
	NGINX=$(find_nginx)
	[ -n "$NGINX" ] || die "nginx not found after install"
fi
for t in wrk curl go gzip cmp awk; do
	command -v "$t" >/dev/null || die "$t is required"
done

# --- temp dir and cleanup --------------------------------------------------

TMP=$(mktemp -d "${TMPDIR:-/tmp}/teapot-bench.XXXXXX")
PIDS=()

cleanup() {
	local pid
	for pid in "${PIDS[@]}"; do
		kill -TERM "$pid" 2>/dev/null || true
	done
	for pid in "${PIDS[@]}"; do
		for _ in $(seq 50); do
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.1
		done
		kill -KILL "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
	done
	rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# free_port: a loopback port nothing listens on, below the ephemeral range
# (so wrk's own connections cannot take it).
USED_PORTS=" "
free_port() {
	local p
	for _ in $(seq 200); do
		p=$((20000 + RANDOM % 12000))
		case $USED_PORTS in *" $p "*) continue ;; esac
		if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
			USED_PORTS="$USED_PORTS$p "
			echo "$p"
			return
		fi
	done
	die "no free port found"
}

# wait_ok URL PID NAME: polls URL until it answers 200, or fails.
wait_ok() {
	local url=$1 pid=$2 name=$3
	for _ in $(seq 500); do
		if [ "$(curl -s -o /dev/null -w '%{http_code}' "$url" || true)" = 200 ]; then
			return
		fi
		kill -0 "$pid" 2>/dev/null || die "$name exited before answering $url (logs in the temp dir are gone; rerun by hand)"
		sleep 0.02
	done
	die "$name did not answer 200 on $url within 10 s"
}

rss_kb() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status"; }

# --- build -----------------------------------------------------------------

cd "$ROOT"
go build -trimpath -o "$TMP/teapot" ./cmd/teapot
if want page; then
	go build -trimpath -o "$TMP/bare" ./bench/bare
	go build -trimpath -o "$TMP/startup" ./bench/startup
	"$TMP/teapot" export "$TMP/site" >/dev/null
	[ -f "$TMP/site$PAGE.html.gz" ] || die "teapot export wrote no $PAGE.html.gz"
fi

if want ip; then
	go build -trimpath -o "$TMP/bare" ./bench/bare
	go build -trimpath -o "$TMP/startup" ./bench/startup
	go build -trimpath -o "$TMP/geofixture" ./bench/geofixture
fi

NCPU=$(getconf _NPROCESSORS_ONLN 2>/dev/null || nproc)

# --- shared by the parts --------------------------------------------------

# Results, by server (part "page") or by "server code" (part "status").
declare -A URL RPS LAT P99 ERRS ALL

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }

FAILED=0
verdict() { # verdict OK DESCRIPTION
	if [ "$1" = 1 ]; then
		echo "  PASS  $2"
	else
		echo "  FAIL  $2"
		FAILED=1
	fi
}
ge() { awk -v a="$1" -v b="$2" 'BEGIN { print (a >= b) ? 1 : 0 }'; }
lt() { awk -v a="$1" -v b="$2" 'BEGIN { print (a < b) ? 1 : 0 }'; }

# stop PID: stops a server this script started, and waits for it.
stop() {
	kill -TERM "$1" 2>/dev/null || true
	for _ in $(seq 50); do
		kill -0 "$1" 2>/dev/null || break
		sleep 0.1
	done
	kill -KILL "$1" 2>/dev/null || true
	wait "$1" 2>/dev/null || true
}

# === part "page": GET /409 on teapot, bare and nginx =========================

# load NAME ROUND: a warm-up in the first round, then the measured run;
# keeps the round with the most requests/s in RPS, LAT, P99 and ERRS, and
# every round's requests/s in ALL.
load() {
	local name=$1 round=$2 url=${URL[$1]} out="$TMP/$1.$2.wrk" rps
	local args=(-t"$THREADS" -c"$CONNECTIONS" -H 'Accept-Encoding: gzip' -H "Accept: $ACCEPT" -H "User-Agent: $UA")
	if [ "$round" = 1 ]; then
		wrk "${args[@]}" -d"$WARMUP" "$url" >/dev/null
	fi
	wrk "${args[@]}" -d"$DURATION" --latency "$url" >"$out"
	if grep -q 'Non-2xx or 3xx responses' "$out"; then
		cat "$out" >&2
		die "$name answered errors under load"
	fi
	rps=$(awk '/^Requests\/sec:/ { print $2 }' "$out")
	[ -n "$rps" ] || { cat "$out" >&2; die "no Requests/sec in wrk's output for $name"; }
	ALL[$name]="${ALL[$name]:-}${ALL[$name]:+ }$rps"
	if [ -z "${RPS[$name]:-}" ] || [ "$(awk -v a="$rps" -v b="${RPS[$name]}" 'BEGIN { print (a > b) }')" = 1 ]; then
		RPS[$name]=$rps
		LAT[$name]=$(awk '$1 == "Latency" { print $2; exit }' "$out")
		P99[$name]=$(awk '$1 == "99%" { print $2 }' "$out")
		ERRS[$name]=$(grep -o 'Socket errors:.*' "$out" || echo "no socket errors")
	fi
}

part_page() {
	echo "teapot load benchmark: GET $PAGE as a browser asks (Accept-Encoding: gzip, browser Accept and User-Agent)"
	echo "machine: $NCPU cores, $(go env GOVERSION), $("$NGINX" -v 2>&1 | sed 's/^nginx version: //'), $(wrk -v 2>&1 | head -1 | awk '{print "wrk " $2}'), $("$TMP/teapot" version)"
	echo "load:    wrk -t$THREADS -c$CONNECTIONS -d$DURATION on 127.0.0.1, one server at a time, $ROUNDS rounds (a $WARMUP warm-up before each server's first)"
	echo

	# --- startup and memory ----------------------------------------------------

	echo "== startup ($STARTS starts of teapot serve, time from exec to the first 200 on /healthz)"
	"$TMP/startup" -n "$STARTS" "$TMP/teapot" >"$TMP/startup.out" || { cat "$TMP/startup.out"; die "startup measurement failed"; }
	sed 's/^/  /' "$TMP/startup.out" | grep '^  run'
	STARTUP_MS=$(awk -F= '/^startup_median_ms=/ { print $2 }' "$TMP/startup.out")
	echo "  median: $STARTUP_MS ms"
	echo

	# --- the three servers -----------------------------------------------------

	TEAPOT_PORT=$(free_port)
	BARE_PORT=$(free_port)
	NGINX_PORT=$(free_port)

	# 1. teapot, with its access log on and written to a file.
	"$TMP/teapot" serve --addr "127.0.0.1:$TEAPOT_PORT" --access-log=true 2>"$TMP/teapot.log" >/dev/null &
	TEAPOT_PID=$!
	PIDS+=("$TEAPOT_PID")
	wait_ok "http://127.0.0.1:$TEAPOT_PORT/healthz" "$TEAPOT_PID" teapot
	RSS_START=$(rss_kb "$TEAPOT_PID")

	# The exact response teapot sends a browser, headers included, for bare.
	curl -sS -o "$TMP/teapot.body" -D "$TMP/teapot.headers" \
		-H 'Accept-Encoding: gzip' -H "Accept: $ACCEPT" -A "$UA" "http://127.0.0.1:$TEAPOT_PORT$PAGE"

	# 2. bare net/http: the same body and headers, nothing else.
	"$TMP/bare" -addr "127.0.0.1:$BARE_PORT" -body "$TMP/teapot.body" -headers "$TMP/teapot.headers" \
		2>"$TMP/bare.log" >/dev/null &
	BARE_PID=$!
	PIDS+=("$BARE_PID")
	wait_ok "http://127.0.0.1:$BARE_PORT$PAGE" "$BARE_PID" bare

	# 3. nginx on the exported site, precompressed files, no access log.
	mkdir -p "$TMP/nginx/tmp"
	NGINX_USER=""
	[ "$(id -u)" = 0 ] && NGINX_USER="user root root;" # workers must read the 0700 temp dir
	cat >"$TMP/nginx/nginx.conf" <<-EOF
	$NGINX_USER
	daemon off;
	master_process on;
	worker_processes $NCPU;
	pid $TMP/nginx/nginx.pid;
	error_log $TMP/nginx/error.log warn;
	events {
		worker_connections 4096;
	}
	http {
		types {
			text/html html;
			text/css css;
			text/javascript js;
			application/json json;
			text/plain txt;
			image/svg+xml svg;
			application/xml xml;
		}
		default_type application/octet-stream;
		charset utf-8;
		charset_types text/html text/css text/javascript application/json text/plain image/svg+xml application/xml;
		access_log off;
		sendfile on;
		tcp_nopush on;
		keepalive_requests 1000000;
		keepalive_timeout 60s;
		open_file_cache max=1000 inactive=60s;
		client_body_temp_path $TMP/nginx/tmp/body;
		proxy_temp_path $TMP/nginx/tmp/proxy;
		fastcgi_temp_path $TMP/nginx/tmp/fastcgi;
		uwsgi_temp_path $TMP/nginx/tmp/uwsgi;
		scgi_temp_path $TMP/nginx/tmp/scgi;
		server {
			listen 127.0.0.1:$NGINX_PORT;
			root $TMP/site;
			gzip_static on;
			location / {
				try_files \$uri \$uri.html =404;
			}
		}
	}
	EOF
	"$NGINX" -p "$TMP/nginx" -e "$TMP/nginx/error.log" -c "$TMP/nginx/nginx.conf" >/dev/null 2>&1 &
	NGINX_PID=$!
	PIDS+=("$NGINX_PID")
	wait_ok "http://127.0.0.1:$NGINX_PORT$PAGE" "$NGINX_PID" nginx

	# --- checks: 200, gzip, the same page from all three -------------------------

	echo "== checks: GET $PAGE with Accept-Encoding: gzip"
	gunzip_to() { gzip -dc <"$1" >"$2" || die "$3: the body is not valid gzip"; }
	URL=(
		[teapot]="http://127.0.0.1:$TEAPOT_PORT$PAGE"
		[bare]="http://127.0.0.1:$BARE_PORT$PAGE"
		[nginx]="http://127.0.0.1:$NGINX_PORT$PAGE"
	)
	for s in teapot bare nginx; do
		code=$(curl -sS -o "$TMP/$s.check.gz" -D "$TMP/$s.check.headers" -w '%{http_code}' \
			-H 'Accept-Encoding: gzip' -H "Accept: $ACCEPT" -A "$UA" "${URL[$s]}")
		[ "$code" = 200 ] || die "$s answered $code for $PAGE, not 200"
		enc=$(tr -d '\r' <"$TMP/$s.check.headers" | awk -F': *' 'tolower($1) == "content-encoding" { print tolower($2) }')
		[ "$enc" = gzip ] || die "$s sent Content-Encoding '${enc:-none}' for $PAGE, not gzip"
		ctype=$(tr -d '\r' <"$TMP/$s.check.headers" | awk -F': *' 'tolower($1) == "content-type" { print $2 }')
		gunzip_to "$TMP/$s.check.gz" "$TMP/$s.check.html" "$s"
		cmp -s "$TMP/$s.check.html" "$TMP/teapot.check.html" ||
			die "$s sent a different page than teapot for $PAGE (decompressed bodies differ)"
		printf '  %-7s 200, Content-Encoding: gzip, %s, %d bytes gzip -> %d bytes, identical to teapot'\''s\n' \
			"$s" "$ctype" "$(wc -c <"$TMP/$s.check.gz")" "$(wc -c <"$TMP/$s.check.html")"
	done
	cmp -s "$TMP/teapot.check.html" "$TMP/site$PAGE.html" || die "teapot's $PAGE differs from the exported $PAGE.html"
	GZIP_BYTES=$(wc -c <"$TMP/teapot.check.gz")
	BR_CODE=$(curl -sS -o "$TMP/teapot.br" -D "$TMP/teapot.br.headers" -w '%{http_code}' \
		-H 'Accept-Encoding: br' -H "Accept: $ACCEPT" -A "$UA" "${URL[teapot]}")
	[ "$BR_CODE" = 200 ] || die "teapot answered $BR_CODE for $PAGE with Accept-Encoding: br"
	tr -d '\r' <"$TMP/teapot.br.headers" | grep -qi '^content-encoding: br$' || die "teapot did not send br for Accept-Encoding: br"
	BR_BYTES=$(wc -c <"$TMP/teapot.br")
	HTML_BYTES=$(wc -c <"$TMP/teapot.check.html")
	echo

	# --- load ------------------------------------------------------------------

	# Rounds alternate the servers, so that a burst of noise from elsewhere on
	# the machine hits one round of each rather than all of one server's.
	for round in $(seq "$ROUNDS"); do
		for s in teapot bare nginx; do
			load "$s" "$round"
		done
	done
	RSS_AFTER=$(rss_kb "$TEAPOT_PID")
	LOG_LINES=$(grep -c 'msg=request' "$TMP/teapot.log" || true)
	LOG_BYTES=$(wc -c <"$TMP/teapot.log")

	R_TB=$(ratio "${RPS[teapot]}" "${RPS[bare]}")
	R_BN=$(ratio "${RPS[bare]}" "${RPS[nginx]}")
	R_TN=$(ratio "${RPS[teapot]}" "${RPS[nginx]}")

	echo "== load: wrk -t$THREADS -c$CONNECTIONS -d$DURATION, GET $PAGE, gzip, $ROUNDS rounds; the best round counts"
	printf '  %-7s %12s %10s %10s   %s\n' server "requests/s" "avg lat" "p99 lat" "every round's requests/s"
	for s in teapot bare nginx; do
		printf '  %-7s %12s %10s %10s   %s   %s\n' "$s" "${RPS[$s]}" "${LAT[$s]}" "${P99[$s]}" "${ALL[$s]}" "${ERRS[$s]}"
	done
	echo "  teapot ran with --access-log=true, its log written to a file: the cost of the access log is included"
	echo "  ($LOG_LINES request lines, $((LOG_BYTES / 1024)) KiB written during checks, warm-up and load)."
	echo "  bare is net/http sending teapot's exact response bytes with no routing, negotiation, log or metrics;"
	echo "  nginx serves the exported $PAGE.html.gz with gzip_static, $NCPU workers, access_log off."
	echo
	echo "== ratios (same run; the absolute numbers depend on the machine's load)"
	echo "  teapot/bare  $R_TB   (share of net/http's ceiling that teapot reaches)"
	echo "  bare/nginx   $R_BN   (net/http's ceiling against nginx)"
	echo "  teapot/nginx $R_TN"
	echo

	# --- targets ---------------------------------------------------------------

	echo "== targets"
	verdict "$(ge "$R_TB" "$TARGET_RATIO")" "throughput: teapot/bare = $R_TB (target >= $TARGET_RATIO)"
	verdict "$(lt "$STARTUP_MS" "$TARGET_STARTUP_MS")" "startup: median $STARTUP_MS ms to the first 200 on /healthz (target < $TARGET_STARTUP_MS ms)"
	verdict "$(lt "$RSS_START" "$TARGET_RSS_KB")" "memory: VmRSS $RSS_START kB right after start (target < $TARGET_RSS_KB kB = 40 MiB); $RSS_AFTER kB after the load"
	verdict "$(lt "$BR_BYTES" "$TARGET_BR_BYTES")" "size: $PAGE is $BR_BYTES bytes with brotli (target < $TARGET_BR_BYTES), $GZIP_BYTES with gzip, $HTML_BYTES uncompressed"

	# Part "status" then runs with teapot and go-httpbin alone.
	stop "$TEAPOT_PID"
	stop "$BARE_PID"
	stop "$NGINX_PID"
}

# === part "status": /status/200 and /status/418 on teapot and go-httpbin =====

# install_httpbin: go-httpbin from the Go module proxy into $TMP/bin, at
# HTTPBIN_VERSION, or at the newest v2 the proxy offers if that version is
# refused (HTTPBIN_NOTE then says so).
HTTPBIN_NOTE=""
install_httpbin() {
	local latest
	if GOBIN="$TMP/bin" go install "$HTTPBIN_MOD/cmd/go-httpbin@$HTTPBIN_VERSION" 2>"$TMP/httpbin.install"; then
		return
	fi
	sed 's/^/  /' "$TMP/httpbin.install" >&2
	latest=$(go list -m -f '{{.Version}}' "$HTTPBIN_MOD@latest") || die "cannot ask the Go module proxy for go-httpbin's versions"
	echo "bench: go-httpbin $HTTPBIN_VERSION was refused; installing $latest, the newest v2 on the proxy" >&2
	GOBIN="$TMP/bin" go install "$HTTPBIN_MOD/cmd/go-httpbin@$latest" || die "cannot install go-httpbin $latest"
	HTTPBIN_NOTE=" ($HTTPBIN_VERSION was refused by the proxy: the newest v2 it offers was used)"
	HTTPBIN_VERSION=$latest
}

# load_status NAME CODE ROUND: like load, on /status/CODE with Accept:
# application/json; a 200 must get only 2xx answers and a 418 only non-2xx
# ones (which of them is checked after the loads, from each server's own
# count by status). Results are keyed "NAME CODE".
load_status() {
	local name=$1 code=$2 round=$3 url="${URL[$1]}/status/$2" out="$TMP/status.$1.$2.$3.wrk" rps total non key="$1 $2"
	local args=(-t"$THREADS" -c"$CONNECTIONS" -H "Accept: $STATUS_ACCEPT")
	if [ "$round" = 1 ]; then
		wrk "${args[@]}" -d"$WARMUP" "$url" >/dev/null
	fi
	wrk "${args[@]}" -d"$DURATION" --latency "$url" >"$out"
	total=$(awk '$2 == "requests" && $3 == "in" { print $1 }' "$out")
	non=$(awk '/Non-2xx or 3xx responses:/ { print $NF }' "$out")
	non=${non:-0}
	[ -n "$total" ] || { cat "$out" >&2; die "no request count in wrk's output for $name"; }
	if [ "$code" -lt 400 ] && [ "$non" != 0 ]; then
		cat "$out" >&2
		die "$name answered errors under load on /status/$code"
	fi
	if [ "$code" -ge 400 ] && [ "$non" != "$total" ]; then
		cat "$out" >&2
		die "$name answered $((total - non)) of $total requests to /status/$code with a 2xx or 3xx"
	fi
	rps=$(awk '/^Requests\/sec:/ { print $2 }' "$out")
	[ -n "$rps" ] || { cat "$out" >&2; die "no Requests/sec in wrk's output for $name"; }
	ALL[$key]="${ALL[$key]:-}${ALL[$key]:+ }$rps"
	if [ -z "${RPS[$key]:-}" ] || [ "$(awk -v a="$rps" -v b="${RPS[$key]}" 'BEGIN { print (a > b) }')" = 1 ]; then
		RPS[$key]=$rps
		LAT[$key]=$(awk '$1 == "Latency" { print $2; exit }' "$out")
		P99[$key]=$(awk '$1 == "99%" { print $2 }' "$out")
		ERRS[$key]=$(grep -o 'Socket errors:.*' "$out" || echo "no socket errors")
	fi
}

# served_codes counts, from stdin, "CODE COUNT" lines into "CODE x COUNT,
# ..."; it fails if a code outside STATUS_CODES is among them.
served_codes() {
	awk -v want=" $STATUS_CODES " '
		{ n[$1] += $2 }
		END {
			for (c in n) {
				s = s sep c " x " n[c]; sep = ", "
				if (index(want, " " c " ") == 0) bad = 1
			}
			print s
			exit bad
		}'
}

part_status() {
	local s code out hcode hbytes bbytes ctype key r
	install_httpbin

	if want page; then
		echo
	fi
	echo "teapot /status benchmark: GET /status/200, then /status/418, with Accept: $STATUS_ACCEPT, on teapot and go-httpbin"
	if ! want page; then
		echo "machine: $NCPU cores, $(go env GOVERSION), $(wrk -v 2>&1 | head -1 | awk '{print "wrk " $2}'), $("$TMP/teapot" version)"
	fi
	echo "go-httpbin: $HTTPBIN_VERSION, go install $HTTPBIN_MOD/cmd/go-httpbin@$HTTPBIN_VERSION$HTTPBIN_NOTE"
	echo "load:    wrk -t$THREADS -c$CONNECTIONS -d$DURATION on 127.0.0.1, one server at a time, $ROUNDS rounds per path (a $WARMUP warm-up before each server's first)"
	echo "machine load average before: $(cut -d' ' -f1-3 /proc/loadavg) (other work on the machine skews both servers; compare the ratios)"
	echo

	# teapot: access log on, to a file; the /status rate limiter on, every
	# request through it, at a limit no load here reaches.
	local teapot_port httpbin_port teapot_pid httpbin_pid
	teapot_port=$(free_port)
	"$TMP/teapot" serve --addr "127.0.0.1:$teapot_port" --access-log=true \
		--status-rate "$STATUS_RATE" --status-burst "$STATUS_BURST" 2>"$TMP/status-teapot.log" >/dev/null &
	teapot_pid=$!
	PIDS+=("$teapot_pid")
	wait_ok "http://127.0.0.1:$teapot_port/healthz" "$teapot_pid" teapot

	# go-httpbin: its defaults (log level INFO, text), its log to a file;
	# the environment it reads is cleared, so that a PORT or LOG_LEVEL set
	# for something else changes nothing.
	httpbin_port=$(free_port)
	env -u PORT -u HOST -u LOG_LEVEL -u LOG_FORMAT -u PREFIX -u MAX_BODY_SIZE -u MAX_DURATION \
		-u EXCLUDE_HEADERS -u SRV_MAX_HEADER_BYTES -u SRV_READ_HEADER_TIMEOUT -u SRV_READ_TIMEOUT \
		-u HTTPS_CERT_FILE -u HTTPS_KEY_FILE \
		"$TMP/bin/go-httpbin" -host 127.0.0.1 -port "$httpbin_port" >"$TMP/status-httpbin.log" 2>&1 &
	httpbin_pid=$!
	PIDS+=("$httpbin_pid")
	wait_ok "http://127.0.0.1:$httpbin_port/status/200" "$httpbin_pid" go-httpbin

	URL=(
		[teapot]="http://127.0.0.1:$teapot_port"
		[go-httpbin]="http://127.0.0.1:$httpbin_port"
	)

	# --- checks: each path answers its own code --------------------------------

	echo "== checks: GET /status/200 and /status/418 with Accept: $STATUS_ACCEPT"
	for s in teapot go-httpbin; do
		for code in $STATUS_CODES; do
			out=$(curl -sS -o /dev/null -w '%{http_code} %{size_header} %{size_download} %{content_type}' \
				-H "Accept: $STATUS_ACCEPT" "${URL[$s]}/status/$code")
			read -r hcode hbytes bbytes ctype <<<"$out"
			[ "$hcode" = "$code" ] || die "$s answered $hcode for /status/$code, not $code"
			printf '  %-10s /status/%s: %s, %s, %d bytes of header + %d of body\n' \
				"$s" "$code" "$hcode" "${ctype:-no Content-Type}" "$hbytes" "$bbytes"
		done
	done
	echo

	# --- load, one path after the other ---------------------------------------

	for code in $STATUS_CODES; do
		for round in $(seq "$ROUNDS"); do
			for s in teapot go-httpbin; do
				load_status "$s" "$code" "$round"
			done
		done
		echo "== load: wrk -t$THREADS -c$CONNECTIONS -d$DURATION, GET /status/$code, Accept: $STATUS_ACCEPT, $ROUNDS rounds; the best round counts"
		printf '  %-10s %12s %10s %10s   %s\n' server "requests/s" "avg lat" "p99 lat" "every round's requests/s"
		for s in teapot go-httpbin; do
			key="$s $code"
			printf '  %-10s %12s %10s %10s   %s   %s\n' "$s" "${RPS[$key]}" "${LAT[$key]}" "${P99[$key]}" "${ALL[$key]}" "${ERRS[$key]}"
		done
		echo "  teapot/go-httpbin $(ratio "${RPS[teapot $code]}" "${RPS[go-httpbin $code]}")"
		echo
	done

	# What each server says it served: nothing but the codes asked for
	# (no 429 from teapot's limiter, no 5xx).
	local teapot_codes httpbin_codes
	teapot_codes=$(curl -sS "${URL[teapot]}/metrics" |
		sed -n 's|^teapot_http_requests_total{route="/status/{codes}",code="\([0-9]*\)"} \([0-9]*\)$|\1 \2|p' |
		served_codes) ||
		die "teapot served other codes than $STATUS_CODES on /status: $teapot_codes"
	httpbin_codes=$(awk 'match($0, / status=[0-9]+ /) && / uri=\/status\// { print substr($0, RSTART + 8, RLENGTH - 9), 1 }' \
		"$TMP/status-httpbin.log" | served_codes) ||
		die "go-httpbin served other codes than $STATUS_CODES on /status: $httpbin_codes"
	local log_lines log_bytes hb_lines hb_bytes
	log_lines=$(grep -c 'msg=request' "$TMP/status-teapot.log" || true)
	log_bytes=$(wc -c <"$TMP/status-teapot.log")
	hb_lines=$(grep -c ' uri=/status/' "$TMP/status-httpbin.log" || true)
	hb_bytes=$(wc -c <"$TMP/status-httpbin.log")

	echo "== how the servers ran"
	echo "  teapot     serve --access-log=true --status-rate $STATUS_RATE --status-burst $STATUS_BURST: the rate limiter is ON"
	echo "             (every request takes a token from its client's bucket) at a limit this load cannot reach;"
	echo "             access log to a file: $log_lines request lines, $((log_bytes / 1024)) KiB."
	echo "             Codes served on /status (its /metrics): $teapot_codes."
	echo "  go-httpbin -host 127.0.0.1 -port P, default logging (INFO, text) to a file: $hb_lines request lines, $((hb_bytes / 1024)) KiB."
	echo "             Codes served on /status (its log): $httpbin_codes."
	echo "  The responses differ: teapot sends CORS, Cache-Control: no-store, Vary, nosniff and a short sandboxing CSP"
	echo "  (its pages get the full policy) and a JSON body naming the code, its meaning and its reference page"
	echo "  (problem+json for 418); go-httpbin a few headers and an empty body (200) or 13 bytes of text (418)."
	echo "  machine load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
	echo

	echo "== targets (status)"
	for code in $STATUS_CODES; do
		r=$(ratio "${RPS[teapot $code]}" "${RPS[go-httpbin $code]}")
		verdict "$(ge "$r" "$TARGET_STATUS_RATIO")" "throughput: /status/$code teapot/go-httpbin = $r (target >= $TARGET_STATUS_RATIO)"
	done

	stop "$teapot_pid"
	stop "$httpbin_pid"
}

# === part "ip": /ip/81.2.69.160.json on teapot with geo databases, and bare

IP_PATH=/ip/81.2.69.160.json
TARGET_IP_RATIO=0.7       # teapot >= 0.7 x bare on $IP_PATH, in requests/s

# load_ip NAME ROUND: like load, on $IP_PATH with no request headers but
# wrk's own; results keyed "ip NAME".
load_ip() {
	local name=$1 round=$2 url="${URL[$1]}$IP_PATH" out="$TMP/ip.$1.$2.wrk" rps key="ip $1"
	local args=(-t"$THREADS" -c"$CONNECTIONS")
	if [ "$round" = 1 ]; then
		wrk "${args[@]}" -d"$WARMUP" "$url" >/dev/null
	fi
	wrk "${args[@]}" -d"$DURATION" --latency "$url" >"$out"
	if grep -q 'Non-2xx or 3xx responses' "$out"; then
		cat "$out" >&2
		die "$name answered errors under load on $IP_PATH"
	fi
	rps=$(awk '/^Requests\/sec:/ { print $2 }' "$out")
	[ -n "$rps" ] || { cat "$out" >&2; die "no Requests/sec in wrk's output for $name"; }
	ALL[$key]="${ALL[$key]:-}${ALL[$key]:+ }$rps"
	if [ -z "${RPS[$key]:-}" ] || [ "$(awk -v a="$rps" -v b="${RPS[$key]}" 'BEGIN { print (a > b) }')" = 1 ]; then
		RPS[$key]=$rps
		LAT[$key]=$(awk '$1 == "Latency" { print $2; exit }' "$out")
		P99[$key]=$(awk '$1 == "99%" { print $2 }' "$out")
		ERRS[$key]=$(grep -o 'Socket errors:.*' "$out" || echo "no socket errors")
	fi
}

# mem_kb PID FIELD: a field of /proc/PID/status in kB (VmRSS, RssAnon, RssFile).
mem_kb() { awk -v f="$2:" '$1 == f { print $2 }' "/proc/$1/status"; }

part_ip() {
	local geo_flags teapot_port bare_port teapot_pid bare_pid s round key r code
	if want page || want status; then
		echo
	fi
	echo "teapot /ip benchmark: GET $IP_PATH with the test databases loaded (bench/geofixture), on teapot and on bare"
	if ! want page && ! want status; then
		echo "machine: $NCPU cores, $(go env GOVERSION), $(wrk -v 2>&1 | head -1 | awk '{print "wrk " $2}'), $("$TMP/teapot" version)"
	fi
	echo "load:    wrk -t$THREADS -c$CONNECTIONS -d$DURATION on 127.0.0.1, one server at a time, $ROUNDS rounds (a $WARMUP warm-up before each server's first)"
	echo

	mkdir -p "$TMP/geo"
	geo_flags=$("$TMP/geofixture" -dir "$TMP/geo") || die "geofixture failed"

	# teapot: access log on, to a file; reverse DNS off (0), so that the
	# load measures teapot and the databases, not a resolver.
	teapot_port=$(free_port)
	# shellcheck disable=SC2086 # geo_flags is two flags and their values
	"$TMP/teapot" serve --addr "127.0.0.1:$teapot_port" --access-log=true --reverse-dns-timeout 0 $geo_flags \
		2>"$TMP/ip-teapot.log" >/dev/null &
	teapot_pid=$!
	PIDS+=("$teapot_pid")
	wait_ok "http://127.0.0.1:$teapot_port/healthz" "$teapot_pid" teapot

	code=$(curl -sS -o "$TMP/ip.body" -D "$TMP/ip.headers" -w '%{http_code}' "http://127.0.0.1:$teapot_port$IP_PATH")
	[ "$code" = 200 ] || die "teapot answered $code for $IP_PATH, not 200"
	grep -q '"city": "London"' "$TMP/ip.body" && grep -q '"asn": 64496' "$TMP/ip.body" ||
		die "teapot's $IP_PATH lacks the test databases' city and AS number: $(cat "$TMP/ip.body")"

	# bare: teapot's exact response bytes, uncompressed as teapot sent them.
	bare_port=$(free_port)
	"$TMP/bare" -addr "127.0.0.1:$bare_port" -body "$TMP/ip.body" -headers "$TMP/ip.headers" -encoding identity \
		2>"$TMP/ip-bare.log" >/dev/null &
	bare_pid=$!
	PIDS+=("$bare_pid")
	wait_ok "http://127.0.0.1:$bare_port$IP_PATH" "$bare_pid" bare
	curl -sS -o "$TMP/ip.bare.body" "http://127.0.0.1:$bare_port$IP_PATH"
	cmp -s "$TMP/ip.body" "$TMP/ip.bare.body" || die "bare sent other bytes than teapot for $IP_PATH"

	URL=(
		[teapot]="http://127.0.0.1:$teapot_port"
		[bare]="http://127.0.0.1:$bare_port"
	)
	echo "== checks: GET $IP_PATH"
	printf '  teapot  200, %s, %d bytes of JSON (city, region, coordinates, AS number, network and sources from the test databases)\n' \
		"$(tr -d '\r' <"$TMP/ip.headers" | awk -F': *' 'tolower($1) == "content-type" { print $2 }')" "$(wc -c <"$TMP/ip.body")"
	echo "  bare    the same bytes and headers"
	echo

	for round in $(seq "$ROUNDS"); do
		for s in teapot bare; do
			load_ip "$s" "$round"
		done
	done
	r=$(ratio "${RPS[ip teapot]}" "${RPS[ip bare]}")
	echo "== load: wrk -t$THREADS -c$CONNECTIONS -d$DURATION, GET $IP_PATH, $ROUNDS rounds; the best round counts"
	printf '  %-7s %12s %10s %10s   %s\n' server "requests/s" "avg lat" "p99 lat" "every round's requests/s"
	for s in teapot bare; do
		key="ip $s"
		printf '  %-7s %12s %10s %10s   %s   %s\n' "$s" "${RPS[$key]}" "${LAT[$key]}" "${P99[$key]}" "${ALL[$key]}" "${ERRS[$key]}"
	done
	echo "  teapot/bare $r"
	echo "  teapot ran with --access-log=true (to a file) and --reverse-dns-timeout 0 (no reverse DNS: a lookup would"
	echo "  measure the resolver); every request parses the address, classifies it, looks it up in both databases"
	echo "  and encodes the JSON. bare sends teapot's response bytes with no routing, log or metrics."
	echo
	stop "$teapot_pid"
	stop "$bare_pid"

	ip_real_databases

	echo "== targets (ip)"
	verdict "$(ge "$r" "$TARGET_IP_RATIO")" "throughput: $IP_PATH teapot/bare = $r (target >= $TARGET_IP_RATIO)"
}

# ip_real_databases: startup time and memory with the databases of
# "make geodata" (or BENCH_GEO_CITY and BENCH_GEO_ASN) loaded, beside
# the same without them; skipped, saying so, when there are none.
ip_real_databases() {
	local city=${BENCH_GEO_CITY:-} asn=${BENCH_GEO_ASN:-} f pid port plain_ms geo_ms
	if [ -z "$city" ]; then
		for f in dbip-city geolite2-city; do
			if [ -f "$ROOT/data/$f-ipv4.mmdb" ] && [ -f "$ROOT/data/$f-ipv6.mmdb" ]; then
				city="$ROOT/data/$f-ipv4.mmdb,$ROOT/data/$f-ipv6.mmdb"
				break
			fi
		done
	fi
	if [ -z "$asn" ] && [ -f "$ROOT/data/asn.mmdb" ]; then
		asn="$ROOT/data/asn.mmdb"
	fi
	echo "== real databases: startup and memory"
	if [ -z "$city" ] || [ -z "$asn" ]; then
		echo "  skipped: no databases in $ROOT/data (run make geodata, or set BENCH_GEO_CITY and BENCH_GEO_ASN)"
		echo
		return
	fi
	for f in ${city//,/ } $asn; do
		printf '  %-40s %7.1f MB\n' "$(basename "$f")" "$(awk -v b="$(wc -c <"$f")" 'BEGIN { print b / 1e6 }')"
	done
	"$TMP/startup" -n "$STARTS" "$TMP/teapot" >"$TMP/ip-startup-plain.out" || { cat "$TMP/ip-startup-plain.out"; die "startup measurement failed"; }
	"$TMP/startup" -n "$STARTS" "$TMP/teapot" --geo-city "$city" --geo-asn "$asn" >"$TMP/ip-startup-geo.out" ||
		{ cat "$TMP/ip-startup-geo.out"; die "startup measurement with the databases failed"; }
	plain_ms=$(awk -F= '/^startup_median_ms=/ { print $2 }' "$TMP/ip-startup-plain.out")
	geo_ms=$(awk -F= '/^startup_median_ms=/ { print $2 }' "$TMP/ip-startup-geo.out")
	echo "  startup, median of $STARTS to the first 200 on /healthz: $geo_ms ms with the databases, $plain_ms ms without"
	echo "  VmRSS at that moment (median): $(awk -F= '/^startup_rss_median_kb=/ { print $2 }' "$TMP/ip-startup-geo.out") kB with, $(awk -F= '/^startup_rss_median_kb=/ { print $2 }' "$TMP/ip-startup-plain.out") kB without"

	# Then one server, asked for random IPv4 addresses for a while: the
	# pages of the files it touches count as RssFile (the page cache,
	# shared, given back under pressure), the heap as RssAnon.
	port=$(free_port)
	"$TMP/teapot" serve --addr "127.0.0.1:$port" --access-log=false --reverse-dns-timeout 0 --geo-city "$city" --geo-asn "$asn" \
		2>"$TMP/ip-real.log" >/dev/null &
	pid=$!
	PIDS+=("$pid")
	wait_ok "http://127.0.0.1:$port/healthz" "$pid" teapot
	echo "  right after start:                 VmRSS $(mem_kb "$pid" VmRSS) kB = RssAnon $(mem_kb "$pid" RssAnon) kB (heap, stacks) + RssFile $(mem_kb "$pid" RssFile) kB (binary and mapped databases)"
	curl -sS "http://127.0.0.1:$port/ip/8.8.8.8.json" >"$TMP/ip-real.json"
	grep -q '"asn": 15169' "$TMP/ip-real.json" || die "with the real databases, /ip/8.8.8.8.json has no AS15169: $(cat "$TMP/ip-real.json")"
	cat >"$TMP/random-ip.lua" <<-'EOF'
	math.randomseed(7)
	request = function()
		return wrk.format("GET", string.format("/ip/%d.%d.%d.%d.json", math.random(1, 223), math.random(0, 255), math.random(0, 255), math.random(1, 254)))
	end
	EOF
	wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" -s "$TMP/random-ip.lua" "http://127.0.0.1:$port" >"$TMP/ip-real.wrk"
	echo "  after $DURATION of random addresses ($(awk '/^Requests\/sec:/ { print $2 }' "$TMP/ip-real.wrk") requests/s): VmRSS $(mem_kb "$pid" VmRSS) kB = RssAnon $(mem_kb "$pid" RssAnon) kB + RssFile $(mem_kb "$pid" RssFile) kB"
	echo "  The databases are memory-mapped: they are never read into the heap, and only the pages lookups touch are resident."
	echo
	stop "$pid"
}

# --- run -------------------------------------------------------------------

if want page; then
	part_page
fi
if want status; then
	part_status
fi
if want ip; then
	part_ip
fi

if [ "$FAILED" = 1 ] && [ "$STRICT" = 1 ]; then
	exit 3
fi

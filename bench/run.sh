#!/usr/bin/env bash
# Load benchmark of teapot: GET /409 as a browser asks for it, on teapot,
# on a bare net/http server sending the same bytes (bench/bare), and on
# nginx serving the output of "teapot export", one after the other, plus
# startup time, memory and compressed sizes. See bench/README.md.
#
#   ./bench/run.sh                     # or: make bench
#   BENCH_DURATION=5s ./bench/run.sh   # shorter loads
set -euo pipefail

DURATION=${BENCH_DURATION:-10s}          # each measured load
WARMUP=${BENCH_WARMUP:-2s}               # each warm-up load, not measured
THREADS=${BENCH_THREADS:-2}              # wrk -t
CONNECTIONS=${BENCH_CONNECTIONS:-64}     # wrk -c
ROUNDS=${BENCH_ROUNDS:-3}                # loads of each server, alternating; the best counts
STARTS=${BENCH_STARTS:-5}                # startup measurements
STRICT=${BENCH_STRICT:-0}                # 1: exit 3 when a target is missed

# Targets.
TARGET_RATIO=0.9          # teapot >= 0.9 x bare, in requests/s
TARGET_STARTUP_MS=150     # median from process start to the first 200 on /healthz
TARGET_RSS_KB=40960       # VmRSS right after start: 40 MiB
TARGET_BR_BYTES=20000     # brotli /409: 20 KB

# What a browser sends (Accept-Encoding limited to gzip: nginx-light has no
# brotli_static, and gzip is what the three servers are compared on).
UA='Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36'
ACCEPT='text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8'
PAGE=/409

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

die() { echo "bench: $*" >&2; exit 1; }

# --- tools -----------------------------------------------------------------

find_nginx() { command -v nginx || { [ -x /usr/sbin/nginx ] && echo /usr/sbin/nginx; } || true; }

if [ -z "$(find_nginx)" ] || ! command -v wrk >/dev/null; then
	echo "bench: installing nginx and wrk from Debian packages" >&2
	SUDO=""
	if [ "$(id -u)" != 0 ]; then
		command -v sudo >/dev/null || die "nginx or wrk is missing and this is not root: apt-get install nginx-light wrk"
		SUDO=sudo
	fi
	$SUDO apt-get update -qq
	$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx-light wrk ||
		$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx wrk
fi
NGINX=$(find_nginx)
[ -n "$NGINX" ] || die "nginx not found after install"
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
go build -trimpath -o "$TMP/bare" ./bench/bare
go build -trimpath -o "$TMP/startup" ./bench/startup
"$TMP/teapot" export "$TMP/site" >/dev/null
[ -f "$TMP/site$PAGE.html.gz" ] || die "teapot export wrote no $PAGE.html.gz"

NCPU=$(getconf _NPROCESSORS_ONLN 2>/dev/null || nproc)

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
cat >"$TMP/nginx/nginx.conf" <<EOF
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
declare -A URL=(
	[teapot]="http://127.0.0.1:$TEAPOT_PORT$PAGE"
	[bare]="http://127.0.0.1:$BARE_PORT$PAGE"
	[nginx]="http://127.0.0.1:$NGINX_PORT$PAGE"
)
declare -A RPS LAT P99 ERRS
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

# load NAME ROUND: a warm-up in the first round, then the measured run;
# keeps the round with the most requests/s in RPS, LAT, P99 and ERRS, and
# every round's requests/s in ALL.
declare -A ALL
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

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
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

echo "== targets"
verdict "$(ge "$R_TB" "$TARGET_RATIO")" "throughput: teapot/bare = $R_TB (target >= $TARGET_RATIO)"
verdict "$(lt "$STARTUP_MS" "$TARGET_STARTUP_MS")" "startup: median $STARTUP_MS ms to the first 200 on /healthz (target < $TARGET_STARTUP_MS ms)"
verdict "$(lt "$RSS_START" "$TARGET_RSS_KB")" "memory: VmRSS $RSS_START kB right after start (target < $TARGET_RSS_KB kB = 40 MiB); $RSS_AFTER kB after the load"
verdict "$(lt "$BR_BYTES" "$TARGET_BR_BYTES")" "size: $PAGE is $BR_BYTES bytes with brotli (target < $TARGET_BR_BYTES), $GZIP_BYTES with gzip, $HTML_BYTES uncompressed"

if [ "$FAILED" = 1 ] && [ "$STRICT" = 1 ]; then
	exit 3
fi

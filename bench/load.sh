#!/usr/bin/env bash
# Load benchmark of issue 13: the page of bench/page.zaiti.graphql (the first
# 100 carriers with operator, district, phases and 20 tenancies each with its
# enterprise) served by zaiti and by PostGraphile 5 on one PostgreSQL
# database, in alternating rounds of wrk at 1, 10 and 50 connections.
#
#   bench/load.sh                      # zaiti and PostGraphile on PostgreSQL
#   bench/load.sh --sqlite             # zaiti alone, on an SQLite file
#   bench/load.sh --help               # every flag
#
# Needs: cargo, wrk, curl, python3, psql (PostgreSQL mode), npm (first run,
# to install bench/postgraphile's pinned Node 22 and PostGraphile 5.1.5).
# Not part of `cargo test` or CI. Results and the machine they came from go
# into BENCHMARKS.md.
set -Eeuo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BENCH=$ROOT/bench

DURATION=15
WARMUP=3
ROUNDS=3
CONNECTIONS="1 10 50"
CARRIERS=2000
TENANCIES=20
PG_URL=${ZAITI_LOAD_PG_URL:-postgres://postgres@127.0.0.1:5432}
DATABASE=zaiti_load
SQLITE=0
REUSE=0
BUILD=1
SETTLE=5
QUIET_WAIT=3600
ZAITI_PORT=18080
PGL_PORT=15678
OUT=
ZAITI_BIN=$ROOT/target/release/zaiti
GENERATOR=$ROOT/target/release/examples/portfolio

usage() {
  cat <<EOF
usage: bench/load.sh [flags]

  --duration SECS          measured seconds per round (default $DURATION)
  --warmup SECS            unmeasured seconds of the same load before each round (default $WARMUP)
  --rounds N               rounds per server at each connection count (default $ROUNDS);
                           the servers take turns, and who goes first alternates
  --connections "1 10 50"  connection counts (default "$CONNECTIONS")
  --carriers N             portfolio size (default $CARRIERS)
  --tenancies-per-carrier N  (default $TENANCIES)
  --pg-url URL             PostgreSQL server, without database (default $PG_URL)
  --database NAME          database to (re)create and fill (default $DATABASE)
  --sqlite                 zaiti alone on an SQLite file in --out (no PostGraphile)
  --reuse                  keep the database and token of the last run (same flags!)
  --no-build               use the binaries in target/release as they are
  --quiet-wait SECS        before each round, wait up to this long for the machine
                           to be idle (under 0.25 cores busy; default $QUIET_WAIT)
  --settle SECS            once the server is idle after a round, wait this long
                           before reading "RSS after" (default $SETTLE)
  --zaiti-port N           (default $ZAITI_PORT)
  --postgraphile-port N    (default $PGL_PORT)
  --out DIR                logs, responses, token and results
                           (default target/bench-load/postgres or .../sqlite)
EOF
}

while [ $# -gt 0 ]; do
  case $1 in
    --duration) DURATION=$2; shift 2 ;;
    --warmup) WARMUP=$2; shift 2 ;;
    --rounds) ROUNDS=$2; shift 2 ;;
    --connections) CONNECTIONS=$2; shift 2 ;;
    --carriers) CARRIERS=$2; shift 2 ;;
    --tenancies-per-carrier) TENANCIES=$2; shift 2 ;;
    --pg-url) PG_URL=${2%/}; shift 2 ;;
    --database) DATABASE=$2; shift 2 ;;
    --sqlite) SQLITE=1; shift ;;
    --reuse) REUSE=1; shift ;;
    --no-build) BUILD=0; shift ;;
    --settle) SETTLE=$2; shift 2 ;;
    --quiet-wait) QUIET_WAIT=$2; shift 2 ;;
    --zaiti-port) ZAITI_PORT=$2; shift 2 ;;
    --postgraphile-port) PGL_PORT=$2; shift 2 ;;
    --out) OUT=$2; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    *) echo "unknown flag $1" >&2; usage >&2; exit 2 ;;
  esac
done

log() { echo "[$(date +%H:%M:%S)] $*" >&2; }
die() { log "error: $*"; exit 1; }
# Whatever stops the run says so (set -e alone would exit without a word).
trap 'log "error: line $LINENO: \"$BASH_COMMAND\" failed (status $?)"' ERR

for tool in wrk curl python3; do
  command -v $tool >/dev/null || die "$tool is needed"
done
[ "$SQLITE" = 1 ] || command -v psql >/dev/null || die "psql is needed"
if [ -z "$OUT" ]; then
  if [ "$SQLITE" = 1 ]; then OUT=$ROOT/target/bench-load/sqlite; else OUT=$ROOT/target/bench-load/postgres; fi
fi
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
CLK_TCK=$(getconf CLK_TCK)

if [ "$SQLITE" = 1 ]; then
  DB_URL="sqlite://$OUT/$DATABASE.db?mode=rwc"
else
  DB_URL="$PG_URL/$DATABASE"
fi
TOKEN_FILE=$OUT/token

# --- build and generate -----------------------------------------------------
if [ "$BUILD" = 1 ]; then
  log "cargo build --release --bin zaiti --example portfolio"
  (cd "$ROOT" && cargo build --release --quiet --bin zaiti --example portfolio)
fi
[ -x "$ZAITI_BIN" ] || die "no $ZAITI_BIN (run without --no-build)"

if [ "$REUSE" = 1 ] && [ -s "$TOKEN_FILE" ]; then
  log "reusing $DB_URL and its token"
else
  [ -x "$GENERATOR" ] || die "no $GENERATOR (run without --no-build)"
  if [ "$SQLITE" = 0 ]; then
    exists=$(psql "$PG_URL/postgres" -tAc "SELECT 1 FROM pg_database WHERE datname = '$DATABASE'")
    [ "$exists" = 1 ] || psql "$PG_URL/postgres" -qc "CREATE DATABASE \"$DATABASE\"" >/dev/null
  fi
  log "generating $CARRIERS carriers x $TENANCIES tenancies in $DB_URL"
  "$GENERATOR" --database-url "$DB_URL" --carriers "$CARRIERS" \
    --tenancies-per-carrier "$TENANCIES" --token-file "$TOKEN_FILE"
fi
TOKEN=$(cat "$TOKEN_FILE")

# The request bodies: {"query": <file>}.
python3 - "$BENCH" "$OUT" <<'EOF'
import json, sys
bench, out = sys.argv[1:]
for name in ("zaiti", "postgraphile"):
    with open(f"{bench}/page.{name}.graphql") as f:
        query = f.read()
    with open(f"{out}/body.{name}.json", "w") as f:
        json.dump({"query": query}, f, ensure_ascii=False)
EOF

# --- servers ------------------------------------------------------------------
PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do
    kill "$pid" 2>/dev/null || true
  done
  for pid in "${PIDS[@]}"; do
    wait "$pid" 2>/dev/null || true
  done
}
trap cleanup EXIT
trap 'log "stopped by a signal"; exit 130' INT TERM

# Waits until a POST of {__typename} to $1 answers 200 (with header $2, if any).
wait_ready() {
  local url=$1 header=${2:-} name=$3 pid=$4
  for _ in $(seq 1 120); do
    kill -0 "$pid" 2>/dev/null || die "$name exited; see its log in $OUT"
    if curl -sf -o /dev/null ${header:+-H "$header"} -H 'Content-Type: application/json' \
      -d '{"query":"{__typename}"}' "$url"; then
      return 0
    fi
    sleep 0.5
  done
  die "$name did not answer at $url within 60 s"
}

# Each server's connections carry its own application_name, so that the CPU
# of the PostgreSQL backends serving it can be told from anyone else's. Both
# talk to PostgreSQL in plain TCP over loopback: node-postgres does not ask
# for TLS unless told to, while sqlx (zaiti) would negotiate it by default.
server_db_url() {
  if [ "$SQLITE" = 1 ]; then echo "$DB_URL"; else echo "$DB_URL?sslmode=disable&application_name=zaiti-load-$1"; fi
}

ZAITI_URL=http://127.0.0.1:$ZAITI_PORT/graphql
log "starting zaiti on $ZAITI_URL"
# The page is ~4,600 fields: far over the default complexity limit (2000),
# which is for untrusted clients; the rate limit is off for the load.
"$ZAITI_BIN" serve --database-url "$(server_db_url zaiti)" --listen "127.0.0.1:$ZAITI_PORT" \
  --rate-limit-per-minute 0 --max-complexity 1000000 >"$OUT/zaiti.log" 2>&1 &
ZAITI_PID=$!
PIDS+=("$ZAITI_PID")
wait_ready "$ZAITI_URL" "Authorization: Bearer $TOKEN" zaiti "$ZAITI_PID"

SERVERS="zaiti"
if [ "$SQLITE" = 0 ]; then
  PGL_DIR=$BENCH/postgraphile
  if [ ! -x "$PGL_DIR/node_modules/.bin/postgraphile" ]; then
    log "installing the pinned PostGraphile (npm ci in bench/postgraphile)"
    (cd "$PGL_DIR" && npm ci --no-audit --no-fund --loglevel=error)
  fi
  PGL_URL=http://127.0.0.1:$PGL_PORT/graphql
  PGL_VERSION=$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["version"])' \
    "$PGL_DIR/node_modules/postgraphile/package.json")
  log "starting PostGraphile $PGL_VERSION (Node $("$PGL_DIR/node_modules/.bin/node" --version)) on $PGL_URL"
  # The Amber preset as the CLI uses it without a config file; production
  # mode (no development checks), the process itself, not a wrapper.
  (cd "$PGL_DIR" && exec env GRAPHILE_ENV=production NODE_ENV=production \
    node_modules/.bin/node node_modules/postgraphile/dist/cli-run.js \
    -P postgraphile/presets/amber -c "$(server_db_url postgraphile)" -s public -n 127.0.0.1 -p "$PGL_PORT" \
    >"$OUT/postgraphile.log" 2>&1) &
  PGL_PID=$!
  PIDS+=("$PGL_PID")
  wait_ready "$PGL_URL" "" PostGraphile "$PGL_PID"
  SERVERS="zaiti postgraphile"
fi

url_of() { if [ "$1" = zaiti ]; then echo "$ZAITI_URL"; else echo "$PGL_URL"; fi; }
pid_of() { if [ "$1" = zaiti ]; then echo "$ZAITI_PID"; else echo "$PGL_PID"; fi; }
token_of() { if [ "$1" = zaiti ]; then echo "$TOKEN"; fi; }

# --- the same page from both --------------------------------------------------
fetch() {
  local server=$1 token
  token=$(token_of "$server")
  curl -sf -H 'Content-Type: application/json' -H 'Accept: application/json' \
    ${token:+-H "Authorization: Bearer $token"} \
    --data-binary "@$OUT/body.$server.json" "$(url_of "$server")" >"$OUT/page.$server.json" ||
    die "$server did not answer the page; see $OUT/$server.log"
}
log "checking the page"
for server in $SERVERS; do fetch "$server"; done
if [ "$SQLITE" = 0 ]; then
  python3 "$BENCH/digest.py" "$OUT/page.zaiti.json" "$OUT/page.postgraphile.json" ||
    die "the servers answered different pages (responses in $OUT)"
else
  python3 "$BENCH/digest.py" "$OUT/page.zaiti.json"
fi

# --- measurements -------------------------------------------------------------
# CPU time (user + system) of a process, in clock ticks.
cpu_ticks() { sed 's/.*) //' "/proc/$1/stat" | awk '{print $12 + $13}'; }
rss_kb() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status"; }
# Returns once process $1 uses under 2% of a core over a second (requests
# abandoned when wrk stopped may still be running), at most after 60 s.
wait_idle() {
  local before after
  for _ in $(seq 1 60); do
    before=$(cpu_ticks "$1")
    sleep 1
    after=$(cpu_ticks "$1")
    [ $((after - before)) -le $((CLK_TCK / 50)) ] && return 0
  done
  log "warning: process $1 still busy after 60 s"
}
# "busy total" jiffies of the whole machine, all cores (to see who else was busy).
machine_ticks() { awk '/^cpu / {t = 0; for (i = 2; i <= NF; i++) t += $i; print t - $5 - $6, t}' /proc/stat; }
# CPU milliseconds of this shell's finished children, from the output of
# bash's `times` in file $1 (`times` must run in this shell, not in $(...)).
children_ms() {
  awk 'NR == 2 {split($1, u, /[ms]/); split($2, s, /[ms]/); printf "%d\n", (u[1] * 60 + u[2] + s[1] * 60 + s[2]) * 1000}' "$1"
}
# Waits, up to $QUIET_WAIT seconds, until the whole machine is under 0.25
# cores busy over 3 s: rounds measured while someone else builds mean little.
wait_quiet() {
  local m0 m1 busy waited=0 said=0
  while true; do
    m0=$(machine_ticks)
    sleep 3
    m1=$(machine_ticks)
    busy=$(echo "$m0 $m1" | awk -v cores="$(nproc)" '{print ($4 > $2) ? ($3 - $1) / ($4 - $2) * cores : 0}')
    awk -v b="$busy" 'BEGIN {exit !(b < 0.25)}' && return 0
    waited=$((waited + 3))
    if [ "$waited" -ge "$QUIET_WAIT" ]; then
      log "warning: the machine is still busy ($busy cores); measuring anyway"
      return 0
    fi
    if [ "$said" = 0 ]; then
      log "waiting for the machine to be quiet: $busy cores busy; top: $(ps -eo pcpu,comm --sort=-pcpu | sed -n 2,3p | tr -s ' ' | tr '\n' ';')"
      said=1
    fi
  done
}

# CPU ticks of the PostgreSQL backends serving server $1, by pid, as "pid ticks" lines.
pg_backends() {
  [ "$SQLITE" = 0 ] || return 0
  local pid
  for pid in $(psql "$PG_URL/postgres" -tAc \
    "SELECT pid FROM pg_stat_activity WHERE application_name = 'zaiti-load-$1'"); do
    [ -r "/proc/$pid/stat" ] && echo "$pid $(cpu_ticks "$pid" 2>/dev/null || echo 0)"
  done
  return 0
}
# Ticks spent between two pg_backends snapshots (a backend new since the
# first counts from zero; one that exited in between is lost).
pg_ticks_between() {
  awk 'NR == FNR {before[$1] = $2; next} {total += $2 - ($1 in before ? before[$1] : 0)} END {print total + 0}' "$1" "$2"
}

ROUND_FILE=$OUT/rounds.tsv
printf 'server\tconnections\tround\trps\tp50_ms\tp99_ms\tcpu_ms_per_req\tpg_cpu_ms_per_req\trss_peak_mb\trss_after_mb\trequests\tbad\tsocket_errors\ttimeouts\tmean_bytes\tmachine_busy_cores\tserver_cores\tpg_cores\twrk_cores\tother_cores\n' >"$ROUND_FILE"

run_round() {
  local server=$1 connections=$2 round=$3
  local url pid token threads wrk_out cpu0 cpu1 rss_file sampler
  url=$(url_of "$server")
  pid=$(pid_of "$server")
  token=$(token_of "$server")
  threads=$((connections < 2 ? connections : 2))
  wrk_out=$OUT/wrk.$server.c$connections.r$round.txt
  local wrk_args=(-t "$threads" -c "$connections" --timeout 60s -s "$BENCH/page.lua" "$url")
  export WRK_BODY_FILE=$OUT/body.$server.json WRK_TOKEN=$token
  wait_quiet
  if [ "$WARMUP" != 0 ]; then
    wrk -d "${WARMUP}s" "${wrk_args[@]}" >/dev/null
  fi
  wait_idle "$pid"
  pg_backends "$server" >"$OUT/pg.before"
  local machine0 machine1 wrk0 wrk1
  machine0=$(machine_ticks)
  cpu0=$(cpu_ticks "$pid")
  rss_file=$OUT/rss.$server.c$connections.r$round.txt
  : >"$rss_file"
  (while true; do rss_kb "$pid" >>"$rss_file"; sleep 0.5; done) &
  sampler=$!
  times >"$OUT/times.before"
  wrk -d "${DURATION}s" "${wrk_args[@]}" >"$wrk_out"
  times >"$OUT/times.after"
  wrk0=$(children_ms "$OUT/times.before")
  wrk1=$(children_ms "$OUT/times.after")
  cpu1=$(cpu_ticks "$pid")
  machine1=$(machine_ticks)
  pg_backends "$server" >"$OUT/pg.after"
  kill "$sampler"
  wait "$sampler" 2>/dev/null || true
  wait_idle "$pid"
  sleep "$SETTLE"
  local rss_after rss_peak pg_ticks result
  rss_after=$(rss_kb "$pid")
  rss_peak=$(sort -n "$rss_file" | tail -1)
  pg_ticks=$(pg_ticks_between "$OUT/pg.before" "$OUT/pg.after")
  result=$(grep '^RESULT ' "$wrk_out") || die "wrk printed no result: $(cat "$wrk_out")"
  grep '^BAD ' "$wrk_out" >&2 || true
  # key=value pairs of the RESULT line as shell variables r_<key>.
  local r_requests r_rps r_p50_ms r_p99_ms r_bad r_socket_errors r_timeouts r_mean_bytes
  eval "$(echo "${result#RESULT }" | tr ' ' '\n' | sed -n 's/^\(requests\|rps\|p50_ms\|p99_ms\|bad\|socket_errors\|timeouts\|mean_bytes\)=/r_\1=/p')"
  awk -v s="$server" -v c="$connections" -v r="$round" -v rps="$r_rps" -v p50="$r_p50_ms" \
    -v p99="$r_p99_ms" -v n="$r_requests" -v ticks=$((cpu1 - cpu0)) -v pgt="$pg_ticks" \
    -v hz="$CLK_TCK" -v peak="$rss_peak" -v after="$rss_after" -v sqlite="$SQLITE" \
    -v bad="$r_bad" -v sock="$r_socket_errors" -v tmo="$r_timeouts" -v bytes="$r_mean_bytes" \
    -v m0="$machine0" -v m1="$machine1" -v cores="$(nproc)" -v wrk_ms=$((wrk1 - wrk0)) \
    'BEGIN {
       cpu = n > 0 ? ticks * 1000 / hz / n : 0
       pg = sqlite == 1 ? "" : sprintf("%.1f", n > 0 ? pgt * 1000 / hz / n : 0)
       split(m0, a, " "); split(m1, b, " ")
       span = b[2] - a[2]
       busy = span > 0 ? (b[1] - a[1]) / span * cores : 0
       own = span > 0 ? ticks / span * cores : 0
       pgc = span > 0 ? pgt / span * cores : 0
       wrkc = span > 0 ? wrk_ms / 1000 * hz / span * cores : 0
       printf "%s\t%d\t%d\t%.1f\t%.1f\t%.1f\t%.1f\t%s\t%.0f\t%.0f\t%d\t%d\t%d\t%d\t%d\t%.2f\t%.2f\t%.2f\t%.2f\t%.2f\n",
         s, c, r, rps, p50, p99, cpu, pg, peak / 1024, after / 1024, n, bad, sock, tmo, bytes,
         busy, own, pgc, wrkc, busy - own - pgc - wrkc
     }' | tee -a "$ROUND_FILE" | awk -F'\t' '{printf "  %-12s c=%-3s round %s: %7s req/s  p50 %7s ms  p99 %7s ms  cpu %6s ms/req  pg %5s ms/req  rss %4s/%4s MB  bad %s  cores: server %s pg %s wrk %s other %s\n", $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $12, $17, $18, $19, $20}' >&2
}

log "rounds: ${DURATION}s each after ${WARMUP}s warm-up, connections $CONNECTIONS, $ROUNDS round(s) per server; load average $(cut -d' ' -f1-3 /proc/loadavg)"
for connections in $CONNECTIONS; do
  for round in $(seq 1 "$ROUNDS"); do
    order=$SERVERS
    if [ "$SQLITE" = 0 ] && [ $((round % 2)) = 0 ]; then order="postgraphile zaiti"; fi
    for server in $order; do
      run_round "$server" "$connections" "$round"
    done
  done
done
log "done; load average $(cut -d' ' -f1-3 /proc/loadavg); every round in $ROUND_FILE"

# --- the table ----------------------------------------------------------------
{
  if [ "$SQLITE" = 1 ]; then
    against="on SQLite"
  else
    against="vs PostGraphile $PGL_VERSION on PostgreSQL $(psql "$PG_URL/postgres" -tAc 'SHOW server_version' | cut -d' ' -f1)"
  fi
  echo "$(date -u +%Y-%m-%dT%H:%MZ): zaiti at $(git -C "$ROOT" rev-parse --short HEAD)" \
    "(server code of $(git -C "$ROOT" log -1 --format=%h -- src entity migration Cargo.toml Cargo.lock)$(
      git -C "$ROOT" diff --quiet HEAD -- src entity migration Cargo.toml Cargo.lock || echo ', modified'))" \
    "$against; $CARRIERS carriers x $TENANCIES tenancies;" \
    "$ROUNDS x ${DURATION}s rounds after ${WARMUP}s warm-up; $(nproc) cores"
  python3 - "$ROUND_FILE" "$SQLITE" <<'EOF'

import csv, statistics, sys
path, sqlite = sys.argv[1], sys.argv[2] == "1"
rows = list(csv.DictReader(open(path), delimiter="\t"))
def med(server, c, key):
    values = [float(r[key]) for r in rows if r["server"] == server and r["connections"] == c and r[key] != ""]
    return statistics.median(values) if values else float("nan")
def peak(server, c):
    return max(float(r["rss_peak_mb"]) for r in rows if r["server"] == server and r["connections"] == c)
def after(server, c):
    return [float(r["rss_after_mb"]) for r in rows if r["server"] == server and r["connections"] == c][-1]
def bad(server, c):
    return sum(int(r["bad"]) + int(r["socket_errors"]) + int(r["timeouts"]) for r in rows if r["server"] == server and r["connections"] == c)
conns = list(dict.fromkeys(r["connections"] for r in rows))
rounds = max(int(r["round"]) for r in rows)
def cpu(server, c):
    own = med(server, c, "cpu_ms_per_req")
    if sqlite:
        return "%.1f" % own
    return "%.1f + %.1f" % (own, med(server, c, "pg_cpu_ms_per_req"))
def cells(server, c):
    return ["%.1f" % med(server, c, "rps"),
            "%.0f / %.0f" % (med(server, c, "p50_ms"), med(server, c, "p99_ms")),
            cpu(server, c),
            "%.0f / %.0f" % (peak(server, c), after(server, c))]
other = [float(r["other_cores"]) for r in rows]
print("Other load on the machine during the rounds (busy cores not the server's, its PostgreSQL backends' or wrk's): "
      "median %.2f, max %.2f; %d of %d rounds over 0.25." % (statistics.median(other), max(other), sum(o > 0.25 for o in other), len(other)))
print()
print("Medians of %d round(s) per cell; CPU is the server process%s per request; RSS is the peak while loaded / %s" % (
    rounds, "" if sqlite else " + the PostgreSQL backends serving it", "a few seconds after."))
print()
if sqlite:
    print("| connections | zaiti req/s | p50 / p99 ms | CPU ms/req | RSS MB during / after | errors |")
    print("|---:|---:|---:|---:|---:|---:|")
    for c in conns:
        print("| " + " | ".join([c] + cells("zaiti", c) + [str(bad("zaiti", c))]) + " |")
else:
    print("| connections | zaiti req/s | PostGraphile req/s | zaiti ÷ PostGraphile | zaiti p50 / p99 ms | PostGraphile p50 / p99 ms | zaiti CPU ms/req (own + PG) | PostGraphile CPU ms/req (own + PG) | zaiti RSS MB during / after | PostGraphile RSS MB during / after | errors z / P |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for c in conns:
        z, p = cells("zaiti", c), cells("postgraphile", c)
        pgl = med("postgraphile", c, "rps")
        ratio = "**%.2f**" % (med("zaiti", c, "rps") / pgl) if pgl > 0 else "-"
        print("| " + " | ".join([c, z[0], p[0], ratio, z[1], p[1], z[2], p[2], z[3], p[3],
                                 "%d / %d" % (bad("zaiti", c), bad("postgraphile", c))]) + " |")
EOF
} | tee "$OUT/table.md"

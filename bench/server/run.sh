#!/usr/bin/env bash
# Server benchmark: `policygate serve` under load, next to a bare Kestrel TLS endpoint that only answers
# allowed: true (bench/PolicyGate.Bench.Echo) and a real peer, Pepr 1.1.4 with a one-rule module, in one run, with
# one body (bench/server/admission-review.json, a Pod CREATE) and one client. All traffic stays on 127.0.0.1.
#
# Each round loads every server in turn (the order rotates per round) for DURATION seconds at CONNECTIONS connections:
# HTTP/1.1 with wrk, then HTTP/2 with h2load (one stream per connection). The machine's speed drifts, so the targets
# are judged on the median of per-round ratios. Servers run pinned to core SERVER_CPU, the load generator to CLIENT_CPU.
# A second `policygate serve` with no policies loaded (FLOOR=1, the default) shows what reading, parsing and answering
# an AdmissionReview costs before any policy runs: the floor under serve's ratio. A third, `serve --isolation process`
# (ISOLATED=1, the default), runs the same four policies in worker processes (one per policy, pinned with the
# server): its ratio to the in-process serve is the cost of isolation, and the summary prints the cost per hop.
#
# Usage: bench/server/run.sh            (about 8 minutes with the defaults, ~1 more the first time Pepr is installed)
# Settings (environment): ROUNDS=5 DURATION=10 CONNECTIONS=64 WARMUP=15 SKIP_PEPR=0 FLOOR=1 ISOLATED=1 SERVER_CPU=0 CLIENT_CPU=1
#   DOTNET_ENV="VAR=value ..." (environment for every .NET server; default DOTNET_TieredPGO=1, as the image runs serve:
#   the CLI turns tiered PGO off for its short runs, and the bare endpoint's project too, so both get it back here),
#   POLICYGATE_BENCH_CACHE (where Pepr is installed and built; default ~/.cache/policygate-bench), KEEP_WORK=1 keeps the
#   temporary folder (certificate, policies, server logs). Raw results go to bench/results/server-<UTC time>/.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
here=$root/bench/server

rounds=${ROUNDS:-5}
duration=${DURATION:-10}
connections=${CONNECTIONS:-64}
warmup=${WARMUP:-15}
skip_pepr=${SKIP_PEPR:-0}
floor=${FLOOR:-1}
isolated=${ISOLATED:-1}
server_cpu=${SERVER_CPU:-0}
client_cpu=${CLIENT_CPU:-1}
pepr_version=1.1.4
cache=${POLICYGATE_BENCH_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/policygate-bench}
bare_port=18443 serve_port=18444 pepr_port=18445 kube_port=18446 floor_port=18447 isolated_port=18448
read -r -a dotnet_env <<<"${DOTNET_ENV-DOTNET_TieredPGO=1}"

pids=()
work=""
results=""
cleanup() {
  local status=$?
  trap - EXIT INT TERM
  declare -F stop_processes >/dev/null && stop_processes "${pids[@]}"
  declare -F finish_work >/dev/null && finish_work "$work" "$results"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

die() { echo "error: $*" >&2; exit 2; }
# shellcheck source=bench/server/fixtures.sh
source "$here/fixtures.sh"

# --- Tools -------------------------------------------------------------------------------------------------------
if ! command -v wrk >/dev/null || ! command -v h2load >/dev/null; then
  [[ $(id -u) == 0 ]] || die "wrk and h2load are missing: apt-get install -y wrk nghttp2-client (as root)"
  echo "Installing wrk and h2load (Debian packages wrk, nghttp2-client)"
  apt-get install -y -q wrk nghttp2-client >/dev/null 2>&1 || { apt-get update -q >/dev/null && apt-get install -y -q wrk nghttp2-client >/dev/null; }
fi
for tool in dotnet openssl curl taskset node; do
  command -v "$tool" >/dev/null || die "$tool is required"
done
[[ $skip_pepr == 1 ]] || command -v npm >/dev/null || die "npm is required for Pepr (or set SKIP_PEPR=1)"
(( $(nproc) >= 2 )) || die "needs 2 cores: servers on one, the load generator on another"
for port in $bare_port $serve_port $pepr_port $kube_port $floor_port $isolated_port; do
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then die "port $port on 127.0.0.1 is in use"; fi
done

stamp=$(date -u +%Y%m%dT%H%M%SZ)
results=$root/bench/results/server-$stamp
mkdir -p "$results/raw"
work=$(mktemp -d /tmp/policygate-serverbench.XXXXXX)
exec > >(tee -a "$results/run.log") 2>&1

{
  echo "date: $stamp"
  echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | xargs) x $(nproc)"
  echo "kernel: $(uname -r)"
  echo "dotnet: $(dotnet --version)"
  echo "node: $(node --version)"
  echo "wrk: $(wrk --version 2>&1 | head -1 | cut -d' ' -f1-2)"
  echo "h2load: $(h2load --version | head -1)"
  echo "openssl: $(openssl version)"
  echo "git: $(git rev-parse --short HEAD 2>/dev/null || echo none)$(git diff --quiet 2>/dev/null || echo ' (modified)')"
  echo "DOTNET_ENV: ${DOTNET_ENV-DOTNET_TieredPGO=1}"
  echo "settings: rounds=$rounds duration=${duration}s connections=$connections warmup=${warmup}s servers on cpu $server_cpu, load generator on cpu $client_cpu"
} | tee "$results/env.txt"

# --- Build, certificate, policies, body ---------------------------------------------------------------------------
echo "Building (Release)"
dotnet build -c Release -nologo -v q src/PolicyGate.Cli >"$work/build.log" 2>&1 || { cat "$work/build.log"; die "build failed"; }
dotnet build -c Release -nologo -v q bench/PolicyGate.Bench.Echo >>"$work/build.log" 2>&1 || { cat "$work/build.log"; die "build failed"; }
policygate=$root/src/PolicyGate.Cli/bin/Release/net10.0/policygate.dll
echo_server=$root/bench/PolicyGate.Bench.Echo/bin/Release/net10.0/PolicyGate.Bench.Echo.dll

server_fixtures "$work"
echo "Body: $(wc -c <"$work/body.json") bytes, a Pod CREATE AdmissionReview ($here/admission-review.json)"

# --- Pepr: install (outside the repository), build the module --------------------------------------------------------
pepr_dir=$cache/pepr-$pepr_version
api_path=$(openssl rand -hex 32)
if [[ $skip_pepr != 1 ]]; then
  mkdir -p "$pepr_dir"
  cp -r "$here/pepr-module/." "$pepr_dir/"
  if [[ $(node -p 'try { require(process.argv[1]).version } catch { "" }' "$pepr_dir/node_modules/pepr/package.json") != "$pepr_version" ]]; then
    echo "Installing pepr@$pepr_version into $pepr_dir"
    (cd "$pepr_dir" && npm install --no-audit --no-fund --loglevel=error) >"$work/npm.log" 2>&1 || { cat "$work/npm.log"; die "npm install failed"; }
  fi
  sources=$(cd "$here/pepr-module" && find . -type f -print0 | sort -z | xargs -0 sha256sum | sha256sum | cut -c1-16)
  if [[ ! -f $pepr_dir/dist/pepr-policygate-bench.js || $(cat "$pepr_dir/dist/.sources" 2>/dev/null) != "$sources" ]]; then
    echo "Building the Pepr module (npx pepr build)"
    (cd "$pepr_dir" && rm -rf dist && npx --no-install pepr build) >"$work/pepr-build.log" 2>&1 || { cat "$work/pepr-build.log"; die "pepr build failed"; }
    echo "$sources" >"$pepr_dir/dist/.sources"
  fi

  # The stand-in API server and a kubeconfig that points at it (plain HTTP, so "insecure-skip-tls-verify").
  cat >"$work/kubeconfig" <<EOF
apiVersion: v1
kind: Config
clusters:
- name: stand-in
  cluster: {server: "http://127.0.0.1:$kube_port", insecure-skip-tls-verify: true}
users:
- name: bench
  user: {token: bench}
contexts:
- name: stand-in
  context: {cluster: stand-in, user: bench}
current-context: stand-in
EOF
fi

# --- Start the servers ----------------------------------------------------------------------------------------------
echo "Starting the servers on cpu $server_cpu"
start=$SECONDS
env "${dotnet_env[@]}" taskset -c "$server_cpu" dotnet exec "$echo_server" --cert-dir "$work/certs" --address 127.0.0.1 --port $bare_port \
  >"$work/bare.log" 2>&1 &
pids+=($!)
declare -A pid_of=([bare]=$!)
wait_ready "bare endpoint" "${pids[-1]}" "https://127.0.0.1:$bare_port/readyz" 60
echo "  bare Kestrel echo   https://127.0.0.1:$bare_port/validate   ready in $((SECONDS - start)) s"

start=$SECONDS
env "${dotnet_env[@]}" POLICYGATE_CACHE_DIR="$work/compile-cache" taskset -c "$server_cpu" dotnet exec "$policygate" serve \
  --policies "$work/policies" --cert-dir "$work/certs" --address 127.0.0.1 --port $serve_port >"$work/serve.log" 2>&1 &
pids+=($!)
pid_of[serve]=$!
wait_ready "policygate serve" "${pids[-1]}" "https://127.0.0.1:$serve_port/readyz" 180
echo "  policygate serve    https://127.0.0.1:$serve_port/validate   ready in $((SECONDS - start)) s (cold compile cache)"

if [[ $floor == 1 ]]; then
  start=$SECONDS
  env "${dotnet_env[@]}" POLICYGATE_CACHE_DIR="$work/compile-cache" taskset -c "$server_cpu" dotnet exec "$policygate" serve \
    --policies "$work/no-policies" --cert-dir "$work/certs" --address 127.0.0.1 --port $floor_port >"$work/serve-empty.log" 2>&1 &
  pids+=($!)
  pid_of[serve-empty]=$!
  wait_ready "policygate serve (no policies)" "${pids[-1]}" "https://127.0.0.1:$floor_port/readyz" 60
  echo "  serve, no policies  https://127.0.0.1:$floor_port/validate   ready in $((SECONDS - start)) s"
fi

if [[ $isolated == 1 ]]; then
  start=$SECONDS
  env "${dotnet_env[@]}" POLICYGATE_CACHE_DIR="$work/compile-cache" taskset -c "$server_cpu" dotnet exec "$policygate" serve --isolation process \
    --policies "$work/policies" --cert-dir "$work/certs" --address 127.0.0.1 --port $isolated_port >"$work/serve-isolated.log" 2>&1 &
  pids+=($!)
  pid_of[serve-isolated]=$!
  wait_ready "policygate serve --isolation process" "${pids[-1]}" "https://127.0.0.1:$isolated_port/readyz" 120
  echo "  serve, isolated     https://127.0.0.1:$isolated_port/validate   ready in $((SECONDS - start)) s (every policy in a worker process)"
fi

if [[ $skip_pepr != 1 ]]; then
  taskset -c "$server_cpu" node "$here/fake-kube-api.mjs" $kube_port 2>"$work/kube-api.log" &
  pids+=($!)
  pid_of[kube-api]=$!
  wait_ready "stand-in API server" "${pids[-1]}" "http://127.0.0.1:$kube_port/" 30 404
  start=$SECONDS
  # As `pepr dev` runs a module, with a deployed controller's log level (info) and the admission endpoints on.
  (
    cd "$pepr_dir"
    exec env KUBECONFIG="$work/kubeconfig" PEPR_API_PATH="$api_path" PEPR_WATCH_MODE=false LOG_LEVEL=info \
      SSL_KEY_PATH="$work/certs/tls.key" SSL_CERT_PATH="$work/certs/tls.crt" PEPR_BENCH_PORT=$pepr_port \
      taskset -c "$server_cpu" node --require "$here/pepr-loopback.cjs" dist/pepr-policygate-bench.js
  ) >"$work/pepr.log" 2>&1 &
  pids+=($!)
  pid_of[pepr]=$!
  # /healthz is bound only once Pepr has read its PeprStore: until then it answers 404.
  wait_ready "Pepr" "${pids[-1]}" "https://127.0.0.1:$pepr_port/healthz" 60
  echo "  Pepr $pepr_version          https://127.0.0.1:$pepr_port/validate/<api path>   ready in $((SECONDS - start)) s"
fi

check_alive() { # every server still running, or stop with the end of its log
  local name
  for name in "${!pid_of[@]}"; do
    kill -0 "${pid_of[$name]}" 2>/dev/null && continue
    echo "error: $name exited during the run; the end of its log:" >&2
    tail -n 3 "$work/$name.log" | cut -c1-300 >&2
    exit 2
  done
}

declare -A url=(
  [bare]="https://127.0.0.1:$bare_port/validate"
  [serve]="https://127.0.0.1:$serve_port/validate"
  [pepr]="https://127.0.0.1:$pepr_port/validate/$api_path"
  [serve-empty]="https://127.0.0.1:$floor_port/validate"
  [serve-isolated]="https://127.0.0.1:$isolated_port/validate"
)
servers=(bare serve)
[[ $floor != 1 ]] || servers+=(serve-empty)
[[ $isolated != 1 ]] || servers+=(serve-isolated)
[[ $skip_pepr == 1 ]] || servers+=(pepr)

# Every server must answer the body with allowed: true and its uid before it is measured.
for server in "${servers[@]}"; do
  answer=$(curl -sk --max-time 10 -H 'Content-Type: application/json' --data-binary @"$work/body.json" "${url[$server]}")
  [[ $answer == *'"uid":"705ab4f5-6393-11e8-b7cc-42010a800002"'* && $answer == *'"allowed":true'* ]] \
    || die "$server did not allow the body: $answer"
done
if [[ $skip_pepr != 1 ]]; then
  answer=$(curl -sk --max-time 10 -H 'Content-Type: application/json' --data-binary @"$work/body-no-team.json" "${url[pepr]}")
  [[ $answer == *'"allowed":false'* ]] || die "Pepr allowed a Pod without a team label: $answer"
  echo "Checked: every server allows the body; Pepr denies it without the team label"
fi

# --- Load -----------------------------------------------------------------------------------------------------------
cpu_ticks() { # prints "busy total" of one cpu from /proc/stat
  awk -v cpu="cpu$1" '$1 == cpu { total = 0; for (i = 2; i <= NF; i++) total += $i; print total - $5 - $6, total }' /proc/stat
}
cpu_share() { # BEFORE AFTER -> fraction busy
  awk -v a="$1" -v b="$2" 'BEGIN { split(a, x, " "); split(b, y, " "); t = y[2] - x[2]; printf "%.3f", (t > 0 ? (y[1] - x[1]) / t : 0) }'
}

run_wrk() { # URL SECONDS OUT
  BODY_FILE=$work/body.json taskset -c "$client_cpu" wrk -t1 -c"$connections" -d"$2s" --timeout 10s --latency \
    -s "$here/post.lua" "$1" >"$3" 2>&1
}
run_h2load() { # URL SECONDS OUT LOG
  taskset -c "$client_cpu" h2load -t1 -c"$connections" -m1 -D "$2" -d "$work/body.json" \
    -H 'content-type: application/json' --log-file="$4" "$1" >"$3" 2>&1
}

measure() { # ROUND SERVER PROTOCOL
  local round=$1 server=$2 protocol=$3 raw="$results/raw/round$1-$2-$3.txt" s0 c0 s1 c1 line
  if [[ $server == pepr && $protocol == http2 ]]; then
    # Pepr's controller is a Node https server (express): it offers no HTTP/2.
    echo "{\"round\":$round,\"server\":\"pepr\",\"protocol\":\"http2\",\"skipped\":\"Pepr serves HTTP/1.1 only\"}" >>"$results/results.jsonl"
    return
  fi
  s0=$(cpu_ticks "$server_cpu"); c0=$(cpu_ticks "$client_cpu")
  if [[ $protocol == http1 ]]; then
    run_wrk "${url[$server]}" "$duration" "$raw" || true
  else
    run_h2load "${url[$server]}" "$duration" "$raw" "$work/h2load.tsv" || true
  fi
  s1=$(cpu_ticks "$server_cpu"); c1=$(cpu_ticks "$client_cpu")
  check_alive
  local cpu="\"cpu_server\":$(cpu_share "$s0" "$s1"),\"cpu_client\":$(cpu_share "$c0" "$c1")"

  if [[ $protocol == http1 ]]; then
    line=$(sed -n 's/^RESULT //p' "$raw")
    [[ -n $line ]] || die "no result from wrk (see $raw)"
    # wrk's own percentiles (its latency histogram) and its non-2xx/socket error counts.
    node -e '
      const r = JSON.parse(process.argv[1]);
      console.log(JSON.stringify({ round: +process.argv[2], server: process.argv[3], protocol: "http1",
        rps: r.rps, p50_ms: r.p50_us / 1000, p99_ms: r.p99_us / 1000, requests: r.requests,
        errors: r.errors + r.non_2xx, ...JSON.parse("{" + process.argv[4] + "}") }));' \
      "$line" "$round" "$server" "$cpu" >>"$results/results.jsonl"
  else
    # h2load prints no percentiles: they are computed (nearest rank) from its per-request log, whose 3rd column
    # is each request's time in microseconds; requests/s is h2load's own figure.
    local rps succeeded failed not_2xx p50 p99
    rps=$(sed -n 's/^finished in [^,]*, \([0-9.]*\) req\/s.*/\1/p' "$raw")
    # "requests: T total, S started, D done, OK succeeded, F failed, E errored, T timeout"
    read -r succeeded failed < <(awk '/^requests:/ { print $8, $10 + $12 + $14 }' "$raw")
    # "status codes: A 2xx, B 3xx, C 4xx, D 5xx"
    not_2xx=$(awk '/^status codes:/ { print $5 + $7 + $9 }' "$raw")
    [[ -n $rps && -n $succeeded && -n $not_2xx ]] || die "no result from h2load (see $raw)"
    read -r p50 p99 < <(cut -f3 "$work/h2load.tsv" | sort -n | awk '{ v[NR] = $1 } END {
      i50 = int(NR * 0.50); if (i50 < NR * 0.50) i50++; i99 = int(NR * 0.99); if (i99 < NR * 0.99) i99++;
      printf "%.3f %.3f\n", v[i50] / 1000, v[i99] / 1000 }')
    printf '{"round":%d,"server":"%s","protocol":"http2","rps":%s,"p50_ms":%s,"p99_ms":%s,"requests":%d,"errors":%d,%s}\n' \
      "$round" "$server" "$rps" "$p50" "$p99" "$succeeded" $((failed + not_2xx)) "$cpu" >>"$results/results.jsonl"
    rm -f "$work/h2load.tsv"
  fi
}

echo "Warm-up: ${warmup} s per server and protocol (not recorded)"
for server in "${servers[@]}"; do
  run_wrk "${url[$server]}" "$warmup" "$work/warmup.txt" || die "wrk failed on $server: $(tail -n 3 "$work/warmup.txt")"
  if [[ $server != pepr ]]; then
    run_h2load "${url[$server]}" "$warmup" "$work/warmup.txt" "$work/h2load.tsv" || die "h2load failed on $server: $(tail -n 3 "$work/warmup.txt")"
    # Then more load until the JIT's tiering thread is quiet (.NET servers; at most MAX_SETTLE=120 s).
    settle_jit "$server" "${pid_of[$server]}" run_wrk "${url[$server]}" 5 "$work/warmup.txt"
  fi
done
rm -f "$work/h2load.tsv"

echo "Measuring: $rounds rounds, ${duration} s per server and protocol, $connections connections"
: >"$results/results.jsonl"
for round in $(seq "$rounds"); do
  # Rotate the order, so that no server always runs first (or right after another) in a round.
  n=${#servers[@]}
  order=()
  for i in $(seq 0 $((n - 1))); do order+=("${servers[$(((round - 1 + i) % n))]}"); done
  for server in "${order[@]}"; do
    measure "$round" "$server" http1
    measure "$round" "$server" http2
  done
  echo
  node "$here/summarize.mjs" "$results/results.jsonl" round "$round"
done

echo
node "$here/summarize.mjs" "$results/results.jsonl" summary | tee "$results/summary.txt"

echo
echo "Raw results: ${results#"$root"/}"

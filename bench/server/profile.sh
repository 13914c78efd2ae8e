#!/usr/bin/env bash
# Where serve's CPU goes per request, under load and in-process, by stage (bench/server/stages.mjs): the profile
# behind README's breakdown. Samples with `perf` (call graphs, JIT-compiled frames named through the runtime's perf
# map) while:
#   - bare, serve and serve-with-no-policies (the server benchmark's servers, body and policies) take wrk's load
#     (HTTP/1.1, CONNECTIONS connections), each pinned to core SERVER_CPU with wrk on CLIENT_CPU, after WARMUP seconds
#     of the same load and then more until the JIT's tiering thread is quiet (settle_jit, at most MAX_SETTLE=120 s);
#   - serve's handler runs in a loop in one process (`PolicyGate.Bench -- handler-loop`), pinned the same way, with
#     warm caches and then with the caches flushed between requests (EVICT bytes written).
# Each is sampled for SECONDS at SAMPLE_HZ. Figures are microseconds of the server core per request.
#
# Usage: bench/server/profile.sh        (about 4 minutes; needs perf, wrk, the .NET SDK, Node, 2 cores)
# Settings (environment): SECONDS_PROFILED=10 WARMUP=30 CONNECTIONS=64 SAMPLE_HZ=1999 SERVER_CPU=0 CLIENT_CPU=1
#   EVICT=1048576 (bytes written between two requests of the second in-process loop: twice this VM's per-core L2)
#   KEEP_WORK=1 keeps the profiles (perf-*.data) and server logs. Output goes to bench/results/profile-<UTC time>/.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
here=$root/bench/server

seconds=${SECONDS_PROFILED:-10}
warmup=${WARMUP:-30}
connections=${CONNECTIONS:-64}
export SAMPLE_HZ=${SAMPLE_HZ:-1999}
server_cpu=${SERVER_CPU:-0}
client_cpu=${CLIENT_CPU:-1}
bare_port=18453 serve_port=18454 floor_port=18455

die() { echo "error: $*" >&2; exit 2; }
# shellcheck source=bench/server/fixtures.sh
source "$here/fixtures.sh"

for tool in dotnet openssl curl taskset node perf wrk; do
  command -v "$tool" >/dev/null || die "$tool is required (perf: Debian's linux-perf; wrk: Debian's wrk)"
done
(( $(nproc) >= 2 )) || die "needs 2 cores: servers on one, the load generator on another"
perf record -o /dev/null -- true >/dev/null 2>&1 || die "perf cannot record here (perf_event_paranoid: $(cat /proc/sys/kernel/perf_event_paranoid 2>/dev/null))"

pids=()
work=$(mktemp -d /tmp/policygate-profile.XXXXXX)
cleanup() {
  local status=$?
  trap - EXIT INT TERM
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  if [[ ${KEEP_WORK:-0} == 1 ]]; then echo "kept $work"; else rm -rf "$work"; fi
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

results=$root/bench/results/profile-$(date -u +%Y%m%dT%H%M%SZ)
mkdir -p "$results"
exec > >(tee -a "$results/run.log") 2>&1
echo "git: $(git rev-parse --short HEAD 2>/dev/null || echo none)$(git diff --quiet 2>/dev/null || echo ' (modified)'); load average: $(cut -d' ' -f1-3 /proc/loadavg)"

echo "Building (Release)"
for project in src/PolicyGate.Cli bench/PolicyGate.Bench.Echo bench/PolicyGate.Bench; do
  dotnet build -c Release -nologo -v q "$project" >>"$work/build.log" 2>&1 || { cat "$work/build.log"; die "build of $project failed"; }
done
policygate=$root/src/PolicyGate.Cli/bin/Release/net10.0/policygate.dll
echo_server=$root/bench/PolicyGate.Bench.Echo/bin/Release/net10.0/PolicyGate.Bench.Echo.dll
bench=$root/bench/PolicyGate.Bench/bin/Release/net10.0/PolicyGate.Bench.dll
server_fixtures "$work"

# The runtime writes /tmp/perf-PID.map (names of JIT-compiled code); with W^X on, perf sees that code only as an
# anonymous double mapping, so it is turned off for the profiled processes.
# Tiered PGO on, as the image runs serve (and as the bench project, which hosts the loop, always has it).
export DOTNET_PerfMapEnabled=1 DOTNET_EnableWriteXorExecute=0 DOTNET_TieredPGO=1
columns=()

# profile_server NAME URL PID: warm-up load, then SECONDS sampled in the middle of a longer run.
profile_server() {
  local name=$1 url=$2 pid=$3 rps
  BODY_FILE=$work/body.json taskset -c "$client_cpu" wrk -t1 -c"$connections" -d"${warmup}s" --timeout 10s -s "$here/post.lua" "$url" >/dev/null 2>&1
  BODY_FILE=$work/body.json settle_jit "$name" "$pid" taskset -c "$client_cpu" wrk -t1 -c"$connections" -d5s --timeout 10s -s "$here/post.lua" "$url"
  BODY_FILE=$work/body.json taskset -c "$client_cpu" wrk -t1 -c"$connections" -d"$((seconds + 4))s" --timeout 10s -s "$here/post.lua" "$url" >"$work/wrk-$name.txt" 2>&1 &
  local wrk_pid=$!
  sleep 2
  perf record -F "$SAMPLE_HZ" -g -p "$pid" -o "$work/perf-$name.data" -- sleep "$seconds" >/dev/null 2>&1
  wait "$wrk_pid"
  rps=$(sed -n 's/^RESULT .*"rps":\([0-9.]*\).*/\1/p' "$work/wrk-$name.txt")
  [[ -n $rps ]] || die "no result from wrk for $name"
  echo "  $name: $rps requests/s under load"
  columns+=("$name=$work/perf-$name.data@$rps@$seconds")
}

echo "Under load (wrk, HTTP/1.1, $connections connections; ${warmup} s warm-up, ${seconds} s sampled)"
taskset -c "$server_cpu" dotnet exec "$echo_server" --cert-dir "$work/certs" --address 127.0.0.1 --port $bare_port >"$work/bare.log" 2>&1 &
pids+=($!)
wait_ready "bare endpoint" "${pids[-1]}" "https://127.0.0.1:$bare_port/readyz" 60
profile_server bare "https://127.0.0.1:$bare_port/validate" "${pids[-1]}"

POLICYGATE_CACHE_DIR="$work/compile-cache" taskset -c "$server_cpu" dotnet exec "$policygate" serve \
  --policies "$work/policies" --cert-dir "$work/certs" --address 127.0.0.1 --port $serve_port >"$work/serve.log" 2>&1 &
pids+=($!)
wait_ready "policygate serve" "${pids[-1]}" "https://127.0.0.1:$serve_port/readyz" 180
profile_server serve "https://127.0.0.1:$serve_port/validate" "${pids[-1]}"

POLICYGATE_CACHE_DIR="$work/compile-cache" taskset -c "$server_cpu" dotnet exec "$policygate" serve \
  --policies "$work/no-policies" --cert-dir "$work/certs" --address 127.0.0.1 --port $floor_port >"$work/floor.log" 2>&1 &
pids+=($!)
wait_ready "policygate serve (no policies)" "${pids[-1]}" "https://127.0.0.1:$floor_port/readyz" 60
profile_server floor "https://127.0.0.1:$floor_port/validate" "${pids[-1]}"

# profile_loop NAME EVICT_BYTES: serve's handler in a loop in one process, sampled after the warm-up.
profile_loop() {
  local name=$1 evict=$2 rps loop_pid
  POLICYGATE_CACHE_DIR="$work/compile-cache" taskset -c "$server_cpu" dotnet exec "$bench" handler-loop "$warmup" "$((seconds + 4))" "$evict" >"$work/$name.log" 2>&1 &
  loop_pid=$!
  pids+=("$loop_pid")
  until grep -q '^measuring' "$work/$name.log"; do
    kill -0 "$loop_pid" 2>/dev/null || { cat "$work/$name.log"; die "the handler loop stopped"; }
    sleep 0.2
  done
  sleep 2
  perf record -F "$SAMPLE_HZ" -g -p "$loop_pid" -o "$work/perf-$name.data" -- sleep "$seconds" >/dev/null 2>&1
  wait "$loop_pid"
  rps=$(sed -n 's/^requests\/s \([0-9.]*\)$/\1/p' "$work/$name.log")
  [[ -n $rps ]] || die "no result from the handler loop: $(cat "$work/$name.log")"
  echo "  $name: $rps requests/s on one thread"
  loop_columns+=("$name=$work/perf-$name.data@$rps@$seconds")
}

echo "In-process (serve's handler in a loop, no network; ${warmup} s warm-up, ${seconds} s sampled), then the same with"
echo "EVICT bytes (${EVICT:=1048576}) written after each request, as a server's other work pushes the request out of the caches"
loop_columns=()
profile_loop in-process 0
profile_loop evicted "$EVICT"
columns=("${loop_columns[@]}" "${columns[@]}")

echo
node "$here/stages.mjs" "${columns[@]}" | tee "$results/stages.txt"
echo "Written to $results/stages.txt"

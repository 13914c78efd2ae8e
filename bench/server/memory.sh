#!/usr/bin/env bash
# Memory benchmark: resident memory of `policygate serve` with POLICIES policies loaded (the startup benchmark's 50:
# 21 distinct scripts), of serve with no policies, and of the bare Kestrel TLS endpoint (bench/PolicyGate.Bench.Echo)
# that the server benchmark (run.sh) compares against. Same certificate, same body, same client as run.sh; all
# traffic stays on 127.0.0.1.
#
# All three servers start together, pinned to core SERVER_CPU. Each is measured IDLE seconds after every server
# answers /readyz ("idle"), then loaded in turn for LOAD seconds by wrk (HTTP/1.1, CONNECTIONS connections, POST
# /validate with bench/server/admission-review.json) from core CLIENT_CPU, measured as the load ends ("after load";
# the highest VmRSS seen during the load, sampled every second, is "load peak"), and again IDLE seconds later ("idle
# again"). Figures: VmRSS and VmHWM (the process's high-water mark, start-up included) from /proc/PID/status, and,
# where dotnet-counters is installed (GC_VIEW=1, the default, installs it outside the repository), the GC's own view
# after /proc is read: the heap after the last collection and the memory the GC has committed. ROUNDS > 1 starts
# fresh servers each round and prints ranges. Target: serve with 50 policies at most 250 MB (read as MiB) resident,
# judged on its high-water mark.
#
# Usage: bench/server/memory.sh            (about 5 minutes with the defaults, plus the Release build)
# Settings (environment): ROUNDS=1 LOAD=60 IDLE=10 CONNECTIONS=64 POLICIES=50 CACHE=cold SERVER_CPU=0 CLIENT_CPU=1 GC_VIEW=1
#   CACHE=cold starts serve with an empty compile cache (as a new pod does: Roslyn compiles the scripts at start-up);
#   CACHE=warm fills the cache with one start first (a restart with the cache kept).
#   DOTNET_ENV="VAR=value ..." (extra environment for every .NET server, e.g. DOTNET_GCgen0size=0x2000000),
#   SERVE_ENV="VAR=value ..." (extra environment for the two serves only), POLICYGATE_BENCH_CACHE (where
#   dotnet-counters is installed; default ~/.cache/policygate-bench), KEEP_WORK=1 keeps the temporary folder,
#   BARE_PORT=28453 SERVE_PORT=28454 EMPTY_PORT=28455 (on 127.0.0.1).
#   Results go to bench/results/memory-<UTC time>/.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
here=$root/bench/server

rounds=${ROUNDS:-1}
load=${LOAD:-60}
idle=${IDLE:-10}
connections=${CONNECTIONS:-64}
policy_count=${POLICIES:-50}
cache_mode=${CACHE:-cold}
server_cpu=${SERVER_CPU:-0}
client_cpu=${CLIENT_CPU:-1}
gc_view=${GC_VIEW:-1}
target_mib=250
counters_version=10.0.750501
cache=${POLICYGATE_BENCH_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/policygate-bench}
bare_port=${BARE_PORT:-28453} serve_port=${SERVE_PORT:-28454} empty_port=${EMPTY_PORT:-28455}
read -r -a dotnet_env <<<"${DOTNET_ENV:-}"
read -r -a serve_env <<<"${SERVE_ENV:-}"

pids=()
work=""
results=""
stop_servers() {
  declare -F stop_processes >/dev/null && stop_processes "${pids[@]}"
  pids=()
}
cleanup() {
  local status=$?
  trap - EXIT INT TERM
  stop_servers
  declare -F finish_work >/dev/null && finish_work "$work" "$results"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

die() { echo "error: $*" >&2; exit 2; }
# shellcheck source=bench/server/fixtures.sh
source "$here/fixtures.sh"

# --- Tools -------------------------------------------------------------------------------------------------------
if ! command -v wrk >/dev/null; then
  [[ $(id -u) == 0 ]] || die "wrk is missing: apt-get install -y wrk (as root)"
  echo "Installing wrk (Debian package wrk)"
  apt-get install -y -q wrk >/dev/null 2>&1 || { apt-get update -q >/dev/null && apt-get install -y -q wrk >/dev/null; }
fi
for tool in dotnet openssl curl taskset node awk; do
  command -v "$tool" >/dev/null || die "$tool is required"
done
(( $(nproc) >= 2 )) || die "needs 2 cores: servers on one, the load generator on another"
[[ $cache_mode == cold || $cache_mode == warm ]] || die "CACHE is cold or warm, not $cache_mode"
for port in $bare_port $serve_port $empty_port; do
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then die "port $port on 127.0.0.1 is in use"; fi
done
counters=$cache/tools/dotnet-counters
if [[ $gc_view == 1 && ! -x $counters ]]; then
  echo "Installing dotnet-counters $counters_version into $cache/tools"
  dotnet tool install --tool-path "$cache/tools" dotnet-counters --version "$counters_version" >/dev/null \
    || die "could not install dotnet-counters (or set GC_VIEW=0)"
fi

stamp=$(date -u +%Y%m%dT%H%M%SZ)
results=$root/bench/results/memory-$stamp
mkdir -p "$results"
work=$(mktemp -d /tmp/policygate-memorybench.XXXXXX)
exec > >(tee -a "$results/run.log") 2>&1

{
  echo "date: $stamp"
  echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | xargs) x $(nproc), memory $(awk '/^MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo)"
  echo "kernel: $(uname -r)"
  echo "dotnet: $(dotnet --version)"
  echo "wrk: $(wrk --version 2>&1 | head -1 | cut -d' ' -f1-2)"
  echo "git: $(git rev-parse --short HEAD 2>/dev/null || echo none)$(git diff --quiet 2>/dev/null || echo ' (modified)')"
  [[ -z ${DOTNET_ENV:-} ]] || echo "DOTNET_ENV: $DOTNET_ENV"
  [[ -z ${SERVE_ENV:-} ]] || echo "SERVE_ENV: $SERVE_ENV"
  echo "settings: rounds=$rounds load=${load}s idle=${idle}s connections=$connections policies=$policy_count cache=$cache_mode gc_view=$gc_view servers on cpu $server_cpu, load generator on cpu $client_cpu"
  echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
} | tee "$results/env.txt"

# --- Build, certificate, policies, body ---------------------------------------------------------------------------
echo "Building (Release)"
for project in src/PolicyGate.Cli bench/PolicyGate.Bench.Echo bench/PolicyGate.Bench; do
  dotnet build -c Release -nologo -v q "$project" >>"$work/build.txt" 2>&1 || { cat "$work/build.txt"; die "build failed"; }
done
policygate=$root/src/PolicyGate.Cli/bin/Release/net10.0/policygate.dll
echo_server=$root/bench/PolicyGate.Bench.Echo/bin/Release/net10.0/PolicyGate.Bench.Echo.dll
bench=$root/bench/PolicyGate.Bench/bin/Release/net10.0/PolicyGate.Bench.dll

server_fixtures "$work" # certs/, body.json and no-policies/, as the server benchmark has them

# The startup benchmark's policies (bench/PolicyGate.Bench/BenchPolicies.cs): monitor mode, Pod CREATE, so every one
# of them judges every request of the load and serve still allows it.
dotnet exec "$bench" write-policies "$work/bench-policies" "$policy_count"
echo "Body: $(wc -c <"$work/body.json") bytes, a Pod CREATE AdmissionReview ($here/admission-review.json)"

# --- Servers ------------------------------------------------------------------------------------------------------
declare -A pid_of port_of=([bare]=$bare_port [serve]=$serve_port [serve-empty]=$empty_port)
servers=(bare serve serve-empty)
declare -A label=([bare]="bare Kestrel echo" [serve]="serve, $policy_count policies" [serve-empty]="serve, no policies")

# serve logs at its defaults. With 50 monitor-mode policies, 13 of which would deny the body, that is 26 lines (13 KB)
# a request, over 1 GB a minute: written to a file, the disk's writeback stalled serve for seconds in one run. Its
# output goes instead through a pipe (as a container's does) to a reader on the server core that keeps the first
# lines and counts the rest.
keep_head() { # LOG
  taskset -c "$server_cpu" awk -v max=200 'NR <= max { print; fflush() } END { if (NR > max) print "... " NR - max " more lines" }' >"$1"
}
start_serve() { # NAME POLICY_DIR PORT CACHE_DIR LOG
  env "${dotnet_env[@]}" "${serve_env[@]}" POLICYGATE_CACHE_DIR="$4" taskset -c "$server_cpu" dotnet exec "$policygate" serve \
    --policies "$2" --cert-dir "$work/certs" --address 127.0.0.1 --port "$3" > >(keep_head "$5") 2>&1 &
  pids+=($!)
  pid_of[$1]=$!
}

start_servers() { # ROUND
  local round=$1 start
  rm -rf "$work/compile-cache"
  if [[ $cache_mode == warm ]]; then
    start_serve fill "$work/bench-policies" "$serve_port" "$work/compile-cache" "$work/fill-cache.log"
    wait_ready "policygate serve (filling the compile cache)" "${pid_of[fill]}" "https://127.0.0.1:$serve_port/readyz" 300
    stop_servers
  fi
  start=$SECONDS
  env "${dotnet_env[@]}" taskset -c "$server_cpu" dotnet exec "$echo_server" --cert-dir "$work/certs" --address 127.0.0.1 \
    --port $bare_port >"$work/bare-$round.log" 2>&1 &
  pids+=($!)
  pid_of[bare]=$!
  start_serve serve "$work/bench-policies" "$serve_port" "$work/compile-cache" "$work/serve-$round.log"
  start_serve serve-empty "$work/no-policies" "$empty_port" "$work/compile-cache-empty" "$work/serve-empty-$round.log"
  for server in "${servers[@]}"; do
    wait_ready "${label[$server]}" "${pid_of[$server]}" "https://127.0.0.1:${port_of[$server]}/readyz" 300
  done
  # A server that could not bind its port exits: then something else answered /readyz.
  sleep 1
  check_alive
  echo "  servers ready in $((SECONDS - start)) s (started together on cpu $server_cpu, $cache_mode compile cache)"

  # serve must have every policy ready, and every server must allow the body with its uid.
  local ready answer
  ready=$(curl -sk --max-time 10 "https://127.0.0.1:$serve_port/policies" | grep -o '"state": *"[Rr]eady"' | wc -l)
  (( ready == policy_count )) || die "serve has $ready of $policy_count policies ready"
  for server in "${servers[@]}"; do
    answer=$(curl -sk --max-time 10 -H 'Content-Type: application/json' --data-binary @"$work/body.json" \
      "https://127.0.0.1:${port_of[$server]}/validate")
    [[ $answer == *'"uid":"705ab4f5-6393-11e8-b7cc-42010a800002"'* && $answer == *'"allowed":true'* ]] \
      || die "$server did not allow the body: $answer"
  done
}

check_alive() {
  local server
  for server in "${servers[@]}"; do
    kill -0 "${pid_of[$server]}" 2>/dev/null || die "$server exited during the run (see its log excerpt in the results folder)"
  done
}

# --- Measurements -----------------------------------------------------------------------------------------------------
status_kib() { # PID FIELD -> kB from /proc/PID/status
  awk -v field="$2:" '$1 == field { print $2 }' "/proc/$1/status"
}

gc_view() { # PID -> "heap_kib committed_kib" after the last collection, or "- -"
  if [[ $gc_view != 1 ]]; then echo "- -"; return; fi
  local csv=$work/counters-$1.csv
  rm -f "$csv"
  taskset -c "$client_cpu" "$counters" collect -p "$1" --format csv --refresh-interval 1 --duration 00:00:00:02 -o "$csv" \
    --counters 'System.Runtime[dotnet.gc.last_collection.heap.size,dotnet.gc.last_collection.memory.committed_size]' \
    >/dev/null 2>&1 || true
  # The last time stamp's rows: the heap is the sum over generations.
  awk -F, 'NR > 1 { if ($1 != last) { heap = 0; committed = 0; last = $1 }
      if ($3 ~ /heap\.size/) heap += $5; if ($3 ~ /committed_size/) committed = $5 }
    END { if (last == "") print "- -"; else printf "%d %d\n", heap / 1024, committed / 1024 }' "$csv" 2>/dev/null || echo "- -"
}

record() { # ROUND SERVER PHASE [RPS] [LOAD_PEAK_KIB]: one line of results.tsv
  local pid=${pid_of[$2]} rss hwm gc
  rss=$(status_kib "$pid" VmRSS)
  hwm=$(status_kib "$pid" VmHWM)
  gc=$(gc_view "$pid")
  # round server phase VmRSS VmHWM gc_heap gc_committed (kB) req/s load_peak_VmRSS (kB)
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$rss" "$hwm" "${gc% *}" "${gc#* }" "${4:--}" "${5:--}" \
    >>"$results/results.tsv"
  printf '  %-22s %-11s VmRSS %6.1f MiB  VmHWM %6.1f MiB  GC heap %s committed %s%s\n' "${label[$2]}" "$3" \
    "$(awk -v k="$rss" 'BEGIN { print k / 1024 }')" "$(awk -v k="$hwm" 'BEGIN { print k / 1024 }')" \
    "$(mib "${gc% *}")" "$(mib "${gc#* }")" "${4:+  $4 req/s}${5:+, load peak VmRSS $(mib "$5")}"
}
mib() { [[ $1 == - ]] && echo "-" || awk -v k="$1" 'BEGIN { printf "%.1f MiB", k / 1024 }'; }

sample_peak() { # PID OUT: highest VmRSS, sampled every second until killed
  local peak=0 rss
  while :; do
    rss=$(status_kib "$1" VmRSS 2>/dev/null || echo 0)
    (( ${rss:-0} > peak )) && { peak=$rss; echo "$peak" >"$2"; }
    sleep 1
  done
}

load_server() { # ROUND SERVER
  local raw=$results/wrk-round$1-$2.txt sampler line rps
  echo 0 >"$work/peak"
  sample_peak "${pid_of[$2]}" "$work/peak" &
  sampler=$!
  BODY_FILE=$work/body.json taskset -c "$client_cpu" wrk -t1 -c"$connections" -d"${load}s" --timeout 10s --latency \
    -s "$here/post.lua" "https://127.0.0.1:${port_of[$2]}/validate" >"$raw" 2>&1 || true
  kill "$sampler" 2>/dev/null || true
  wait "$sampler" 2>/dev/null || true
  check_alive
  line=$(sed -n 's/^RESULT //p' "$raw")
  [[ -n $line ]] || die "no result from wrk (see $raw)"
  rps=$(node -p 'const r = JSON.parse(process.argv[1]); if (r.errors + r.non_2xx > 0) console.error(`  ${r.errors + r.non_2xx} errors`); Math.round(r.rps)' "$line")
  record "$1" "$2" "after-load" "$rps" "$(cat "$work/peak")"
}

: >"$results/results.tsv"
for round in $(seq "$rounds"); do
  echo "Round $round of $rounds (load average $(cut -d' ' -f1-3 /proc/loadavg))"
  start_servers "$round"
  sleep "$idle"
  for server in "${servers[@]}"; do record "$round" "$server" idle; done
  for server in "${servers[@]}"; do
    echo "  loading ${label[$server]}: ${load} s of wrk, $connections connections"
    load_server "$round" "$server"
    sleep "$idle"
    record "$round" "$server" idle-again
  done
  stop_servers
done

# --- Summary -------------------------------------------------------------------------------------------------------
echo
awk -F'\t' -v target="$target_mib" -v policies="$policy_count" -v rounds="$rounds" '
  function range(key, unit,   lo, hi, f) {
    if (!(key in n)) return "-"
    unit = unit == "" ? 1024 : unit; f = unit == 1024 ? "%.1f" : "%.0f"
    lo = min[key] / unit; hi = max[key] / unit
    return (sprintf(f, lo) == sprintf(f, hi)) ? sprintf(f, lo) : sprintf(f "-" f, lo, hi)
  }
  function ratio(server, key,   a, b) {
    if (!((server SUBSEP key) in n) || !(("bare" SUBSEP key) in n)) return ""
    a = sum[server, key] / n[server, key]; b = sum["bare", key] / n["bare", key]
    return b > 0 ? sprintf(" (%.1fx)", a / b) : ""
  }
  function add(server, key, value) {
    if (value == "-" || value == "") return
    k = server SUBSEP key
    if (!(k in n) || value < min[k]) min[k] = value
    if (!(k in n) || value > max[k]) max[k] = value
    sum[k] += value; n[k]++
  }
  {
    # round server phase VmRSS VmHWM gc_heap gc_committed req/s load_peak
    # VmHWM only grows: the last phase of a round holds the peak of that round (start-up included).
    add($2, $3 "-rss", $4); if ($3 == "idle-again") add($2, "hwm", $5); add($2, $3 "-gc", $6); add($2, $3 "-committed", $7)
    if ($3 == "after-load") { add($2, "rps", $8); add($2, "load-peak", $9) }
  }
  END {
    split("serve serve-empty bare", order, " ")
    name["serve"] = "serve, " policies " policies"; name["serve-empty"] = "serve, no policies"; name["bare"] = "bare Kestrel echo"
    printf "Resident memory (VmRSS, MiB%s; x = against the bare endpoint)\n", (rounds > 1 ? ", range over " rounds " rounds" : "")
    printf "| %-20s | %-16s | %-16s | %-16s | %-16s | %-16s | %-9s |\n", "server", "idle", "after 1 min load", "load peak", "idle again", "peak (VmHWM)", "req/s"
    printf "|%s|%s|%s|%s|%s|%s|%s|\n", "----------------------", "------------------", "------------------", "------------------", "------------------", "------------------", "-----------"
    for (i = 1; i <= 3; i++) {
      s = order[i]
      printf "| %-20s | %-16s | %-16s | %-16s | %-16s | %-16s | %-9s |\n", name[s],
        range(s SUBSEP "idle-rss") ratio(s, "idle-rss"), range(s SUBSEP "after-load-rss") ratio(s, "after-load-rss"),
        range(s SUBSEP "load-peak") ratio(s, "load-peak"), range(s SUBSEP "idle-again-rss") ratio(s, "idle-again-rss"),
        range(s SUBSEP "hwm") ratio(s, "hwm"), range(s SUBSEP "rps", 1)
    }
    if (("serve" SUBSEP "idle-gc") in n) {
      printf "\nThe GC'"'"'s view (dotnet-counters: heap after the last collection / memory the GC has committed, MiB)\n"
      printf "| %-20s | %-16s | %-16s | %-16s |\n", "server", "idle", "after 1 min load", "idle again"
      printf "|%s|%s|%s|%s|\n", "----------------------", "------------------", "------------------", "------------------"
      for (i = 1; i <= 3; i++) {
        s = order[i]
        printf "| %-20s | %-16s | %-16s | %-16s |\n", name[s],
          range(s SUBSEP "idle-gc") " / " range(s SUBSEP "idle-committed"),
          range(s SUBSEP "after-load-gc") " / " range(s SUBSEP "after-load-committed"),
          range(s SUBSEP "idle-again-gc") " / " range(s SUBSEP "idle-again-committed")
      }
    }
    peak = max["serve" SUBSEP "hwm"] / 1024
    printf "\nTarget: serve with %d policies resident at most %d MB (read as MiB), judged on its highest VmHWM (%.1f MiB): %s\n",
      policies, target, peak, peak <= target ? "met" : "MISSED"
  }' "$results/results.tsv" | tee "$results/summary.txt"

echo
echo "Raw results: ${results#"$root"/}"

# Shared by the server benchmark scripts (run.sh, profile.sh): sourced, not run. Expects die() and $root (the
# repository) to be defined by the script that sources it.

# server_fixtures WORK: into WORK, one self-signed certificate (ECDSA P-256) for every server (certs/), the benchmark's
# policies (policies/) and an empty policy folder (no-policies/), and the body (body.json; body-no-team.json without
# the team label, for Pepr's sanity check).
server_fixtures() {
  local work=$1
  mkdir -p "$work/certs"
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj /CN=localhost \
    -addext "subjectAltName=IP:127.0.0.1,DNS:localhost" \
    -keyout "$work/certs/tls.key" -out "$work/certs/tls.crt" 2>/dev/null

  # The seed policies and the capabilities, resource-limits and run-as-non-root built-ins. POST /validate evaluates
  # only validating policies, so the two built-ins whose example resources say mutating: true are loaded with false:
  # all four Pod policies (and the SQLClaim seed policy, which does not match) run on every request.
  mkdir -p "$work/policies"
  cp "$root"/policies/examples/seed-policies.yaml "$root"/policies/capabilities.yaml "$root"/policies/resource-limits.yaml \
    "$root"/policies/run-as-non-root.yaml "$work/policies/"
  sed -i 's/^  mutating: true$/  mutating: false/' "$work/policies/"*.yaml
  mkdir -p "$work/no-policies"

  # The same compact body for every server, and for Pepr's sanity check a copy without the team label.
  node -e 'process.stdout.write(JSON.stringify(JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"))))' \
    "$root/bench/server/admission-review.json" >"$work/body.json"
  sed 's/,"team":"shop"//' "$work/body.json" >"$work/body-no-team.json"
}

# wait_ready NAME PID URL DEADLINE_SECONDS [EXPECTED_CODE]: until URL answers EXPECTED_CODE (200), or die.
wait_ready() {
  local name=$1 pid=$2 url=$3 deadline=$((SECONDS + $4)) expected=${5:-200} code
  while :; do
    kill -0 "$pid" 2>/dev/null || die "$name exited during start-up (see its log)"
    code=$(curl -sk -o /dev/null --max-time 2 -w '%{http_code}' "$url" || true)
    [[ $code == "$expected" ]] && return 0
    (( SECONDS < deadline )) || die "$name not ready after $4 s ($url answered $code)"
    sleep 0.2
  done
}

# finish_work WORK RESULTS: keeps the start and end of each server log of WORK (*.log) in RESULTS as
# NAME.log.excerpt (whole logs can be large), then removes WORK, unless KEEP_WORK=1.
finish_work() {
  local work=$1 results=$2 log
  [[ -n $work ]] || return 0
  if [[ -n $results ]]; then
    for log in "$work"/*.log; do
      [[ -s $log ]] && { head -n 30 "$log"; echo "..."; tail -n 10 "$log"; } >"$results/$(basename "$log").excerpt"
    done
  fi
  if [[ ${KEEP_WORK:-0} != 1 ]]; then
    rm -rf "$work"
  else
    echo "kept $work"
  fi
}

# stop_processes PID...: SIGTERM to each, then up to 5 s for each to exit (Pepr's SIGTERM handler waits for its
# server to close, which it may never do), then SIGKILL.
stop_processes() {
  local pid
  for pid in "$@"; do
    kill -TERM "$pid" 2>/dev/null || true
  done
  for pid in "$@"; do
    for _ in $(seq 50); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
}

# tiering_ticks PID: CPU time (clock ticks) the runtime's tiered-compilation thread has used so far, 0 when it is not
# running (it exits after a few idle seconds). It stops growing once the JIT has optimised what the load runs.
tiering_ticks() {
  local task total=0
  for task in /proc/"$1"/task/*; do
    [[ $(cat "$task/comm" 2>/dev/null) == ".NET Tiered Com" ]] || continue
    # Fields after the ")" that ends the thread's name: utime and stime are the 12th and 13th.
    total=$((total + $(sed 's/.*) //' "$task/stat" | awk '{ print $12 + $13 }')))
  done
  echo "$total"
}

# settle_jit NAME PID LOAD_COMMAND...: runs LOAD_COMMAND (a 5 s load) until the JIT's tiering thread used at most 20 ms
# in one run (or has exited), at most MAX_SETTLE (120) seconds. Serve's ~7,000 methods take 20-40 s of load on one
# core, sometimes more with tiered PGO: a fixed warm-up can leave the measured part running unoptimised code.
settle_jit() {
  local name=$1 pid=$2 spent=0 before after
  shift 2
  while :; do
    before=$(tiering_ticks "$pid")
    "$@" >/dev/null 2>&1 || true
    spent=$((spent + 5))
    after=$(tiering_ticks "$pid")
    if (( after - before <= 2 )); then
      echo "  $name: the JIT settled after $spent s more of load"
      return 0
    fi
    if (( spent >= ${MAX_SETTLE:-120} )); then
      echo "  $name: the JIT was still tiering after $spent s more of load (measuring anyway)"
      return 0
    fi
  done
}

// Where a server's CPU goes, per request, by stage: reads `perf record -g` profiles (of a .NET process with
// DOTNET_PerfMapEnabled=1, so JIT-compiled frames have names) and prints microseconds per request for each stage of
// serve's request path, side by side. Used by bench/server/profile.sh.
//
// Usage: node stages.mjs LABEL=PERF_DATA@REQUESTS_PER_SECOND@SECONDS [...]
//   PERF_DATA was recorded for SECONDS at SAMPLE_HZ (environment, default 1999) while the process served
//   REQUESTS_PER_SECOND; a stage's figure is its samples / SAMPLE_HZ / (REQUESTS_PER_SECOND * SECONDS).
//
// Each sample is charged to one stage. A sample whose innermost frame is in the kernel or in OpenSSL is charged to
// those (the network stack and TLS crypto, whatever managed code asked for them). Any other sample is charged to the
// innermost managed frame that names a stage, so the runtime's own work (allocation, garbage collection, casts: frames
// in libcoreclr) and the JIT compiler's are charged to the stage that caused them and also counted apart ("of which").
import { spawn } from "node:child_process";
import { createInterface } from "node:readline";

const hz = Number(process.env.SAMPLE_HZ ?? 1999);

// First match wins, frame by frame from the innermost outwards; within one frame, the first stage in this list.
const stages = [
  ["settings bound per evaluation", /PolicyContext::GetSettings|SettingsBinder/],
  ["typed models (pod spec, metadata)", /ModelReader|ParsedRequest/],
  ["read and parse the AdmissionReview", /AdmissionReviewDocument::|AdmissionReviewReader/],
  ["policy matching", /PolicyMatcher/],
  ["the policies' own code (scripts, budget checks)", /Submission#|\[policy-[0-9a-f]|ScriptProgram|PolicyGate\.Core\.PolicyApi|PolicyGate\.Core\.Sandbox/],
  ["evaluation plumbing (context, decisions)", /AdmissionEvaluator|PolicyEvaluator|PolicyContext|PolicyDecision/],
  ["metrics and the decision line", /AdmissionHandler::Report|PolicyGateMetrics|OpenTelemetry|System\.Diagnostics\.Metrics|DecisionLogEntry/],
  ["log writer thread", /JsonLinesLoggerProvider/],
  ["write the answer", /AdmissionAnswer/],
  ["bare endpoint's handler", /EchoHandler/],
  ["handler, other", /AdmissionHandler/],
  ["ASP.NET Core: hosting, routing, middleware", /Microsoft\.AspNetCore\.(Hosting|Routing|Diagnostics|Http)\b/],
  ["Kestrel: HTTP/1.1, HTTP/2, pipes", /Kestrel|System\.IO\.Pipelines/],
  ["TLS: SslStream", /System\.Net\.Security/],
  ["sockets, epoll", /System\.Net\.Sockets/],
  ["thread pool, timers", /ThreadPool|LowLevelLifoSemaphore|LowLevelSpinWaiter|TimerQueue/],
  ["benchmark harness (in-process: the loop, cache eviction)", /ServerPathBenchmark|DefaultHttpContext/],
];
const kernel = "kernel: network stack, scheduler";
const openssl = "TLS: OpenSSL (crypto)";
const other = "other";
const runtime = "of which in the runtime (GC, allocation, casts)";
const jit = "of which in the JIT compiler";
const policyShare = [
  "settings bound per evaluation",
  "typed models (pod spec, metadata)",
  "policy matching",
  "the policies' own code (scripts, budget checks)",
  "evaluation plumbing (context, decisions)",
  "metrics and the decision line",
];

function classify(frames) {
  const leaf = frames[0];
  if (!leaf) return [other, null];
  if (leaf.dso.includes("kernel.kallsyms") || leaf.dso.includes("[vdso]")) return [kernel, null];
  if (/libcrypto|libssl/.test(leaf.dso)) return [openssl, null];
  const inRuntime = /libcoreclr/.test(leaf.dso) ? runtime : /libclrjit/.test(leaf.dso) ? jit : null;
  for (const frame of frames) {
    for (const [name, pattern] of stages) {
      if (pattern.test(frame.sym)) return [name, inRuntime];
    }
  }
  return [other, inRuntime];
}

// perf script sometimes exits 255 the first time it reads a fresh profile (and not the next): one more try.
async function profile(file) {
  try {
    return await readProfile(file);
  } catch {
    return await readProfile(file);
  }
}

async function readProfile(file) {
  const counts = new Map();
  let total = 0;
  const apart = new Map([[runtime, 0], [jit, 0]]);
  const perf = spawn("perf", ["script", "-i", file, "-F", "ip,sym,dso"], { stdio: ["ignore", "pipe", "ignore"] });
  const lines = createInterface({ input: perf.stdout });
  let frames = [];
  const flush = () => {
    if (frames.length === 0) return;
    const [stage, inRuntime] = classify(frames);
    counts.set(stage, (counts.get(stage) ?? 0) + 1);
    if (inRuntime) apart.set(inRuntime, apart.get(inRuntime) + 1);
    total++;
    frames = [];
  };
  for await (const line of lines) {
    const match = /^\s+[0-9a-f]+ (.*) \((.*)\)$/.exec(line);
    if (match) frames.push({ sym: match[1], dso: match[2] });
    else if (line.trim() === "") flush();
  }
  flush();
  const code = perf.exitCode ?? (await new Promise((resolve) => perf.on("close", resolve)));
  if (code !== 0) throw new Error(`perf script -i ${file} exited ${code}`);
  for (const [name, samples] of apart) counts.set(name, samples);
  return { counts, total };
}

const columns = [];
for (const arg of process.argv.slice(2)) {
  const [label, spec] = arg.split("=");
  const [file, rps, seconds] = spec.split("@");
  const { counts, total } = await profile(file);
  const requests = Number(rps) * Number(seconds);
  const us = (samples) => (samples / hz / requests) * 1e6;
  columns.push({ label, counts, total, us, rps: Number(rps) });
}

const rows = [...stages.map(([name]) => name), kernel, openssl, other];
const width = Math.max(...rows.map((r) => r.length), runtime.length) + 2;
const cell = (text) => String(text).padStart(12);
const line = (name, values) => console.log(name.padEnd(width) + values.map(cell).join(""));
line("µs of CPU per request", columns.map((c) => c.label));
for (const row of rows) {
  if (columns.every((c) => !c.counts.get(row))) continue;
  line(row, columns.map((c) => (c.counts.get(row) ? c.us(c.counts.get(row)).toFixed(1) : "-")));
}
line("total", columns.map((c) => c.us(c.total).toFixed(1)));
line(runtime, columns.map((c) => c.us(c.counts.get(runtime) ?? 0).toFixed(1)));
line(jit, columns.map((c) => c.us(c.counts.get(jit) ?? 0).toFixed(1)));
line("policies' share (settings ... decision line)", columns.map((c) => c.us(policyShare.reduce((sum, s) => sum + (c.counts.get(s) ?? 0), 0)).toFixed(1)));
line("requests per second during the profile", columns.map((c) => c.rps.toFixed(0)));
line("CPU used (share of one core)", columns.map((c) => (c.us(c.total) * c.rps / 1e6).toFixed(2)));

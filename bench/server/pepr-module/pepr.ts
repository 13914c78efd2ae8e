import { PeprModule } from "pepr";
import cfg from "./package.json";
import { RequireTeamLabel } from "./capabilities/require-team-label";

// Started like a deployed controller, except for the port: PEPR_BENCH_PORT (default 3000, Pepr's own).
// `pepr build` loads this file with PEPR_MODE=build only to list the capabilities; then there is nothing to start.
const module = new PeprModule(cfg, [RequireTeamLabel], { deferStart: true });
if (process.env.PEPR_MODE !== "build") {
  module.start(Number(process.env.PEPR_BENCH_PORT ?? "3000"));
}

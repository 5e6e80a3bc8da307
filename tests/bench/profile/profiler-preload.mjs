// Loaded into a benchmarked server with --import: SIGUSR2 starts the V8 CPU profiler,
// the next SIGUSR2 stops it and writes the profile to $CO_PROFILE_OUT. Only the
// measured window is profiled, not start-up or warm-up.
import { writeFileSync } from "node:fs";
import { Session } from "node:inspector/promises";

const session = new Session();
session.connect();
let running = false;
process.on("SIGUSR2", async () => {
  if (!running) {
    running = true;
    await session.post("Profiler.enable");
    await session.post("Profiler.setSamplingInterval", { interval: 100 });
    await session.post("Profiler.start");
    process.stderr.write("profiler started\n");
    return;
  }
  running = false;
  const { profile } = await session.post("Profiler.stop");
  writeFileSync(process.env.CO_PROFILE_OUT, JSON.stringify(profile));
  process.stderr.write("profiler stopped\n");
});

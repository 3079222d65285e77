// The intake benchmarks' load generator as a process of its own (fixedRateLoad
// in intake.ts forks it): given its arguments over IPC, it runs the load and
// sends back the result.
import { type IntakeResult, runFixedRateLoad } from "./intake";

process.once("message", (args) => {
  void runFixedRateLoad(...(args as Parameters<typeof runFixedRateLoad>)).then((result: IntakeResult) => process.send?.(result, () => process.exit(0)));
});

// The sandbox's ports are claimed across processes: the suite runs two test files at once, each starting
// sandboxes, and a port one process checked free is still free to the other until an app listens on it.
import { spawn } from "node:child_process";
import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";

import { describe, expect, it } from "vitest";

import { claimPort, freePort, PORT_CLAIMS } from "../sandbox/ports";

// Far above the range freePort picks from, so no sandbox of this run ever wants them.
const PORT = 33_001;
const file = path.join(PORT_CLAIMS, String(PORT));

function otherProcess() {
  const child = spawn(process.execPath, ["-e", "setInterval(() => {}, 1000)"], { stdio: "ignore" });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  return {
    pid: child.pid!,
    stop: () => {
      child.kill("SIGKILL");
      return exited;
    },
  };
}

describe("sandbox ports", () => {
  it("are not handed to a process while another living process holds them, and a dead holder's claim is cleared", async () => {
    rmSync(file, { force: true });
    const other = otherProcess();
    try {
      expect(claimPort(PORT)).toBe(true);
      expect(claimPort(PORT)).toBe(false);
      rmSync(file);

      writeFileSync(file, String(other.pid));
      expect(claimPort(PORT)).toBe(false);
      expect(readFileSync(file, "utf8")).toBe(String(other.pid));

      await other.stop();
      expect(claimPort(PORT)).toBe(false);
      expect(existsSync(file)).toBe(false);
      expect(claimPort(PORT)).toBe(true);
      expect(readFileSync(file, "utf8")).toBe(String(process.pid));
    } finally {
      await other.stop();
      rmSync(file, { force: true });
    }
  });

  it("hands out ports this process has claimed", async () => {
    const port = await freePort();
    expect(readFileSync(path.join(PORT_CLAIMS, String(port)), "utf8")).toBe(String(process.pid));
  });
});

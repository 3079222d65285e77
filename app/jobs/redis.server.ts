// Redis connections of the process (REDIS_URL): one for commands (the shared
// send pacing, BullMQ workers, which open their own blocking connection from
// it) and, in web processes, one for announcing receipts that fails fast while
// Redis is away instead of holding a webhook's answer (the database poll then
// finds the receipt). Kept on globalThis so a dev-server reload reuses them.
import { Redis, type RedisOptions } from "ioredis";

import { log } from "../core/log.server";

type Role = "commands" | "producer";

const holder = globalThis as unknown as { zapRedis?: Map<string, Redis> };

const OPTIONS: Record<Role, RedisOptions> = {
  // Commands wait for a reconnect rather than fail: sends pause while Redis is away.
  commands: { maxRetriesPerRequest: null },
  // Announcing is best effort (the poll is the safety net): never queue it offline.
  producer: { maxRetriesPerRequest: 1, enableOfflineQueue: false },
};

export function redisConnection(url: string, role: Role): Redis {
  holder.zapRedis ??= new Map();
  const key = `${role} ${url}`;
  let client = holder.zapRedis.get(key);
  if (!client) {
    client = new Redis(url, { ...OPTIONS[role], connectionName: `zap-${process.env.ZAP_PROCESS ?? "app"}-${role}` });
    let reported = false;
    client.on("error", (error: Error) => {
      // ioredis retries by itself; say so once per outage, not once per attempt.
      if (!reported) log.warn({ err: error, role }, "Redis is unreachable; retrying");
      reported = true;
    });
    client.on("ready", () => {
      if (reported) log.info({ role }, "Redis is reachable again");
      reported = false;
    });
    holder.zapRedis.set(key, client);
  }
  return client;
}

/** Closes the process's Redis connections (after the work using them has stopped). */
export async function closeRedisConnections(): Promise<void> {
  const clients = [...(holder.zapRedis?.values() ?? [])];
  holder.zapRedis?.clear();
  await Promise.all(clients.map((client) => client.quit().catch(() => client.disconnect())));
}

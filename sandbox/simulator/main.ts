// Runs the WhatsApp Cloud API simulator on its own:
//   SIM_PORT=4010 META_APP_SECRET=… SIM_WEBHOOK_URL=http://127.0.0.1:3000/webhooks/whatsapp npm run simulator
import { startSimulator } from "./server";

const appSecret = process.env.META_APP_SECRET;
if (!appSecret) {
  console.error("META_APP_SECRET is required: the simulator signs webhooks with it, as Meta does.");
  process.exit(1);
}

const simulator = await startSimulator({
  port: Number(process.env.SIM_PORT ?? 4010),
  appId: process.env.META_APP_ID,
  appSecret,
  webhookUrl: process.env.SIM_WEBHOOK_URL,
  settings: process.env.SIM_RATE_PER_SECOND ? { ratePerSecond: Number(process.env.SIM_RATE_PER_SECOND) } : {},
});
console.log(`WhatsApp Cloud API simulator on ${simulator.url} (control API under ${simulator.url}/_sim/)`);
console.log(process.env.SIM_WEBHOOK_URL ? `Webhooks go to ${process.env.SIM_WEBHOOK_URL}` : "SIM_WEBHOOK_URL is not set: no webhooks will be sent");

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => void simulator.close().then(() => process.exit(0)));
}

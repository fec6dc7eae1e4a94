export type { ExpectOptions } from "./client.ts";
export { SandboxClient, SandboxUserHandle } from "./client.ts";
export type { Sandbox, SandboxOptions } from "./server.ts";
export { createSandbox, DEFAULT_SANDBOX_TOKEN } from "./server.ts";
export type {
  CallbackAnswer,
  CallRecord,
  ChatEntry,
  FaultSpec,
  PaymentResult,
  PaymentStatus,
  SandboxEvent,
  TgUser,
} from "./types.ts";
export { World } from "./world.ts";

import { ApiError } from "../errors.ts";
import type { FaultSpec } from "../types.ts";
import type { World } from "../world.ts";

// Injected faults: the next N calls of a method fail with a chosen error and/or answer late.

export function addFault(world: World, spec: FaultSpec): void {
  const count = spec.count ?? (spec.error_code ? 1 : Number.POSITIVE_INFINITY);
  world.faults.push({ ...spec, method: spec.method.toLowerCase(), remaining: count });
}

/** Consumes the matching fault (if any) for one call. */
export function takeFault(world: World, method: string): { latencyMs: number; error?: ApiError } {
  const lower = method.toLowerCase();
  let latencyMs = 0;
  let error: ApiError | undefined;
  for (const fault of world.faults) {
    if (fault.remaining <= 0 || (fault.method !== lower && fault.method !== "*")) continue;
    if (fault.error_code === undefined) {
      latencyMs += fault.latency_ms ?? 0;
      fault.remaining--;
      continue;
    }
    if (error) continue;
    fault.remaining--;
    latencyMs += fault.latency_ms ?? 0;
    error = faultError(fault);
  }
  world.faults = world.faults.filter((f) => f.remaining > 0);
  return error ? { latencyMs, error } : { latencyMs };
}

function faultError(f: FaultSpec): ApiError {
  const code = f.error_code!;
  if (code === 429) {
    const retryAfter = f.retry_after ?? 1;
    return new ApiError(429, f.description ?? `Too Many Requests: retry after ${retryAfter}`, {
      retry_after: retryAfter,
    });
  }
  const defaults: Record<number, string> = {
    400: "Bad Request: injected fault",
    403: "Forbidden: bot was blocked by the user",
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
    504: "Gateway Timeout",
  };
  return new ApiError(code, f.description ?? defaults[code] ?? `Error ${code}`);
}

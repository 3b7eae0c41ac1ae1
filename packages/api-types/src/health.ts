/** `GET /healthz`: the process answers. */
export interface HealthJson {
  status: "ok";
}

/** `GET /readyz`: 200 when ready, 503 when storage (or a configured Redis) cannot be reached. */
export interface ReadinessJson {
  status: "ready" | "not_ready";
  storage: "ok" | "unreachable";
  redis: "ok" | "unreachable" | "not_configured";
}

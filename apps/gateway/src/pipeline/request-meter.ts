import type { Usage } from "@bentoo/core";

/** What a gateway request did, filled in along the pipeline and read by the audit record and the metrics. */
export interface RequestMeter {
  model: string | null;
  provider: string | null;
  usage: Usage | null;
  costMicros: number | null;
  /** Time spent on the upstream (to the answer, or to the end of the stream), ms. */
  upstreamMs: number | null;
}

declare module "fastify" {
  interface FastifyRequest {
    meter: RequestMeter | null;
    /** The error code the response carried, when it was an error. */
    errorCode: string | null;
  }
}

export function newMeter(model: string): RequestMeter {
  return { model, provider: null, usage: null, costMicros: null, upstreamMs: null };
}

import type { Transport } from "../../transport.js";
import { Logs } from "./logs.js";

/** `client.audit`: the Audit API. */
export class Audit {
  readonly logs: Logs;

  constructor(transport: Transport) {
    this.logs = new Logs(transport);
  }
}

import type { Transport } from "../../transport.js";
import { Completions } from "./completions.js";

/** `client.chat`: groups the chat endpoints, as in OpenAI's SDK. */
export class Chat {
  readonly completions: Completions;

  constructor(transport: Transport) {
    this.completions = new Completions(transport);
  }
}

/** A bad configuration value; main.ts prints the message (which names the variable) and exits 1. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ConfigError";
  }
}

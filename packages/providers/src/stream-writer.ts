import type { Writable } from "node:stream";

/**
 * Writes `chunk` and, when the destination's buffer is full, waits for it to
 * drain. Resolves false when the destination closed (the client went away).
 */
export function writeChunk(destination: Writable, chunk: Uint8Array | string): Promise<boolean> | boolean {
  if (destination.destroyed || destination.writableEnded) return false;
  if (destination.write(chunk)) return true;
  return new Promise((resolve) => {
    const done = (drained: boolean) => {
      destination.off("drain", onDrain);
      destination.off("close", onClose);
      destination.off("error", onClose);
      resolve(drained);
    };
    const onDrain = () => done(true);
    const onClose = () => done(false);
    destination.on("drain", onDrain);
    destination.on("close", onClose);
    destination.on("error", onClose);
  });
}

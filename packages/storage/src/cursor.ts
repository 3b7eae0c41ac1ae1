/**
 * Opaque keyset-pagination cursors: base64url of `[createdAt, id]` of the last
 * row of a page (`[timestamp, id]` for the audit log). Clients pass them back untouched; a cursor that does not decode
 * is a client mistake, reported as such by the caller.
 */
export interface CursorPosition {
  createdAt: number;
  id: string;
}

export function encodeCursor(position: CursorPosition): string {
  return Buffer.from(JSON.stringify([position.createdAt, position.id])).toString("base64url");
}

export function decodeCursor(cursor: string): CursorPosition | null {
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
    if (Array.isArray(value) && value.length === 2 && Number.isSafeInteger(value[0]) && typeof value[1] === "string") {
      return { createdAt: value[0] as number, id: value[1] };
    }
  } catch {
    // fall through
  }
  return null;
}

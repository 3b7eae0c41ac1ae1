import { BentooError, type Page } from "@bentoo/core";
import { type CursorPosition, decodeCursor, encodeCursor } from "../cursor.js";

export function requireCursor(cursor: string | null | undefined): CursorPosition | null {
  if (cursor === undefined || cursor === null || cursor === "") return null;
  const position = decodeCursor(cursor);
  if (position === null)
    throw new BentooError("invalid_request", "cursor is not a cursor this server issued; pass next_cursor from the previous page unchanged.", {
      param: "cursor",
    });
  return position;
}

/** Turns `limit + 1` fetched rows into a page and the cursor of its last row. */
export function toPage<Row extends { created_at: number; id: string }, Item>(rows: Row[], limit: number, map: (row: Row) => Item): Page<Item> {
  const hasMore = rows.length > limit;
  const pageRows = hasMore ? rows.slice(0, limit) : rows;
  const last = pageRows.at(-1);
  return {
    items: pageRows.map(map),
    nextCursor: hasMore && last !== undefined ? encodeCursor({ createdAt: last.created_at, id: last.id }) : null,
  };
}

export { decodeCursor, encodeCursor } from "./cursor.js";
export { dialectOf, dropPostgresSchema, type KyselyStorage, type OpenStorageOptions, openStorage } from "./open-storage.js";
export { AuditQueueFullError, RecordWriter, type RecordWriterOptions, type RecordWriterStats } from "./record-writer.js";
export type { Database } from "./schema.js";

export { openStorage, dropPostgresSchema, dialectOf, type KyselyStorage, type OpenStorageOptions } from "./open-storage.js";
export { RecordWriter, AuditQueueFullError, type RecordWriterOptions, type RecordWriterStats } from "./record-writer.js";
export type { Database } from "./schema.js";
export { encodeCursor, decodeCursor } from "./cursor.js";

export { decodeCursor, encodeCursor } from "./cursor.js";
export { JournalInUseError } from "./journal/journal-lock.js";
export { RecordJournal, type RecordJournalOptions } from "./journal/record-journal.js";
export { type JournalReplay, type JournalReplayOptions, type ReplayedLedgerEntry, replayJournal } from "./journal/replay-journal.js";
export { dialectOf, dropPostgresSchema, type KyselyStorage, type OpenStorageOptions, openStorage } from "./open-storage.js";
export { AuditQueueFullError, RecordWriter, type RecordWriterOptions, type RecordWriterStats } from "./record-writer.js";
export { backfillUsageRollups, planUsageBackfill, type UsageBackfillOptions } from "./rollups/backfill-usage.js";
export type { Database } from "./schema.js";

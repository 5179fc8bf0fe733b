/**
 * How a session's facts are stored: one op-log record per command (or per propagation step), so a
 * command's facts are durable together or not at all. Mask bytes ride in the record's binary
 * attachment; the JSON payload points at them (`{ $bin: [offset, length] }`).
 */
import { type DurableFact, packBinary, unpackBinary } from '@roto/shared';
import type { AppendInput, LogRecord } from '../storage/index.ts';

/** A fact before the log gave it a seq. */
export type FactBody = DurableFact extends infer F ? (F extends DurableFact ? Omit<F, 'seq'> : never) : never;

/** The log record type of the session layer's records (ingest writes its own types before them). */
export const FACTS_RECORD_TYPE = 'facts';

/** What produced a record: a command, an undo or redo of one, a step of a job, the server itself. */
export type RecordKind = 'command' | 'undo' | 'redo' | 'job' | 'system';

/** The payload of a `facts` record, as the session layer reads it back. */
export interface FactsRecord {
  kind: RecordKind;
  /** The command's event name (`prompt:add`), for `command`, `undo` and `redo` records. */
  command?: string;
  /** The client-generated command id (dedupe). */
  commandId?: string;
  /** The client id whose history the record belongs to. */
  by?: string;
  facts: FactBody[];
  /** Facts that undo this record (undoable commands and redos). */
  undo?: FactBody[];
  /** Facts that redo an undone command (undo records). */
  redo?: FactBody[];
}

/** The append input for a facts record. */
export function encodeFactsRecord(record: FactsRecord): AppendInput {
  const { json, bin } = packBinary(record);
  return bin
    ? { type: FACTS_RECORD_TYPE, payload: json, attachment: bin }
    : { type: FACTS_RECORD_TYPE, payload: json };
}

/** Reads a facts record back (the server wrote it, so it is trusted). */
export function decodeFactsRecord(record: LogRecord): FactsRecord {
  return unpackBinary(
    record.attachment ? { json: record.payload, bin: record.attachment } : { json: record.payload },
  ) as FactsRecord;
}

/** The record's facts with their seq, as clients receive them. */
export function withSeq(facts: readonly FactBody[], seq: number): DurableFact[] {
  return facts.map((f) => ({ ...f, seq }) as DurableFact);
}

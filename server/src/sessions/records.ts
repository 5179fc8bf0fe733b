/**
 * How a session's facts are stored: one op-log record per command (or per propagation step), so a
 * command's facts are durable together or not at all. Mask bytes ride in the record's binary
 * attachment; the JSON payload points at them (`{ $bin: [offset, length] }`).
 */
import type { DurableFact } from '@roto/shared';
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

interface BinRef {
  $bin: [number, number];
}

function isBinRef(v: unknown): v is BinRef {
  return typeof v === 'object' && v !== null && Array.isArray((v as BinRef).$bin) && Object.keys(v).length === 1;
}

/** Replaces every Uint8Array inside `value` by a reference into one attachment. */
export function packBinary(value: unknown): { json: unknown; attachment: Uint8Array | undefined } {
  const parts: Uint8Array[] = [];
  let offset = 0;
  const walk = (v: unknown): unknown => {
    if (v instanceof Uint8Array) {
      const ref: BinRef = { $bin: [offset, v.byteLength] };
      parts.push(v);
      offset += v.byteLength;
      return ref;
    }
    if (Array.isArray(v)) return v.map(walk);
    if (typeof v === 'object' && v !== null) {
      const out: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v)) if (x !== undefined) out[k] = walk(x);
      return out;
    }
    return v;
  };
  const json = walk(value);
  if (parts.length === 0) return { json, attachment: undefined };
  const attachment = new Uint8Array(offset);
  let at = 0;
  for (const p of parts) {
    attachment.set(p, at);
    at += p.byteLength;
  }
  return { json, attachment };
}

/** The inverse of `packBinary`: references become (copied) Uint8Arrays again. */
export function unpackBinary(json: unknown, attachment: Uint8Array | undefined): unknown {
  const walk = (v: unknown): unknown => {
    if (isBinRef(v)) {
      const [start, length] = v.$bin;
      if (!attachment || start + length > attachment.byteLength) throw new Error('record references bytes it does not carry');
      return attachment.slice(start, start + length);
    }
    if (Array.isArray(v)) return v.map(walk);
    if (typeof v === 'object' && v !== null) {
      const out: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v)) out[k] = walk(x);
      return out;
    }
    return v;
  };
  return walk(json);
}

/** The append input for a facts record. */
export function encodeFactsRecord(record: FactsRecord): AppendInput {
  const { json, attachment } = packBinary(record);
  return attachment ? { type: FACTS_RECORD_TYPE, payload: json, attachment } : { type: FACTS_RECORD_TYPE, payload: json };
}

/** Reads a facts record back (the server wrote it, so it is trusted). */
export function decodeFactsRecord(record: LogRecord): FactsRecord {
  return unpackBinary(record.payload, record.attachment) as FactsRecord;
}

/** The record's facts with their seq, as clients receive them. */
export function withSeq(facts: readonly FactBody[], seq: number): DurableFact[] {
  return facts.map((f) => ({ ...f, seq }) as DurableFact);
}

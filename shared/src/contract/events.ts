import { z } from 'zod';
import { PackedSchema, unpackBinary } from './binary-pack.ts';
import { ColorSchema, MediaInfoSchema, ObjectIdSchema, TrackedObjectSchema } from './media.ts';
import type { SessionNoticeFact } from './notices.ts';
import { SnapshotIngestSchema } from './notices.ts';
import { BoxSchema, MAX_PROMPT_POINTS, PointSchema, PromptSetSchema } from './prompts.ts';
import { ProtocolVersionSchema } from './protocol.ts';
import type { Result } from './result.ts';

export * from './access.ts';
export * from './notices.ts';

/**
 * The realtime contract: every Socket.IO event name and payload. Client → server messages are
 * imperative commands acked with a `Result`; server → client messages are past-tense facts. Durable
 * facts carry the `seq` of the log record they were stored in; the rules are in
 * `server/src/realtime/README.md` (R1, R2, …).
 */

/** Most objects one session may hold. */
export const MAX_OBJECTS_PER_SESSION = 256;
/** Most mask entries one `masks:fetch` answers with; page with `fromFrame` for more. */
export const MAX_MASKS_PER_FETCH = 512;
/** Largest command payload (JSON) the server accepts, in bytes; larger ones fail with PAYLOAD_TOO_LARGE. */
export const MAX_COMMAND_BYTES = 64 * 1024;

/** A frame index (0-based). */
export const FrameIndexSchema = z
  .number()
  .int({ error: 'frame must be a whole number' })
  .nonnegative({ error: 'frame must be ≥ 0' });

/** Client-generated id of one command; a retry with the same id gets the first answer (dedupe). */
export const CommandIdSchema = z
  .string({ error: 'commandId is required (a client-generated unique string)' })
  .min(1, { error: 'commandId must not be empty' })
  .max(100, { error: 'commandId must be at most 100 characters' });

/** Bytes on the wire: Node peers receive a Buffer, browsers an ArrayBuffer; both become a Uint8Array. */
export const BytesSchema = z
  .custom<Uint8Array | ArrayBuffer>((v) => v instanceof Uint8Array || v instanceof ArrayBuffer, {
    error: 'expected binary data',
  })
  .transform((b): Uint8Array => (b instanceof Uint8Array ? b : new Uint8Array(b)));

const command = <T extends z.ZodRawShape>(shape: T) => z.object({ commandId: CommandIdSchema, ...shape });

// ── commands ─────────────────────────────────────────────────────────────────────────────────────

/** Who a participant is, as the others see them. */
export const UserSchema = z.object({
  name: z
    .string()
    .trim()
    .min(1, { error: 'user.name must not be empty' })
    .max(64, { error: 'user.name must be at most 64 characters' }),
  color: ColorSchema.optional(),
});
export type User = z.infer<typeof UserSchema>;

/** `session:join`: enter a session (or re-enter after a disconnect, with the last seq seen). */
export const JoinCommandSchema = z.object({
  protocolVersion: ProtocolVersionSchema,
  sessionId: z.string().min(1).max(128),
  token: z.string().max(4096).optional(),
  /** The highest fact seq this client has applied; the ack then carries every later fact. */
  lastSeq: z.number().int().nonnegative().optional(),
  /** Stable per browser tab across reconnects: undo/redo history belongs to it. Defaults to the socket id. */
  clientId: z.string().min(1).max(100).optional(),
  user: UserSchema,
});
export type JoinCommand = z.infer<typeof JoinCommandSchema>;

/** `prompt:add`: add clicks (and/or a box) for one object on one frame; creates the object when `objectId` is absent. */
export const PromptAddCommandSchema = command({
  frame: FrameIndexSchema,
  objectId: ObjectIdSchema.optional(),
  points: z
    .array(PointSchema)
    .max(MAX_PROMPT_POINTS, { error: `at most ${MAX_PROMPT_POINTS} points per prompt` })
    .default([]),
  box: BoxSchema.optional(),
  /**
   * Feed the frame's previous mask to the model with the merged prompts (SAM's refinement of an
   * existing mask) instead of decoding from the prompts alone.
   */
  refine: z.boolean().optional(),
}).refine((p) => p.points.length > 0 || p.box !== undefined, {
  error: 'a prompt needs at least one point or a box',
});
export type PromptAddCommand = z.infer<typeof PromptAddCommandSchema>;

/** `prompt:clear`: remove an object's prompts (and its mask) on a frame. */
export const PromptClearCommandSchema = command({ frame: FrameIndexSchema, objectId: ObjectIdSchema });
export type PromptClearCommand = z.infer<typeof PromptClearCommandSchema>;

const ObjectNameSchema = TrackedObjectSchema.shape.name;

/** `object:create`: add an object to the list (name and colour chosen by the server when absent). */
export const ObjectCreateCommandSchema = command({
  name: ObjectNameSchema.optional(),
  color: ColorSchema.optional(),
});
export type ObjectCreateCommand = z.infer<typeof ObjectCreateCommandSchema>;

/** `object:update`: rename or recolour an object. */
export const ObjectUpdateCommandSchema = command({
  objectId: ObjectIdSchema,
  name: ObjectNameSchema.optional(),
  color: ColorSchema.optional(),
});
export type ObjectUpdateCommand = z.infer<typeof ObjectUpdateCommandSchema>;

/** `object:delete`: remove an object with its prompts and masks. */
export const ObjectDeleteCommandSchema = command({ objectId: ObjectIdSchema });
export type ObjectDeleteCommand = z.infer<typeof ObjectDeleteCommandSchema>;

export const DirectionSchema = z.enum(['forward', 'backward', 'both']);
export type Direction = z.infer<typeof DirectionSchema>;

/** An inclusive frame range. */
export const FrameRangeSchema = z
  .object({ from: FrameIndexSchema, to: FrameIndexSchema })
  .refine((r) => r.from <= r.to, { error: 'range.from must be ≤ range.to', path: ['to'] });
export type FrameRange = z.infer<typeof FrameRangeSchema>;

/** `propagation:start`: track objects from their prompted frames through the video. */
export const PropagationStartCommandSchema = command({
  direction: DirectionSchema.default('forward'),
  range: FrameRangeSchema.optional(),
  objectIds: z.array(ObjectIdSchema).min(1).max(MAX_OBJECTS_PER_SESSION).optional(),
});
export type PropagationStartCommand = z.infer<typeof PropagationStartCommandSchema>;

/** `job:cancel`: stop a running job (masks already streamed stay). */
export const JobCancelCommandSchema = command({ jobId: z.string().min(1).max(100) });
export type JobCancelCommand = z.infer<typeof JobCancelCommandSchema>;

/** `history:undo` / `history:redo`: undo or redo the sender's own last edit. */
export const HistoryCommandSchema = command({});
export type HistoryCommand = z.infer<typeof HistoryCommandSchema>;

/** `presence:update` (volatile, never stored, no ack needed). */
export const PresenceUpdateSchema = z.object({
  cursor: z.object({ x: z.number().finite(), y: z.number().finite() }).nullable().optional(),
  frame: FrameIndexSchema.optional(),
  selectedObjectId: ObjectIdSchema.nullable().optional(),
});
export type PresenceUpdate = z.infer<typeof PresenceUpdateSchema>;

/** `masks:fetch` (a query, not a command): stored masks, e.g. for a late joiner or a frame scrub. */
export const MasksFetchQuerySchema = z.object({
  objectIds: z.array(ObjectIdSchema).max(MAX_OBJECTS_PER_SESSION).optional(),
  range: FrameRangeSchema.optional(),
  limit: z.number().int().positive().max(MAX_MASKS_PER_FETCH).default(MAX_MASKS_PER_FETCH),
});
export type MasksFetchQuery = z.infer<typeof MasksFetchQuerySchema>;

// ── facts ────────────────────────────────────────────────────────────────────────────────────────

/** Where a mask came from: a click on that frame, or tracking from a prompted frame. */
export const MaskSourceSchema = z.enum(['prompt', 'propagation', 'restore']);
export type MaskSource = z.infer<typeof MaskSourceSchema>;

const durable = <T extends string, S extends z.ZodRawShape>(type: T, shape: S) =>
  z.object({ type: z.literal(type), seq: z.number().int().positive(), ...shape });

export const MaskUpdatedFactSchema = durable('mask:updated', {
  objectId: ObjectIdSchema,
  frame: FrameIndexSchema,
  /** Per (object, frame), +1 on every change. */
  version: z.number().int().positive(),
  /** The mask in the RM binary RLE codec (`decodeMask`). */
  mask: BytesSchema,
  /** False when the model judges the object absent on this frame (the mask is then empty). */
  present: z.boolean(),
  source: MaskSourceSchema,
  /** For propagated masks: the tracking direction that produced it. */
  direction: z.enum(['forward', 'backward']).optional(),
});
export const MasksRemovedFactSchema = durable('masks:removed', {
  objectId: ObjectIdSchema,
  frames: z.array(FrameIndexSchema),
});
export const MasksStaleFactSchema = durable('masks:stale', {
  objectId: ObjectIdSchema,
  frames: z.array(FrameIndexSchema),
});
export const ObjectCreatedFactSchema = durable('object:created', { object: TrackedObjectSchema });
export const ObjectUpdatedFactSchema = durable('object:updated', { object: TrackedObjectSchema });
export const ObjectDeletedFactSchema = durable('object:deleted', { objectId: ObjectIdSchema });
export const PromptsUpdatedFactSchema = durable('prompts:updated', {
  objectId: ObjectIdSchema,
  frame: FrameIndexSchema,
  /** The object's prompts on the frame after the change; null when none are left. */
  prompts: PromptSetSchema.nullable(),
});

/** A job as participants see it. */
export const JobInfoSchema = z.object({
  jobId: z.string(),
  kind: z.literal('propagation'),
  direction: DirectionSchema,
  objectIds: z.array(ObjectIdSchema),
  range: z.object({ from: FrameIndexSchema, to: FrameIndexSchema }),
  /** Who started it (participant display name). */
  startedBy: z.string(),
});
export type JobInfo = z.infer<typeof JobInfoSchema>;

/** Progress of a running job. `counter` rises by one with every report, so stale reports can be dropped. */
export const JobProgressSchema = z.object({
  done: z.number().int().nonnegative(),
  total: z.number().int().nonnegative(),
  fps: z.number().nonnegative(),
  etaSec: z.number().nonnegative().nullable(),
  counter: z.number().int().nonnegative(),
});
export type JobProgress = z.infer<typeof JobProgressSchema>;

export const JobStartedFactSchema = durable('job:started', {
  job: JobInfoSchema,
  total: z.number().int().nonnegative(),
});
export const JobFinishedFactSchema = durable('job:finished', {
  jobId: z.string(),
  done: z.number().int().nonnegative(),
});
export const JobFailedFactSchema = durable('job:failed', {
  jobId: z.string(),
  error: z.object({ code: z.string(), message: z.string() }),
});
export const JobCancelledFactSchema = durable('job:cancelled', {
  jobId: z.string(),
  done: z.number().int().nonnegative(),
  reason: z.string(),
});

/** Every durable fact, discriminated by `type`. */
export const DurableFactSchema = z.discriminatedUnion('type', [
  MaskUpdatedFactSchema,
  MasksRemovedFactSchema,
  MasksStaleFactSchema,
  ObjectCreatedFactSchema,
  ObjectUpdatedFactSchema,
  ObjectDeletedFactSchema,
  PromptsUpdatedFactSchema,
  JobStartedFactSchema,
  JobFinishedFactSchema,
  JobFailedFactSchema,
  JobCancelledFactSchema,
]);
export type DurableFact = z.infer<typeof DurableFactSchema>;
export type DurableFactType = DurableFact['type'];
/** A durable fact of one type. */
export type FactOf<T extends DurableFactType> = Extract<DurableFact, { type: T }>;

/** A participant as listed in the snapshot. */
export const ParticipantSchema = z.object({
  participantId: z.string(),
  user: UserSchema,
  role: z.enum(['editor', 'viewer']),
  presence: PresenceUpdateSchema,
});
export type Participant = z.infer<typeof ParticipantSchema>;

/** Volatile facts: not stored, no seq. */
export const JobProgressedFactSchema = z.object({
  type: z.literal('job:progressed'),
  jobId: z.string(),
  progress: JobProgressSchema,
});
export const ParticipantJoinedFactSchema = z.object({
  type: z.literal('participant:joined'),
  participant: ParticipantSchema,
});
export const ParticipantLeftFactSchema = z.object({
  type: z.literal('participant:left'),
  participantId: z.string(),
});
export const PresenceUpdatedFactSchema = z.object({
  type: z.literal('presence:updated'),
  participantId: z.string(),
  presence: PresenceUpdateSchema,
});
export type VolatileFact =
  | z.infer<typeof JobProgressedFactSchema>
  | z.infer<typeof ParticipantJoinedFactSchema>
  | z.infer<typeof ParticipantLeftFactSchema>
  | z.infer<typeof PresenceUpdatedFactSchema>;

/** Any fact the server emits. */
export type Fact = DurableFact | VolatileFact;

// ── snapshot and acks ────────────────────────────────────────────────────────────────────────────

/** One stored mask as the snapshot indexes it (bytes come with facts or `masks:fetch`). */
export const MaskIndexEntrySchema = z.object({
  objectId: ObjectIdSchema,
  frame: FrameIndexSchema,
  version: z.number().int().positive(),
  present: z.boolean(),
  source: MaskSourceSchema,
  /** Computed from prompts that have changed since (see `masks:stale`). */
  stale: z.boolean(),
});
export type MaskIndexEntry = z.infer<typeof MaskIndexEntrySchema>;

/** A stored mask with its bytes (`masks:fetch`). */
export const StoredMaskSchema = MaskIndexEntrySchema.extend({ mask: BytesSchema });
export type StoredMask = z.infer<typeof StoredMaskSchema>;

/** A running job in the snapshot. */
export const RunningJobSchema = z.object({ job: JobInfoSchema, progress: JobProgressSchema });
export type RunningJob = z.infer<typeof RunningJobSchema>;

/** The whole session as a participant needs it on join. */
export const SessionSnapshotSchema = z.object({
  sessionId: z.string(),
  media: MediaInfoSchema,
  objects: z.array(TrackedObjectSchema),
  prompts: z.array(z.object({ objectId: ObjectIdSchema, frame: FrameIndexSchema, prompts: PromptSetSchema })),
  masks: z.array(MaskIndexEntrySchema),
  participants: z.array(ParticipantSchema),
  jobs: z.array(RunningJobSchema),
  /** The state includes every fact up to this seq. */
  seq: z.number().int().nonnegative(),
  /**
   * `ingesting`: the media is still being decoded (objects, prompts and masks are empty, commands
   * are CONFLICT); `ingest:progressed` facts follow, then `ingest:finished`, after which the client
   * joins again. Absent means `ready` (servers before this field never sent it).
   */
  status: z.enum(['ingesting', 'ready']).optional(),
  /** While `ingesting`: the latest progress (absent before the first report). */
  ingest: SnapshotIngestSchema.optional(),
});
export type SessionSnapshot = z.infer<typeof SessionSnapshotSchema>;

/** What a (re)joining client gets: the snapshot, and the facts after its `lastSeq` when they are still known. */
export const JoinAckSchema = z.object({
  participantId: z.string(),
  role: z.enum(['editor', 'viewer']),
  snapshot: SessionSnapshotSchema,
  /**
   * `ok`: `facts` packs every durable fact in (lastSeq, snapshot.seq] (read them with
   * `unpackFacts`); `reset`: too old or unknown, rebuild from the snapshot and `masks:fetch`.
   */
  catchUp: z.discriminatedUnion('status', [
    z.object({ status: z.literal('ok'), facts: PackedSchema }),
    z.object({ status: z.literal('reset') }),
  ]),
});
export type JoinAck = z.infer<typeof JoinAckSchema>;

/** The catch-up facts of a join ack (empty for `reset`), parsed. */
export function unpackFacts(catchUp: JoinAck['catchUp']): DurableFact[] {
  if (catchUp.status !== 'ok') return [];
  return z.array(DurableFactSchema).parse(unpackBinary(PackedSchema.parse(catchUp.facts)));
}

export const PromptAddAckSchema = z.object({
  seq: z.number().int().positive(),
  objectId: ObjectIdSchema,
  frame: FrameIndexSchema,
  mask: MaskUpdatedFactSchema,
});
export type PromptAddAck = z.infer<typeof PromptAddAckSchema>;
export const SeqAckSchema = z.object({ seq: z.number().int().positive() });
export type SeqAck = z.infer<typeof SeqAckSchema>;
export const ObjectAckSchema = z.object({ seq: z.number().int().positive(), object: TrackedObjectSchema });
export type ObjectAck = z.infer<typeof ObjectAckSchema>;
export const JobAckSchema = z.object({ jobId: z.string() });
export type JobAck = z.infer<typeof JobAckSchema>;
export const HistoryAckSchema = z.object({ seq: z.number().int().positive(), command: z.string() });
export type HistoryAck = z.infer<typeof HistoryAckSchema>;
/** `masks:fetch` answer: the masks packed (read them with `unpackMasks`), `more` when the limit cut the list. */
export const MasksFetchAckSchema = z.object({ masks: PackedSchema, more: z.boolean() });
export type MasksFetchAck = z.infer<typeof MasksFetchAckSchema>;

/** The masks of a `masks:fetch` answer, parsed. */
export function unpackMasks(ack: MasksFetchAck): StoredMask[] {
  return z.array(StoredMaskSchema).parse(unpackBinary(PackedSchema.parse(ack.masks)));
}

// ── Socket.IO generics ───────────────────────────────────────────────────────────────────────────

type Ack<T> = (result: Result<T>) => void;

/** Commands and queries a client sends; every one but presence is acked with a `Result`. */
export interface ClientToServerEvents {
  'session:join': (payload: z.input<typeof JoinCommandSchema>, ack: Ack<JoinAck>) => void;
  'prompt:add': (payload: z.input<typeof PromptAddCommandSchema>, ack: Ack<PromptAddAck>) => void;
  'prompt:clear': (payload: PromptClearCommand, ack: Ack<SeqAck>) => void;
  'object:create': (payload: ObjectCreateCommand, ack: Ack<ObjectAck>) => void;
  'object:update': (payload: ObjectUpdateCommand, ack: Ack<ObjectAck>) => void;
  'object:delete': (payload: ObjectDeleteCommand, ack: Ack<SeqAck>) => void;
  'propagation:start': (payload: z.input<typeof PropagationStartCommandSchema>, ack: Ack<JobAck>) => void;
  'job:cancel': (payload: JobCancelCommand, ack: Ack<JobAck>) => void;
  'history:undo': (payload: HistoryCommand, ack: Ack<HistoryAck>) => void;
  'history:redo': (payload: HistoryCommand, ack: Ack<HistoryAck>) => void;
  'masks:fetch': (payload: z.input<typeof MasksFetchQuerySchema>, ack: Ack<MasksFetchAck>) => void;
  'presence:update': (payload: PresenceUpdate) => void;
}

type Emit<T> = (fact: T) => void;

/** Facts the server emits, one event per fact type (the payload's `type` repeats the event name). */
export type ServerToClientEvents = { [K in Fact['type']]: Emit<Extract<Fact, { type: K }>> } & {
  [K in SessionNoticeFact['type']]: Emit<Extract<SessionNoticeFact, { type: K }>>;
};

/** Between server processes (none yet: one process owns a session). */
export type InterServerEvents = Record<never, never>;

/** Per-socket data the server keeps once a socket has joined. */
export interface SocketData {
  sessionId?: string;
  participantId?: string;
  clientId?: string;
  role?: 'editor' | 'viewer';
  user?: User;
  /** The share link the socket joined with (its revocation disconnects the socket). */
  linkId?: string;
}

/** Event names of commands that change a session (viewers may send none of them). */
export const EDIT_COMMANDS = [
  'prompt:add',
  'prompt:clear',
  'object:create',
  'object:update',
  'object:delete',
  'propagation:start',
  'job:cancel',
  'history:undo',
  'history:redo',
] as const;
export type EditCommandName = (typeof EDIT_COMMANDS)[number];

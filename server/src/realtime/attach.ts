/**
 * The Socket.IO layer: attaches to the app's HTTP server, checks the protocol version on join,
 * puts each socket in its session's broadcast room, and hands every command to the session's
 * `SessionRoom`. Handlers stay thin: parse (in `on`), find the room, execute.
 */

import type { Server as HttpServer } from 'node:http';
import {
  assertProtocolCompatible,
  type ClientToServerEvents,
  type Fact,
  HistoryCommandSchema,
  type InterServerEvents,
  JobCancelCommandSchema,
  JoinCommandSchema,
  MasksFetchQuerySchema,
  ObjectCreateCommandSchema,
  ObjectDeleteCommandSchema,
  ObjectUpdateCommandSchema,
  PresenceUpdateSchema,
  PromptAddCommandSchema,
  PromptClearCommandSchema,
  PropagationStartCommandSchema,
  RotoError,
  type ServerToClientEvents,
  type SocketData,
} from '@roto/shared';
import { Server, type Socket } from 'socket.io';
import type { z } from 'zod';
import type { InferenceEngine } from '../inference/engine.ts';
import type { IngestEvents } from '../ingest/events.ts';
import type { GpuLane } from '../lane/lane.ts';
import type { Logger } from '../observability/logger.ts';
import { SessionManager } from '../sessions/manager.ts';
import type { Actor, PublishOptions, Role, RoomCommand } from '../sessions/types.ts';
import type { SessionStore } from '../storage/index.ts';
import { answerUnknownEvents, type BeforeEvent, on } from './on.ts';

/** Largest Socket.IO message; beyond it the connection is closed by the transport itself. */
export const MAX_HTTP_BUFFER_BYTES = 1024 * 1024;

/**
 * Decides a participant's role from the join's token: resolve `editor` or `viewer`, or throw a
 * RotoError (UNAUTHORIZED for a bad token, FORBIDDEN for no access). The default lets everyone edit.
 */
export type Authorize = (sessionId: string, token: string | undefined) => Role | Promise<Role>;

/** Tuning and seams of the realtime layer; every field is optional. */
export interface RealtimeOptions {
  authorize?: Authorize;
  /** Runs before every event handler: the seam for per-connection rate limits (throw RATE_LIMITED). */
  beforeEvent?: BeforeEvent;
  /** Largest accepted command payload (PAYLOAD_TOO_LARGE beyond); default `MAX_COMMAND_BYTES`. */
  maxPayloadBytes?: number;
  /** Socket.IO's transport cap (the connection is dropped beyond it). */
  maxHttpBufferBytes?: number;
  idleUnloadMs?: number;
  memoryBudgetBytes?: number;
  /** Origins allowed to open a socket from a browser (same list as REST CORS). */
  corsOrigins?: readonly string[];
}

export interface RealtimeDeps extends RealtimeOptions {
  server: HttpServer;
  store: SessionStore;
  engine: InferenceEngine;
  lane: GpuLane;
  logger: Logger;
  ingest?: { events: IngestEvents } | undefined;
}

/** The attached layer. */
export interface Realtime {
  io: Server<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>;
  sessions: SessionManager;
  /** Disconnects everyone and unloads every session (running jobs end as cancelled). */
  close(): Promise<void>;
}

type RoomSocket = Socket<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>;

/** The broadcast room of a session. */
export function roomName(sessionId: string): string {
  return `session:${sessionId}`;
}

const COMMANDS: ReadonlyArray<[RoomCommand['type'], z.ZodType]> = [
  ['prompt:add', PromptAddCommandSchema],
  ['prompt:clear', PromptClearCommandSchema],
  ['object:create', ObjectCreateCommandSchema],
  ['object:update', ObjectUpdateCommandSchema],
  ['object:delete', ObjectDeleteCommandSchema],
  ['propagation:start', PropagationStartCommandSchema],
  ['job:cancel', JobCancelCommandSchema],
  ['history:undo', HistoryCommandSchema],
  ['history:redo', HistoryCommandSchema],
];

/** Attaches Socket.IO to `deps.server` and returns the layer. */
export function attachRealtime(deps: RealtimeDeps): Realtime {
  const { logger } = deps;
  const io = new Server<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>(
    deps.server,
    {
      maxHttpBufferSize: deps.maxHttpBufferBytes ?? MAX_HTTP_BUFFER_BYTES,
      serveClient: false,
      cors: deps.corsOrigins?.length
        ? { origin: deps.corsOrigins.includes('*') ? true : [...deps.corsOrigins] }
        : undefined,
    },
  );
  const sessions = new SessionManager({
    store: deps.store,
    engine: deps.engine,
    lane: deps.lane,
    logger,
    idleUnloadMs: deps.idleUnloadMs,
    memoryBudgetBytes: deps.memoryBudgetBytes,
  });
  sessions.setPublisher((sessionId: string, fact: Fact, options?: PublishOptions) => {
    let target = io.to(roomName(sessionId));
    if (options?.except) target = target.except(options.except);
    if (options?.volatile) target = target.volatile;
    (target.emit as (event: string, payload: unknown) => boolean)(fact.type, fact);
  });
  const authorize: Authorize = deps.authorize ?? (() => 'editor');
  const onOpts = { logger, maxPayloadBytes: deps.maxPayloadBytes, before: deps.beforeEvent };
  const known = new Set([
    'session:join',
    'masks:fetch',
    'presence:update',
    ...COMMANDS.map(([name]) => name),
  ]);

  const joined = (socket: RoomSocket): { sessionId: string; actor: Actor } => {
    const d = socket.data;
    if (!d.sessionId || !d.participantId || !d.clientId || !d.user || !d.role) {
      throw new RotoError('UNAUTHORIZED', 'Join a session (session:join) before sending commands');
    }
    return {
      sessionId: d.sessionId,
      actor: { participantId: d.participantId, clientId: d.clientId, user: d.user, role: d.role },
    };
  };

  const leave = (socket: RoomSocket) => {
    const id = socket.data.sessionId;
    if (!id) return;
    void socket.leave(roomName(id));
    sessions.peek(id)?.leave(socket.id);
    socket.data = {};
  };

  io.on('connection', (socket: RoomSocket) => {
    answerUnknownEvents(socket, known);
    on(
      socket,
      'session:join',
      JoinCommandSchema,
      async (p, ctx) => {
        const role = await authorize(p.sessionId, p.token);
        const room = await sessions.getOrLoad(p.sessionId);
        if (socket.data.sessionId) leave(socket);
        const actor: Actor = {
          participantId: socket.id,
          clientId: p.clientId ?? socket.id,
          user: p.user,
          role,
        };
        return room.join(actor, p.lastSeq, (ack) => {
          void socket.join(roomName(p.sessionId));
          socket.data = {
            sessionId: p.sessionId,
            participantId: socket.id,
            clientId: actor.clientId,
            user: p.user,
            role,
          };
          // The ack leaves before any fact broadcast after this instant (same socket, same order).
          ctx.respond(ack);
        });
      },
      // The version is checked before the schema: an old client gets PROTOCOL_MISMATCH, not a field error.
      { ...onOpts, precheck: checkJoinVersion },
    );
    for (const [type, schema] of COMMANDS) {
      on(
        socket,
        type,
        schema,
        async (payload) => {
          const { sessionId, actor } = joined(socket);
          const room = await sessions.getOrLoad(sessionId);
          return room.execute(actor, { type, payload } as RoomCommand);
        },
        onOpts,
      );
    }
    on(
      socket,
      'masks:fetch',
      MasksFetchQuerySchema,
      async (q) => {
        const { sessionId } = joined(socket);
        return (await sessions.getOrLoad(sessionId)).fetchMasks(q);
      },
      onOpts,
    );
    on(
      socket,
      'presence:update',
      PresenceUpdateSchema,
      (update) => {
        const { sessionId } = joined(socket);
        sessions.peek(sessionId)?.presence(socket.id, update);
        return null;
      },
      onOpts,
    );
    socket.on('disconnect', () => leave(socket));
  });

  deps.ingest?.events.on('removed', ({ sessionId }) => {
    io.in(roomName(sessionId)).disconnectSockets(true);
    void sessions.unload(sessionId).catch(() => undefined);
  });

  return {
    io,
    sessions,
    close: async () => {
      io.disconnectSockets(true);
      await sessions.close();
      await new Promise<void>((resolve) => io.close(() => resolve()));
    },
  };
}

/** Refuses a join whose protocol version this server does not speak (PROTOCOL_MISMATCH). */
export function checkJoinVersion(payload: unknown): void {
  const version =
    typeof payload === 'object' && payload !== null
      ? (payload as { protocolVersion?: unknown }).protocolVersion
      : undefined;
  assertProtocolCompatible(version);
}

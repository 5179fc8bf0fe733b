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
import { PresenceThrottle } from '../access/presence-throttle.ts';
import type { InferenceEngine } from '../inference/engine.ts';
import type { GpuLane } from '../lane/lane.ts';
import type { Logger } from '../observability/logger.ts';
import { SessionManager } from '../sessions/manager.ts';
import type { Actor, PublishOptions, Role, RoomCommand } from '../sessions/types.ts';
import type { SessionStore } from '../storage/index.ts';
import { forwardIngestFacts, type IngestView, ingestEnded, ingestingJoinAck } from './ingest-facts.ts';
import { LinkHolders } from './link-holders.ts';
import { answerUnknownEvents, type BeforeEvent, on } from './on.ts';

/** Largest Socket.IO message; beyond it the connection is closed by the transport itself. */
export const MAX_HTTP_BUFFER_BYTES = 1024 * 1024;

/** What a join is granted: a role, and the share link it came from (revoking it disconnects). */
export interface JoinGrant {
  role: Role;
  linkId?: string | undefined;
  /** Ms since the epoch when the link stops working (the socket is cut off then); null: never. */
  expiresAt?: number | null | undefined;
}

/**
 * Decides a participant's role from the join's token: resolve `editor` or `viewer` (or a
 * `JoinGrant` naming the link), or throw a RotoError (UNAUTHORIZED for a bad token, FORBIDDEN for
 * no access). The default lets everyone edit.
 */
export type Authorize = (
  sessionId: string,
  token: string | undefined,
) => Role | JoinGrant | Promise<Role | JoinGrant>;

/** Default presence relay rate per connection (faster updates are merged). */
export const DEFAULT_PRESENCE_PER_SEC = 20;

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
  /** Presence updates relayed per connection per second; default `DEFAULT_PRESENCE_PER_SEC`. */
  presenceMaxPerSec?: number;
}

export interface RealtimeDeps extends RealtimeOptions {
  server: HttpServer;
  store: SessionStore;
  engine: InferenceEngine;
  lane: GpuLane;
  logger: Logger;
  ingest?: IngestView | undefined;
}

/** The attached layer. */
export interface Realtime {
  io: Server<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>;
  sessions: SessionManager;
  /**
   * Cuts off every socket that joined `sessionId` with `linkId`: each gets `access:revoked`, then
   * is disconnected. Returns how many there were.
   */
  revoke(sessionId: string, linkId: string): number;
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
  const holders = new LinkHolders();
  const throttles = new Map<string, PresenceThrottle>();
  const presencePerSec = deps.presenceMaxPerSec ?? DEFAULT_PRESENCE_PER_SEC;
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
    holders.remove(socket);
    throttles.get(socket.id)?.cancel();
    throttles.delete(socket.id);
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
        const granted = await authorize(p.sessionId, p.token);
        const grant: JoinGrant = typeof granted === 'string' ? { role: granted } : granted;
        const { role } = grant;
        const enter = () => {
          void socket.join(roomName(p.sessionId));
          socket.data = {
            sessionId: p.sessionId,
            participantId: socket.id,
            clientId: p.clientId ?? socket.id,
            user: p.user,
            role,
            ...(grant.linkId ? { linkId: grant.linkId } : {}),
          };
          if (grant.linkId) holders.add(socket, p.sessionId, grant.linkId, grant.expiresAt);
        };
        // A loaded room is ready; otherwise the ingest metadata says whether frames are still coming.
        const waiting = sessions.peek(p.sessionId)
          ? null
          : await ingestingJoinAck(deps.store, deps.ingest, p.sessionId, socket.id, role);
        if (waiting) {
          if (socket.data.sessionId) leave(socket);
          enter();
          ctx.respond(waiting);
          // Ingest may have ended between reading its status and joining the room: tell this socket.
          const ended = await ingestEnded(deps.store, p.sessionId);
          if (ended) (socket.emit as (event: string, fact: unknown) => boolean)(ended.type, ended);
          return waiting;
        }
        const room = await sessions.getOrLoad(p.sessionId);
        const actor: Actor = {
          participantId: socket.id,
          clientId: p.clientId ?? socket.id,
          user: p.user,
          role,
        };
        if (socket.data.sessionId) leave(socket);
        return room.join(actor, p.lastSeq, (ack) => {
          enter();
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
        let throttle = throttles.get(socket.id);
        if (!throttle) {
          // Bursts are merged and relayed at most presencePerSec times a second (R16, R21).
          throttle = new PresenceThrottle(presencePerSec, (merged) =>
            sessions.peek(sessionId)?.presence(socket.id, merged),
          );
          throttles.set(socket.id, throttle);
        }
        throttle.push(update);
        return null;
      },
      onOpts,
    );
    socket.on('disconnect', () => leave(socket));
  });

  deps.ingest?.events.on('removed', ({ sessionId }) => {
    io.in(roomName(sessionId)).disconnectSockets(true);
    holders.forgetSession(sessionId);
    void sessions.unload(sessionId).catch(() => undefined);
  });
  const stopForwarding = deps.ingest ? forwardIngestFacts(io, deps.ingest.events, roomName) : () => {};

  return {
    io,
    sessions,
    revoke: (sessionId, linkId) => holders.revoke(sessionId, linkId),
    close: async () => {
      stopForwarding();
      holders.close();
      for (const t of throttles.values()) t.cancel();
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

/**
 * The session layer's own types: who sends a command, the command union the room switches on,
 * and where facts go.
 */
import type {
  Fact,
  HistoryCommand,
  JobCancelCommand,
  ObjectCreateCommand,
  ObjectDeleteCommand,
  ObjectUpdateCommand,
  PromptAddCommand,
  PromptClearCommand,
  PropagationStartCommand,
  User,
} from '@roto/shared';

/** A participant's role: viewers watch, editors change the session. */
export type Role = 'editor' | 'viewer';

/** Who sent a command. */
export interface Actor {
  /** One per connection (the socket id). */
  participantId: string;
  /** Stable across reconnects: the owner of undo/redo history. */
  clientId: string;
  user: User;
  role: Role;
}

/** Every command a room executes; the room's `switch` over `type` is exhaustive. */
export type RoomCommand =
  | { type: 'prompt:add'; payload: PromptAddCommand }
  | { type: 'prompt:clear'; payload: PromptClearCommand }
  | { type: 'object:create'; payload: ObjectCreateCommand }
  | { type: 'object:update'; payload: ObjectUpdateCommand }
  | { type: 'object:delete'; payload: ObjectDeleteCommand }
  | { type: 'propagation:start'; payload: PropagationStartCommand }
  | { type: 'job:cancel'; payload: JobCancelCommand }
  | { type: 'history:undo'; payload: HistoryCommand }
  | { type: 'history:redo'; payload: HistoryCommand };

/** A command's event name. */
export type RoomCommandType = RoomCommand['type'];

/** How a fact leaves the room: to every participant, or to all but one, possibly volatile. */
export interface PublishOptions {
  /** A participant that must not receive it (the sender of a presence update). */
  except?: string;
  /** May be dropped for a slow client (presence, progress). */
  volatile?: boolean;
}

/** Delivers a room's facts to its participants (the realtime layer broadcasts them). */
export type Publish = (sessionId: string, fact: Fact, options?: PublishOptions) => void;

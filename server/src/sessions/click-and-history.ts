/**
 * The two commands with more to them than facts: a click (one interactive GPU-lane task, then the
 * record) and an undo/redo step (re-issuing stored facts, and storing their inverse for the way back).
 */
import { type PromptAddCommand, RotoError } from '@roto/shared';
import type { MaskOutput } from '../inference/engine.ts';
import { planPromptAdd, promptAddFacts, replayFacts } from './edits.ts';
import { toEnginePrompts } from './engine-binding.ts';
import type { History } from './history.ts';
import type { FactsRecord } from './records.ts';
import { resultFor } from './results.ts';
import type { SessionRoom } from './room.ts';
import type { Actor } from './types.ts';

/** `prompt:add`: decode the click at interactive priority, then store prompts, mask and staleness in one record. */
export async function runPromptAdd(room: SessionRoom, actor: Actor, p: PromptAddCommand): Promise<unknown> {
  const plan = planPromptAdd(room.state, p);
  const { objectId, frame, merged } = plan;
  let out: MaskOutput;
  try {
    out = await room.deps.lane.run({
      priority: 'interactive',
      label: `click ${room.id}/f${frame}`,
      token: room.token.child(),
      fn: async () => {
        const vs = await room.binding.sync(objectId, room.state.promptsOf(objectId));
        return vs.addPrompts(frame, objectId, toEnginePrompts(merged), { refine: p.refine === true });
      },
    });
  } catch (err) {
    room.binding.forget(objectId);
    throw err;
  }
  const facts = promptAddFacts(room.state, plan, out);
  const undo = room.state.inverse(facts);
  const rec: FactsRecord = {
    kind: 'command',
    command: 'prompt:add',
    commandId: p.commandId,
    by: actor.clientId,
    facts,
    undo,
  };
  try {
    const { seq, facts: stored } = await room.commit(rec, () =>
      room.binding.noteFrame(objectId, frame, merged),
    );
    return resultFor(rec, stored, seq);
  } catch (err) {
    room.binding.forget(objectId);
    throw err;
  }
}

/** `history:undo` / `history:redo` of the actor's own last edit (CONFLICT when there is none). */
export async function runHistoryStep(
  room: SessionRoom,
  history: History,
  actor: Actor,
  type: 'history:undo' | 'history:redo',
  commandId: string,
): Promise<unknown> {
  const undoing = type === 'history:undo';
  const entry = undoing ? history.peekUndo(actor.clientId) : history.peekRedo(actor.clientId);
  if (!entry) throw new RotoError('CONFLICT', undoing ? 'Nothing to undo' : 'Nothing to redo');
  const facts = replayFacts(room.state, entry.facts);
  const back = room.state.inverse(facts);
  const rec: FactsRecord = undoing
    ? { kind: 'undo', command: entry.command, commandId, by: actor.clientId, facts, redo: back }
    : { kind: 'redo', command: entry.command, commandId, by: actor.clientId, facts, undo: back };
  const { seq, facts: stored } = await room.commit(rec);
  return resultFor(rec, stored, seq);
}

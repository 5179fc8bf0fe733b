/**
 * The edit commands (prompts, objects, undo/redo): each checks its input against the document and
 * builds the facts of one record plus the facts that undo it. Model work happens in `prompt:add`
 * only, as one interactive GPU-lane task.
 */
import {
  assertPromptsInFrame,
  encodeMask,
  MAX_OBJECTS_PER_SESSION,
  MAX_PROMPT_POINTS,
  type ObjectCreateCommand,
  type ObjectUpdateCommand,
  type PromptAddCommand,
  type PromptClearCommand,
  type PromptSet,
  RotoError,
  type TrackedObject,
} from '@roto/shared';
import type { FactBody } from './records.ts';
import type { SessionState } from './state.ts';

/** Colours handed to objects created without one, in turn. */
const PALETTE = [
  '#e6194b',
  '#3cb44b',
  '#4363d8',
  '#f58231',
  '#911eb4',
  '#42d4f4',
  '#f032e6',
  '#bfef45',
  '#469990',
  '#9a6324',
];

export function defaultObject(id: number, name?: string, color?: string): TrackedObject {
  return { id, name: name ?? `Object ${id}`, color: color ?? PALETTE[(id - 1) % PALETTE.length]! };
}

export function notFoundObject(objectId: number): RotoError {
  return new RotoError('NOT_FOUND', `Object ${objectId} does not exist in this session`, { objectId });
}

export function requireObject(state: SessionState, objectId: number): TrackedObject {
  const o = state.objects.get(objectId);
  if (!o) throw notFoundObject(objectId);
  return o;
}

export function checkFrame(state: SessionState, frame: number): void {
  if (frame >= state.media.frameCount) {
    throw new RotoError(
      'INVALID_INPUT',
      `frame ${frame} does not exist: this video has frames 0–${state.media.frameCount - 1}`,
      {
        frame,
        frameCount: state.media.frameCount,
      },
    );
  }
}

function checkObjectLimit(state: SessionState): void {
  if (state.objects.size >= MAX_OBJECTS_PER_SESSION) {
    throw new RotoError(
      'CONFLICT',
      `This session already has ${MAX_OBJECTS_PER_SESSION} objects, the most one session may hold`,
    );
  }
}

/** Adds `masks:stale` facts for the propagated masks a prompt change in `facts` makes obsolete. */
export function withStaleness(state: SessionState, facts: FactBody[]): FactBody[] {
  const out = [...facts];
  const deleted = new Set(facts.flatMap((f) => (f.type === 'object:deleted' ? [f.objectId] : [])));
  for (const f of facts) {
    if (f.type !== 'prompts:updated' || deleted.has(f.objectId)) continue;
    const frames = state.staleAfterPromptChange(f.objectId, f.frame);
    if (frames.length > 0) out.push({ type: 'masks:stale', objectId: f.objectId, frames });
  }
  return out;
}

/** What `prompt:add` will do, decided before the model runs. */
export interface PromptAddPlan {
  objectId: number;
  frame: number;
  merged: PromptSet;
  /** Facts that come before the mask (object creation). */
  before: FactBody[];
}

/** Checks a click and merges it into the object's prompts on that frame. */
export function planPromptAdd(state: SessionState, p: PromptAddCommand): PromptAddPlan {
  checkFrame(state, p.frame);
  assertPromptsInFrame(p, state.media.width, state.media.height);
  const before: FactBody[] = [];
  let objectId = p.objectId;
  if (objectId === undefined) {
    checkObjectLimit(state);
    objectId = state.nextObjectId;
    before.push({ type: 'object:created', object: defaultObject(objectId) });
  } else {
    requireObject(state, objectId);
  }
  const existing = state.promptsOf(objectId).get(p.frame);
  const points = [...(existing?.points ?? []), ...p.points];
  if (points.length > MAX_PROMPT_POINTS) {
    throw new RotoError(
      'INVALID_INPUT',
      `An object may have at most ${MAX_PROMPT_POINTS} points on one frame (this would make ${points.length})`,
    );
  }
  const box = p.box ?? existing?.box;
  const merged: PromptSet = box ? { points, box } : { points };
  return { objectId, frame: p.frame, merged, before };
}

/** The facts of a finished click: prompts, the mask (RM-encoded), staleness. */
export function promptAddFacts(
  state: SessionState,
  plan: PromptAddPlan,
  out: { mask: Uint8Array; width: number; height: number; present: boolean },
): FactBody[] {
  const mask = encodeMask(out.mask, out.width, out.height);
  return withStaleness(state, [
    ...plan.before,
    { type: 'prompts:updated', objectId: plan.objectId, frame: plan.frame, prompts: plan.merged },
    {
      type: 'mask:updated',
      objectId: plan.objectId,
      frame: plan.frame,
      version: 0,
      mask,
      present: out.present,
      source: 'prompt',
    },
  ]);
}

export function promptClearFacts(state: SessionState, p: PromptClearCommand): FactBody[] {
  checkFrame(state, p.frame);
  requireObject(state, p.objectId);
  if (!state.promptsOf(p.objectId).has(p.frame)) {
    throw new RotoError('NOT_FOUND', `Object ${p.objectId} has no prompts on frame ${p.frame}`, {
      objectId: p.objectId,
      frame: p.frame,
    });
  }
  const facts: FactBody[] = [
    { type: 'prompts:updated', objectId: p.objectId, frame: p.frame, prompts: null },
  ];
  if (state.masksOf(p.objectId).has(p.frame))
    facts.push({ type: 'masks:removed', objectId: p.objectId, frames: [p.frame] });
  return withStaleness(state, facts);
}

export function objectCreateFacts(state: SessionState, p: ObjectCreateCommand): FactBody[] {
  checkObjectLimit(state);
  return [{ type: 'object:created', object: defaultObject(state.nextObjectId, p.name, p.color) }];
}

export function objectUpdateFacts(state: SessionState, p: ObjectUpdateCommand): FactBody[] {
  const o = requireObject(state, p.objectId);
  return [
    {
      type: 'object:updated',
      object: {
        ...o,
        ...(p.name !== undefined ? { name: p.name } : {}),
        ...(p.color !== undefined ? { color: p.color } : {}),
      },
    },
  ];
}

export function objectDeleteFacts(state: SessionState, objectId: number): FactBody[] {
  requireObject(state, objectId);
  return [{ type: 'object:deleted', objectId }];
}

/** A history step's facts, re-issued: mask versions are given anew at commit. */
export function replayFacts(state: SessionState, facts: readonly FactBody[]): FactBody[] {
  return withStaleness(
    state,
    facts.map((f) => ({ ...f })),
  );
}

/**
 * Propagation jobs of one room: one GPU-lane step per frame × object at `propagation` priority (a
 * click waits for one step at most), each mask stored and broadcast the moment it exists, progress
 * with fps and ETA, cancellable between steps.
 */
import { encodeMask, type JobInfo, type PropagationStartCommand, RotoError, toFailure } from '@roto/shared';
import type { MaskOutput } from '../inference/engine.ts';
import { type CancelToken, isCancelled } from '../lane/cancel-token.ts';
import { checkFrame, notFoundObject } from './edits.ts';
import { ProgressMeter, planPropagation, type TrackStep } from './propagation.ts';
import { resultFor } from './results.ts';
import type { SessionRoom } from './room.ts';
import type { Actor } from './types.ts';

/** A job's lifecycle; finished jobs leave the map. */
type JobRun = {
  kind: 'running';
  info: JobInfo;
  token: CancelToken;
  meter: ProgressMeter;
  done: Promise<void>;
};

export class PropagationJobs {
  private readonly running = new Map<string, JobRun>();

  constructor(private readonly room: SessionRoom) {}

  get runningCount(): number {
    return this.running.size;
  }

  /** Checks the request, stores `job:started` and launches the steps; resolves with the job id. */
  async start(actor: Actor, p: PropagationStartCommand): Promise<unknown> {
    const state = this.room.state;
    const last = state.media.frameCount - 1;
    const range = p.range ?? { from: 0, to: last };
    checkFrame(state, range.to);
    let objectIds = p.objectIds ?? [...state.objects.keys()].filter((id) => state.promptsOf(id).size > 0);
    objectIds = [...new Set(objectIds)].sort((a, b) => a - b);
    for (const id of objectIds) if (!state.objects.has(id)) throw notFoundObject(id);
    const unprompted = objectIds.filter((id) => state.promptsOf(id).size === 0);
    if (objectIds.length === 0 || unprompted.length > 0) {
      throw new RotoError(
        'INVALID_INPUT',
        objectIds.length === 0
          ? 'Add a prompt to an object before propagating'
          : `Object ${unprompted[0]} has no prompts to propagate from`,
      );
    }
    for (const run of this.running.values()) {
      const busy = run.info.objectIds.find((id) => objectIds.includes(id));
      if (busy !== undefined) {
        throw new RotoError(
          'CONFLICT',
          `Object ${busy} is already being propagated (job ${run.info.jobId}); cancel it first`,
          { jobId: run.info.jobId },
        );
      }
    }
    const steps = planPropagation(state, objectIds, p.direction, range);
    const info: JobInfo = {
      jobId: this.room.newJobId(),
      kind: 'propagation',
      direction: p.direction,
      objectIds,
      range,
      startedBy: actor.user.name,
    };
    const rec = {
      kind: 'command' as const,
      command: 'propagation:start',
      commandId: p.commandId,
      by: actor.clientId,
      facts: [{ type: 'job:started' as const, job: info, total: steps.length }],
    };
    const { seq, facts } = await this.room.commit(rec);
    this.launch(info, steps);
    return resultFor(rec, facts, seq);
  }

  /** Cancels a running job; its `job:cancelled` fact follows after the current step. */
  cancel(actor: Actor, jobId: string): { jobId: string } {
    const run = this.running.get(jobId);
    if (!run) throw new RotoError('NOT_FOUND', `No running job ${jobId} in this session`, { jobId });
    run.token.cancel(`cancelled by ${actor.user.name}`);
    return { jobId };
  }

  /** Resolves once every job has ended (and its last fact is stored). */
  async settled(): Promise<void> {
    await Promise.all([...this.running.values()].map((r) => r.done));
  }

  /** Ends jobs a previous process left running (a restart interrupts them). */
  async endInterrupted(): Promise<void> {
    for (const entry of this.room.state.runningJobs()) {
      await this.room.commit({
        kind: 'system',
        facts: [
          {
            type: 'job:cancelled',
            jobId: entry.job.jobId,
            done: entry.progress.done,
            reason: 'the server restarted',
          },
        ],
      });
    }
  }

  private launch(info: JobInfo, steps: TrackStep[]): void {
    const room = this.room;
    const token = room.token.child();
    const meter = new ProgressMeter(steps.length);
    const entry = room.state.jobs.get(info.jobId);
    const run = room.deps.lane
      .runSteps<TrackStep, MaskOutput | null>({
        priority: 'propagation',
        label: `propagate ${room.id}/${info.jobId.slice(0, 8)}`,
        token,
        steps,
        step: async (s) => {
          if (!room.state.objects.has(s.objectId)) return null; // deleted while the job ran
          const vs = await room.binding.sync(s.objectId, room.state.promptsOf(s.objectId));
          return vs.track(s.frame, s.objectId, s.direction);
        },
        onStep: (out, s) => {
          if (out) {
            const mask = encodeMask(out.mask, out.width, out.height);
            room
              .commit({
                kind: 'job',
                facts: [
                  {
                    type: 'mask:updated',
                    objectId: s.objectId,
                    frame: s.frame,
                    version: 0,
                    mask,
                    present: out.present,
                    source: 'propagation',
                    direction: s.direction,
                  },
                ],
              })
              .catch(() => token.cancel('the session cannot store masks'));
          }
          const progress = meter.step();
          if (entry) entry.progress = progress;
          room.publishVolatile({ type: 'job:progressed', jobId: info.jobId, progress });
        },
      })
      .then(
        (done) => room.commit({ kind: 'job', facts: [{ type: 'job:finished', jobId: info.jobId, done }] }),
        (err: unknown) =>
          room.commit({
            kind: 'job',
            facts: [
              isCancelled(err)
                ? { type: 'job:cancelled', jobId: info.jobId, done: meter.stepsDone, reason: err.reason }
                : { type: 'job:failed', jobId: info.jobId, error: toFailure(err).error },
            ],
          }),
      )
      .then(
        () => undefined,
        (err: unknown) =>
          room.deps.logger.error('could not store the end of a job', {
            sessionId: room.id,
            jobId: info.jobId,
            err,
          }),
      )
      .finally(() => {
        this.running.delete(info.jobId);
        token.dispose();
        room.deps.onActivity?.();
      });
    this.running.set(info.jobId, { kind: 'running', info, token, meter, done: run });
  }
}

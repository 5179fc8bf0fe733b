import { describe, expect, it } from 'vitest';
import { CancelledError, CancelToken, isCancelled } from './cancel-token.ts';

describe('CancelToken', () => {
  it('cancels once, keeps the first reason and calls listeners once', () => {
    const token = new CancelToken();
    const heard: string[] = [];
    token.onCancel((r) => heard.push(r));
    expect(token.cancelled).toBe(false);
    expect(() => token.throwIfCancelled()).not.toThrow();
    token.cancel('first');
    token.cancel('second');
    expect(token.reason).toBe('first');
    expect(heard).toEqual(['first']);
    const err = (() => {
      try {
        token.throwIfCancelled();
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(CancelledError);
    expect(isCancelled(err)).toBe(true);
    expect(err).toMatchObject({ code: 'CANCELLED', reason: 'first', message: 'Cancelled: first' });
  });

  it('onCancel on a cancelled token runs at once; the returned function unsubscribes', () => {
    const token = new CancelToken();
    const heard: string[] = [];
    const off = token.onCancel(() => heard.push('removed'));
    off();
    token.cancel('x');
    token.onCancel((r) => heard.push(`late ${r}`));
    expect(heard).toEqual(['late x']);
  });

  it('children follow their parent, not the other way round', () => {
    const session = new CancelToken();
    const job = session.child();
    const step = job.child();
    step.cancel('only the step');
    expect(job.cancelled).toBe(false);
    expect(session.cancelled).toBe(false);
    const job2 = session.child();
    session.cancel('session closed');
    expect(job.cancelled).toBe(true);
    expect(job2.reason).toBe('session closed');
  });

  it('a token linked to several parents is cancelled by any of them', () => {
    const user = new CancelToken();
    const server = new CancelToken();
    const both = new CancelToken(user, server);
    server.cancel('shutdown');
    expect(both.reason).toBe('shutdown');
    expect(user.cancelled).toBe(false);
  });

  it('a disposed child no longer follows its parent', () => {
    const parent = new CancelToken();
    const child = parent.child();
    child.dispose();
    parent.cancel();
    expect(child.cancelled).toBe(false);
  });

  it('exposes an AbortSignal that aborts with the CancelledError', () => {
    const token = new CancelToken();
    const signal = token.signal;
    expect(signal.aborted).toBe(false);
    token.cancel('stop');
    expect(signal.aborted).toBe(true);
    expect(signal.reason).toMatchObject({ code: 'CANCELLED', reason: 'stop' });
    const late = new CancelToken();
    late.cancel('already');
    expect(late.signal.aborted).toBe(true);
  });

  it('a throwing listener does not stop the others', async () => {
    const token = new CancelToken();
    const heard: string[] = [];
    const uncaught: unknown[] = [];
    const onUncaught = (e: unknown) => uncaught.push(e);
    process.on('uncaughtException', onUncaught);
    try {
      token.onCancel(() => {
        throw new Error('listener bug');
      });
      token.onCancel(() => heard.push('second'));
      token.cancel();
      expect(heard).toEqual(['second']);
      await new Promise((r) => setImmediate(r));
    } finally {
      process.off('uncaughtException', onUncaught);
    }
    expect(uncaught).toHaveLength(1);
  });
});

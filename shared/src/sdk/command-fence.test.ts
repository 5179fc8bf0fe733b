import { describe, expect, it } from 'vitest';
import { type Fence, fenceOf, isFenced } from './command-fence.ts';

describe('command fences', () => {
  it('keys a command by the object it changes; undo, redo and propagation depend on everything', () => {
    expect(fenceOf('prompt:add', { commandId: 'c', objectId: 3, frame: 0 })).toBe('object:3');
    expect(fenceOf('object:update', { commandId: 'c', objectId: 7, name: 'x' })).toBe('object:7');
    expect(fenceOf('prompt:add', { commandId: 'c', frame: 0 })).toBe('none');
    expect(fenceOf('object:create', { commandId: 'c' })).toBe('none');
    expect(fenceOf('masks:fetch', {})).toBe('none');
    for (const e of ['history:undo', 'history:redo', 'propagation:start']) expect(fenceOf(e, {})).toBe('all');
  });

  it('holds a command back behind the same object or anything depending on everything', () => {
    const inFlight = (...f: Fence[]) => new Set<Fence>(f);
    expect(isFenced('object:1', inFlight('object:1'))).toBe(true);
    expect(isFenced('object:1', inFlight('object:2'))).toBe(false);
    expect(isFenced('none', inFlight('object:2'))).toBe(false);
    expect(isFenced('none', inFlight('all'))).toBe(true);
    expect(isFenced('all', inFlight('object:2'))).toBe(true);
    expect(isFenced('all', inFlight('none'))).toBe(true);
    expect(isFenced('all', inFlight())).toBe(false);
  });
});

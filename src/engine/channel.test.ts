import { describe, expect, it } from 'vitest';
import { createChannel, forEachQueued } from './channel.ts';

describe('channel pull', () => {
  it('hands out the queued values in the order next() would, and leaves the end to next()', async () => {
    const ch = createChannel<number>(() => {});
    const it = ch[Symbol.asyncIterator]();
    expect(ch.pull()).toBeUndefined();
    const first = it.next();
    ch.push(1);
    ch.push(2);
    ch.push(3);
    // While next() waits, the value it is owed is not pulled from under it.
    expect(await first).toEqual({ value: 1, done: false });
    expect(ch.pull()).toBe(2);
    expect(ch.pull()).toBe(3);
    expect(ch.pull()).toBeUndefined();
    ch.push(4);
    ch.close();
    expect(ch.pull()).toBe(4);
    expect(ch.pull()).toBeUndefined();
    expect(await it.next()).toEqual({ value: undefined, done: true });
  });

  it('gives the values queued before a failure, then next() rejects', async () => {
    const ch = createChannel<string>(() => {});
    const it = ch[Symbol.asyncIterator]();
    ch.push('a');
    ch.push('b');
    ch.fail(new Error('boom'));
    expect((await it.next()).value).toBe('a');
    expect(ch.pull()).toBe('b');
    expect(ch.pull()).toBeUndefined();
    await expect(it.next()).rejects.toThrow('boom');
  });

  it('gives nothing once the iterator returned', async () => {
    let returned = 0;
    const ch = createChannel<number>(() => returned++);
    const it = ch[Symbol.asyncIterator]();
    ch.push(1);
    ch.push(2);
    await it.return?.();
    expect(returned).toBe(1);
    expect(ch.pull()).toBeUndefined();
    ch.push(3);
    expect(ch.pull()).toBeUndefined();
  });
});

describe('forEachQueued', () => {
  const channelOf = (values: number[], onReturn: () => void = () => {}) => {
    const ch = createChannel<number>(onReturn);
    for (const v of values) ch.push(v);
    ch.close();
    return ch;
  };

  it('visits every value in order and resolves true at the end', async () => {
    const seen: number[] = [];
    expect(await forEachQueued(channelOf([1, 2, 3]), (v) => void seen.push(v))).toBe(true);
    expect(seen).toEqual([1, 2, 3]);
  });

  it('stops when the visit says false, at once or later, and returns the iterator', async () => {
    let returned = 0;
    const seen: number[] = [];
    const stopAt2 = (v: number) => {
      seen.push(v);
      return v === 2 ? Promise.resolve(false) : true;
    };
    expect(
      await forEachQueued(
        channelOf([1, 2, 3], () => returned++),
        stopAt2,
      ),
    ).toBe(false);
    expect(seen).toEqual([1, 2]);
    expect(returned).toBe(1);
  });

  it('returns the iterator when the visit throws, and rethrows', async () => {
    let returned = 0;
    const boom = () => {
      throw new Error('boom');
    };
    await expect(
      forEachQueued(
        channelOf([1, 2], () => returned++),
        boom,
      ),
    ).rejects.toThrow('boom');
    expect(returned).toBe(1);
  });

  it('passes on a failure of the source without returning it', async () => {
    let returned = 0;
    const ch = createChannel<number>(() => returned++);
    ch.fail(new Error('upstream gone'));
    await expect(forEachQueued(ch, () => true)).rejects.toThrow('upstream gone');
    expect(returned).toBe(0);
  });
});

import { describe, expect, it } from 'vitest';
import { EventQueue } from '../src/core/EventQueue.js';

describe('EventQueue', () => {
  it('pops by time, then by insertion order for equal times', () => {
    const q = new EventQueue<string>();
    q.push(5, 'c');
    q.push(1, 'a');
    q.push(5, 'd');
    q.push(1, 'b');
    q.push(0, 'z');
    const out: string[] = [];
    for (let e = q.pop(); e; e = q.pop()) out.push(e.item);
    expect(out).toEqual(['z', 'a', 'b', 'c', 'd']);
  });
});

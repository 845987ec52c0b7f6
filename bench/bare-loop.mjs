// The practical limit the world's throughput is compared with: a bare event loop over a
// (time, seq) binary heap in parallel arrays, replaying a recorded log of pushes (a time >= 0)
// and pops (-1), dispatching each popped event to a trivial handler.
export function bareLoop(ops) {
  const times = [];
  const seqs = [];
  const items = [];
  const payload = { k: 'call' };
  let seq = 0;
  let handled = 0;
  for (let j = 0; j < ops.length; j++) {
    const t = ops[j];
    if (t >= 0) {
      const s = seq++;
      let i = times.length;
      times.push(t), seqs.push(s), items.push(payload);
      while (i > 0) {
        const p = (i - 1) >> 1;
        const tp = times[p];
        if (tp < t || (tp === t && seqs[p] < s)) break;
        times[i] = tp, seqs[i] = seqs[p], items[i] = items[p];
        i = p;
      }
      times[i] = t, seqs[i] = s, items[i] = payload;
      continue;
    }
    const m = times.length - 1;
    if (m < 0) continue;
    const item = items[0];
    const lt = times.pop(), ls = seqs.pop(), li = items.pop();
    if (m > 0) {
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= m) break;
        const r = l + 1;
        let c = l;
        if (r < m && (times[r] < times[l] || (times[r] === times[l] && seqs[r] < seqs[l]))) c = r;
        if (times[c] > lt || (times[c] === lt && seqs[c] > ls)) break;
        times[i] = times[c], seqs[i] = seqs[c], items[i] = items[c];
        i = c;
      }
      times[i] = lt, seqs[i] = ls, items[i] = li;
    }
    if (item.k === 'call') handled++;
  }
  return handled;
}

/** The median of a non-empty list of numbers. */
export function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const n = s.length;
  if (n === 0) return null;
  return n % 2 ? s[(n - 1) >> 1] : (s[n / 2 - 1] + s[n / 2]) / 2;
}

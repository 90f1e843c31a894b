/**
 * Edit distance on UTF-16 code units held in typed arrays (names read out of a `TextPool`), so the hot
 * path compares names without making a string of each. Pure.
 *
 * The distance is Myers' bit-parallel Levenshtein, ported line for line from fastest-levenshtein 1.0.16
 * (MIT; what fast-levenshtein's `get` runs), reading code units from arrays instead of `charCodeAt`:
 * it gives exactly what `levenshtein.get` gives on the same strings (the spec checks it on random text).
 */

const peq = new Uint32Array(0x10000);
let phc = new Int32Array(8);
let mhc = new Int32Array(8);

/** `a` the longer (n ≤ 32), `b` the other one. */
function myers32(a: Uint16Array, n: number, b: Uint16Array, m: number): number {
  const lst = 1 << (n - 1);
  let pv = -1;
  let mv = 0;
  let sc = n;
  let i = n;
  while (i--) peq[a[i]] |= 1 << i;
  for (i = 0; i < m; i++) {
    let eq = peq[b[i]];
    const xv = eq | mv;
    eq |= ((eq & pv) + pv) ^ pv;
    mv |= ~(eq | pv);
    pv &= eq;
    if (mv & lst) sc++;
    if (pv & lst) sc--;
    mv = (mv << 1) | 1;
    pv = (pv << 1) | ~(xv | mv);
    mv &= xv;
  }
  i = n;
  while (i--) peq[a[i]] = 0;
  return sc;
}

/** fastest-levenshtein's `myers_x(b, a)`: `b` the longer (m > 32), `a` the other one (n). */
function myersX(b: Uint16Array, m: number, a: Uint16Array, n: number): number {
  const hsize = Math.ceil(n / 32);
  const vsize = Math.ceil(m / 32);
  if (phc.length < hsize) {
    phc = new Int32Array(hsize);
    mhc = new Int32Array(hsize);
  }
  for (let i = 0; i < hsize; i++) {
    phc[i] = -1;
    mhc[i] = 0;
  }
  let j = 0;
  for (; j < vsize - 1; j++) {
    let mv = 0;
    let pv = -1;
    const start = j * 32;
    const vlen = Math.min(32, m) + start;
    for (let k = start; k < vlen; k++) peq[b[k]] |= 1 << k;
    for (let i = 0; i < n; i++) {
      const eq = peq[a[i]];
      const pb = (phc[(i / 32) | 0] >>> i) & 1;
      const mb = (mhc[(i / 32) | 0] >>> i) & 1;
      const xv = eq | mv;
      const xh = ((((eq | mb) & pv) + pv) ^ pv) | eq | mb;
      let ph = mv | ~(xh | pv);
      let mh = pv & xh;
      if ((ph >>> 31) ^ pb) phc[(i / 32) | 0] ^= 1 << i;
      if ((mh >>> 31) ^ mb) mhc[(i / 32) | 0] ^= 1 << i;
      ph = (ph << 1) | pb;
      mh = (mh << 1) | mb;
      pv = mh | ~(xv | ph);
      mv = ph & xv;
    }
    for (let k = start; k < vlen; k++) peq[b[k]] = 0;
  }
  let mv = 0;
  let pv = -1;
  const start = j * 32;
  const vlen = Math.min(32, m - start) + start;
  for (let k = start; k < vlen; k++) peq[b[k]] |= 1 << k;
  let score = m;
  for (let i = 0; i < n; i++) {
    const eq = peq[a[i]];
    const pb = (phc[(i / 32) | 0] >>> i) & 1;
    const mb = (mhc[(i / 32) | 0] >>> i) & 1;
    const xv = eq | mv;
    const xh = ((((eq | mb) & pv) + pv) ^ pv) | eq | mb;
    let ph = mv | ~(xh | pv);
    let mh = pv & xh;
    score += (ph >>> (m - 1)) & 1;
    score -= (mh >>> (m - 1)) & 1;
    if ((ph >>> 31) ^ pb) phc[(i / 32) | 0] ^= 1 << i;
    if ((mh >>> 31) ^ mb) mhc[(i / 32) | 0] ^= 1 << i;
    ph = (ph << 1) | pb;
    mh = (mh << 1) | mb;
    pv = mh | ~(xv | ph);
    mv = ph & xv;
  }
  for (let k = start; k < vlen; k++) peq[b[k]] = 0;
  return score;
}

/** Levenshtein distance of `a[0..n)` and `b[0..m)` (what fast-levenshtein's `get` gives). */
export function levenshteinCodes(a: Uint16Array, n: number, b: Uint16Array, m: number): number {
  if (n < m) return levenshteinCodes(b, m, a, n);
  if (m === 0) return n;
  return n <= 32 ? myers32(a, n, b, m) : myersX(a, n, b, m);
}

/** True when b is a with two adjacent code units swapped (one slip of the fingers). */
export function isOneTranspositionCodes(a: Uint16Array, n: number, b: Uint16Array, m: number): boolean {
  if (n !== m) return false;
  let i = 0;
  while (i < n && a[i] === b[i]) i++;
  if (i >= n - 1) return false;
  if (a[i] !== b[i + 1] || a[i + 1] !== b[i]) return false;
  for (let k = i + 2; k < n; k++) if (a[k] !== b[k]) return false;
  return true;
}

/**
 * 1 − distance / longer length, with one adjacent transposition counted as one edit: the same figure
 * as `similarity` in score-pair on the strings these code units spell.
 */
export function similarityCodes(a: Uint16Array, n: number, b: Uint16Array, m: number): number {
  const max = Math.max(n, m);
  if (max === 0) return 0;
  if (n === m) {
    let k = 0;
    while (k < n && a[k] === b[k]) k++;
    if (k === n) return 1;
  }
  // Lengths far apart cannot be similar: skip the edit distance.
  if (Math.abs(n - m) / max > 0.5) return 1 - Math.abs(n - m) / max;
  let d = levenshteinCodes(a, n, b, m);
  if (d === 2 && isOneTranspositionCodes(a, n, b, m)) d = 1;
  return 1 - d / max;
}

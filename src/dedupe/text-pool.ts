/**
 * Many short strings in one byte buffer (a shared string table): entry `i` is bytes
 * `start[i]..start[i + 1]`. A million ids or names cost their characters plus 5 bytes each, instead of
 * a string object (16+ bytes of header, UTF-16 for any Cyrillic letter) and a pointer each. Pure.
 *
 * Encoding: one byte per character when every character is ASCII or on the narrow page (Russian
 * letters and the punctuation of Russian business names: « » № – — “ ” and the like); otherwise the
 * entry keeps its UTF-16 code units (two bytes each) and a wide flag. The page is laid out in code-unit
 * order, so comparing two narrow entries byte by byte gives JavaScript's string order.
 */

/** Non-ASCII characters stored in one byte (0x80 + position), in code-unit order. */
const NARROW_PAGE: string = (() => {
  let s = '';
  for (let c = 0x401; c <= 0x45f; c++) s += String.fromCharCode(c); // Ё…Џ, А…я, ѐ…џ
  s += 'Ґґ';
  s += '\u00a0«»°±§©®·¶µ¬\u00ad'; // NBSP … soft hyphen
  s += '–—‘’‚“”„•…‹›€№™‰†‡';
  return [...s].sort().join('');
})();
if (NARROW_PAGE.length !== 128 || new Set(NARROW_PAGE).size !== 128)
  throw new Error(`text pool: the narrow page must hold 128 distinct characters, has ${NARROW_PAGE.length}`);

/** Byte of a code unit on the narrow page (0x80…0xff), or 0 when it has none. ASCII needs no lookup. */
const BYTE_OF = new Uint8Array(0x10000);
/** Code unit of a byte. */
const CODE_OF = new Uint16Array(256);
for (let b = 0; b < 0x80; b++) CODE_OF[b] = b;
for (let i = 0; i < 128; i++) {
  BYTE_OF[NARROW_PAGE.charCodeAt(i)] = 0x80 + i;
  CODE_OF[0x80 + i] = NARROW_PAGE.charCodeAt(i);
}

/** Longest run handed to String.fromCharCode at once (argument-count limits). */
const CHUNK = 4096;

export class TextPool {
  private bytes = new Uint8Array(1 << 12);
  private used = 0;
  private start = new Int32Array(1 << 10);
  private wide = new Uint8Array(1 << 10);
  private count = 0;
  private scratch = new Uint16Array(256);

  constructor() {
    this.start[0] = 0;
  }

  /** Entries added so far. */
  get size(): number {
    return this.count;
  }

  /** Bytes held (buffers' capacity, not just the filled part). */
  get retainedBytes(): number {
    return this.bytes.byteLength + this.start.byteLength + this.wide.byteLength;
  }

  /** Appends a string; returns its entry number. */
  add(s: string): number {
    const n = s.length;
    let narrow = true;
    for (let k = 0; k < n; k++) {
      const c = s.charCodeAt(k);
      if (c >= 0x80 && BYTE_OF[c] === 0) {
        narrow = false;
        break;
      }
    }
    const need = narrow ? n : 2 * n;
    this.reserve(need);
    const b = this.bytes;
    let p = this.used;
    if (narrow) {
      for (let k = 0; k < n; k++) {
        const c = s.charCodeAt(k);
        b[p++] = c < 0x80 ? c : BYTE_OF[c];
      }
    } else {
      for (let k = 0; k < n; k++) {
        const c = s.charCodeAt(k);
        b[p++] = c & 0xff;
        b[p++] = c >>> 8;
      }
    }
    this.used = p;
    const i = this.count;
    if (i + 2 > this.start.length) {
      const cap = Math.ceil(this.start.length * 1.5);
      const s2 = new Int32Array(cap);
      s2.set(this.start);
      this.start = s2;
      const w2 = new Uint8Array(cap);
      w2.set(this.wide);
      this.wide = w2;
    }
    this.wide[i] = narrow ? 0 : 1;
    this.start[i + 1] = p;
    this.count = i + 1;
    return i;
  }

  /** Length of entry `i` in UTF-16 code units (what `string.length` says). */
  length(i: number): number {
    const len = this.start[i + 1] - this.start[i];
    return this.wide[i] ? len >>> 1 : len;
  }

  /** Code unit `k` of entry `i`. */
  codeAt(i: number, k: number): number {
    const p = this.start[i];
    return this.wide[i]
      ? this.bytes[p + 2 * k] | (this.bytes[p + 2 * k + 1] << 8)
      : CODE_OF[this.bytes[p + k]];
  }

  /** Entry `i` as a string. */
  get(i: number): string {
    const len = this.length(i);
    if (len === 0) return '';
    if (this.scratch.length < Math.min(len, CHUNK)) this.scratch = new Uint16Array(Math.min(len, CHUNK));
    const out = this.scratch;
    let s = '';
    for (let from = 0; from < len; from += CHUNK) {
      const to = Math.min(len, from + CHUNK);
      for (let k = from; k < to; k++) out[k - from] = this.codeAt(i, k);
      s += String.fromCharCode.apply(null, out.subarray(0, to - from) as unknown as number[]);
    }
    return s;
  }

  /**
   * Copies the code units of entry `i` into `out` (a larger array when `out` is too short) and returns
   * the array holding them; `length(i)` says how many.
   */
  codes(i: number, out: Uint16Array): Uint16Array {
    const len = this.length(i);
    const dst = out.length >= len ? out : new Uint16Array(Math.max(len, 2 * out.length));
    const b = this.bytes;
    const p = this.start[i];
    if (this.wide[i]) for (let k = 0; k < len; k++) dst[k] = b[p + 2 * k] | (b[p + 2 * k + 1] << 8);
    else for (let k = 0; k < len; k++) dst[k] = CODE_OF[b[p + k]];
    return dst;
  }

  /** True when entries `i` and `j` hold the same string (a string has one encoding: bytes decide). */
  equals(i: number, j: number): boolean {
    if (this.wide[i] !== this.wide[j]) return false;
    let p = this.start[i];
    let q = this.start[j];
    const end = this.start[i + 1];
    if (end - p !== this.start[j + 1] - q) return false;
    const b = this.bytes;
    for (; p < end; p++, q++) if (b[p] !== b[q]) return false;
    return true;
  }

  /** Order of entries `i` and `j` as JavaScript compares the strings (code units): -1, 0 or 1. */
  compare(i: number, j: number): number {
    const li = this.length(i);
    const lj = this.length(j);
    const n = Math.min(li, lj);
    const b = this.bytes;
    if (!this.wide[i] && !this.wide[j]) {
      // The narrow page is in code-unit order: bytes compare as the characters do.
      let p = this.start[i];
      let q = this.start[j];
      for (let k = 0; k < n; k++, p++, q++) if (b[p] !== b[q]) return b[p] < b[q] ? -1 : 1;
    } else {
      for (let k = 0; k < n; k++) {
        const x = this.codeAt(i, k);
        const y = this.codeAt(j, k);
        if (x !== y) return x < y ? -1 : 1;
      }
    }
    return li < lj ? -1 : li > lj ? 1 : 0;
  }

  /** Drops unused capacity (after the last `add`; a later `add` grows the buffers again). */
  trim(): void {
    if (this.bytes.length > this.used) this.bytes = this.bytes.slice(0, this.used);
    if (this.start.length > this.count + 1) {
      this.start = this.start.slice(0, this.count + 1);
      this.wide = this.wide.slice(0, this.count + 1);
    }
  }

  private reserve(extra: number): void {
    if (this.used + extra <= this.bytes.length) return;
    const cap = Math.max(this.used + extra, Math.ceil(this.bytes.length * 1.5));
    const next = new Uint8Array(cap);
    next.set(this.bytes.subarray(0, this.used));
    this.bytes = next;
  }
}

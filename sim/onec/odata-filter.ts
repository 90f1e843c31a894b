/**
 * The `$filter` grammar of docs/protocols/onec-odata.md#filter-grammar (what the fake implements):
 *
 *   expr    := conj { " or " conj }
 *   conj    := unary { " and " unary }
 *   unary   := [ "not " ] ( "(" expr ")" | Field " " op " " literal )
 *   op      := eq | ne | gt | ge | lt | le
 *   literal := '<text>' ('' inside) | guid'<GUID>' | datetime'YYYY-MM-DDTHH:MM:SS' | true | false | <decimal>
 *
 * Comparison: ordinal for strings, chronological for datetimes (their fixed text form orders the same),
 * numeric for numbers; `$orderby` uses the same comparison (compareValues), so a keyset cursor continues.
 */

export type Literal =
  | { kind: 'string'; value: string }
  | { kind: 'guid'; value: string }
  | { kind: 'datetime'; value: string }
  | { kind: 'bool'; value: boolean }
  | { kind: 'number'; value: number };

export type Op = 'eq' | 'ne' | 'gt' | 'ge' | 'lt' | 'le';

export type FilterNode =
  | { type: 'or' | 'and'; left: FilterNode; right: FilterNode }
  | { type: 'not'; operand: FilterNode }
  | { type: 'cmp'; field: string; op: Op; literal: Literal };

/** A request the fake rejects like 1C: `status` 400 (bad filter) or 500 (reference compared by order). */
export class FilterError extends Error {
  constructor(
    readonly status: 400 | 500,
    message: string,
  ) {
    super(message);
  }
}

export const REF_ORDER_MESSAGE = 'Нельзя сравнивать поля неограниченной длины и поля несовместимых типов';
const GUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
const DATETIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$/;

export function parseFilter(text: string): FilterNode {
  const p = new Parser(text);
  const node = p.expr();
  p.skipSpaces();
  if (!p.done()) throw p.error('unexpected text');
  return node;
}

class Parser {
  private i = 0;
  constructor(private readonly s: string) {}

  done(): boolean {
    return this.i >= this.s.length;
  }

  error(what: string): FilterError {
    return new FilterError(400, `Неправильный формат $filter: ${what} at position ${this.i}`);
  }

  skipSpaces(): void {
    while (this.s[this.i] === ' ') this.i++;
  }

  private keyword(word: string): boolean {
    this.skipSpaces();
    const end = this.i + word.length;
    if (this.s.slice(this.i, end).toLowerCase() === word && (this.s[end] === ' ' || this.s[end] === '(')) {
      this.i = end;
      return true;
    }
    return false;
  }

  expr(): FilterNode {
    let left = this.conj();
    while (this.keyword('or')) left = { type: 'or', left, right: this.conj() };
    return left;
  }

  private conj(): FilterNode {
    let left = this.unary();
    while (this.keyword('and')) left = { type: 'and', left, right: this.unary() };
    return left;
  }

  private unary(): FilterNode {
    if (this.keyword('not')) return { type: 'not', operand: this.unary() };
    this.skipSpaces();
    if (this.s[this.i] === '(') {
      this.i++;
      const inner = this.expr();
      this.skipSpaces();
      if (this.s[this.i] !== ')') throw this.error("')' expected");
      this.i++;
      return inner;
    }
    const field = this.identifier();
    this.skipSpaces();
    const op = this.identifier().toLowerCase();
    if (!['eq', 'ne', 'gt', 'ge', 'lt', 'le'].includes(op)) throw this.error(`unknown operator ${op}`);
    this.skipSpaces();
    return { type: 'cmp', field, op: op as Op, literal: this.literal() };
  }

  private identifier(): string {
    const m = /^[\p{L}\p{N}_]+/u.exec(this.s.slice(this.i));
    if (!m) throw this.error('name expected');
    this.i += m[0].length;
    return m[0];
  }

  private quoted(): string {
    if (this.s[this.i] !== "'") throw this.error('quote expected');
    this.i++;
    let out = '';
    for (;;) {
      if (this.i >= this.s.length) throw this.error('unterminated literal');
      const c = this.s[this.i++];
      if (c === "'") {
        if (this.s[this.i] === "'") {
          out += "'";
          this.i++;
          continue;
        }
        return out;
      }
      out += c;
    }
  }

  private literal(): Literal {
    const rest = this.s.slice(this.i);
    if (rest.startsWith("'")) return { kind: 'string', value: this.quoted() };
    if (/^guid'/i.test(rest)) {
      this.i += 4;
      const v = this.quoted();
      if (!GUID.test(v)) throw new FilterError(400, `Неправильный литерал guid'${v}'`);
      return { kind: 'guid', value: v.toLowerCase() };
    }
    if (/^datetime'/i.test(rest)) {
      this.i += 8;
      const v = this.quoted();
      if (!DATETIME.test(v)) throw new FilterError(400, `Неправильный литерал datetime'${v}'`);
      return { kind: 'datetime', value: v };
    }
    const b = /^(true|false)\b/i.exec(rest);
    if (b) {
      this.i += b[0].length;
      return { kind: 'bool', value: b[0].toLowerCase() === 'true' };
    }
    const n = /^-?\d+(\.\d+)?/.exec(rest);
    if (n) {
      this.i += n[0].length;
      return { kind: 'number', value: Number(n[0]) };
    }
    throw this.error('literal expected');
  }
}

/** Fields whose order comparison 1C refuses with a 500: references (`Ref_Key`, `…_Key`). */
export function isReferenceField(field: string): boolean {
  return field === 'Ref_Key' || field.endsWith('_Key');
}

/**
 * Checks a parsed filter against the set's fields before running it: unknown property → 400,
 * order comparison on a reference → 500 (as 1C does).
 */
export function checkFilter(node: FilterNode, hasField: (f: string) => boolean): void {
  if (node.type === 'cmp') {
    if (!hasField(node.field)) throw new FilterError(400, `Свойство ${node.field} не найдено`);
    if (isReferenceField(node.field) && node.op !== 'eq' && node.op !== 'ne')
      throw new FilterError(500, REF_ORDER_MESSAGE);
  } else if (node.type === 'not') checkFilter(node.operand, hasField);
  else {
    checkFilter(node.left, hasField);
    checkFilter(node.right, hasField);
  }
}

/** Ordinal/chronological/numeric comparison; booleans false < true; null/undefined first. */
export function compareValues(a: unknown, b: unknown): number {
  if (a === b) return 0;
  if (a === undefined || a === null) return -1;
  if (b === undefined || b === null) return 1;
  if (typeof a === 'number' && typeof b === 'number') return a < b ? -1 : 1;
  if (typeof a === 'boolean' && typeof b === 'boolean') return a ? 1 : -1;
  const x = typeof a === 'string' ? a : String(a);
  const y = typeof b === 'string' ? b : String(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

function literalValue(l: Literal, rowValue: unknown): unknown {
  if (l.kind === 'guid' && typeof rowValue === 'string') return l.value;
  if (l.kind === 'number' && typeof rowValue === 'string') return String(l.value);
  return l.value;
}

export function evaluate(node: FilterNode, row: Record<string, unknown>): boolean {
  switch (node.type) {
    case 'or':
      return evaluate(node.left, row) || evaluate(node.right, row);
    case 'and':
      return evaluate(node.left, row) && evaluate(node.right, row);
    case 'not':
      return !evaluate(node.operand, row);
    case 'cmp': {
      let v = row[node.field];
      if (node.literal.kind === 'guid' && typeof v === 'string') v = v.toLowerCase();
      const c = compareValues(v, literalValue(node.literal, v));
      switch (node.op) {
        case 'eq':
          return c === 0;
        case 'ne':
          return c !== 0;
        case 'gt':
          return c > 0;
        case 'ge':
          return c >= 0;
        case 'lt':
          return c < 0;
        case 'le':
          return c <= 0;
      }
    }
  }
}

/**
 * Splits a virtual-table parameter list `Period=datetime'…',AccountCondition='…''…'''` into
 * name → raw value text, honouring quotes (a doubled quote stays inside a quoted value).
 */
export function splitParameters(text: string): Map<string, string> {
  const out = new Map<string, string>();
  let i = 0;
  while (i < text.length) {
    const eq = text.indexOf('=', i);
    if (eq < 0) throw new FilterError(400, 'Неправильный параметр виртуальной таблицы');
    const name = text.slice(i, eq).trim();
    let j = eq + 1;
    let inQuote = false;
    while (j < text.length) {
      const c = text[j];
      if (c === "'") {
        if (inQuote && text[j + 1] === "'") j++;
        else inQuote = !inQuote;
      } else if (c === ',' && !inQuote) break;
      j++;
    }
    if (inQuote) throw new FilterError(400, 'Неправильный параметр виртуальной таблицы: кавычка не закрыта');
    out.set(name, text.slice(eq + 1, j).trim());
    i = j + 1;
  }
  return out;
}

/**
 * Undoes the wrapping of docs/protocols/onec-odata.md#receivables: the text between the outer quotes,
 * `''` → `'`.
 */
export function unwrapParameter(raw: string): string {
  if (!(raw.startsWith("'") && raw.endsWith("'") && raw.length >= 2))
    throw new FilterError(400, 'Параметр условия должен быть строкой');
  return raw.slice(1, -1).replace(/''/g, "'");
}

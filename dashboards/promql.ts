import { METRICS } from '../src/metrics/metric-names.constants.js';

/** Keywords and modifiers of PromQL that look like identifiers. */
const KEYWORDS = new Set([
  'by',
  'without',
  'on',
  'ignoring',
  'group_left',
  'group_right',
  'and',
  'or',
  'unless',
  'bool',
  'offset',
  'inf',
  'nan',
  'start',
  'end',
]);
/** Keywords followed by a parenthesised list of label names (not metrics). */
const LABEL_LIST_KEYWORDS = new Set(['by', 'without', 'on', 'ignoring', 'group_left', 'group_right']);

/**
 * The metric names an expression selects: PromQL (or a Grafana `label_values(metric{…}, label)`
 * variable query), tokenised rather than matched by pattern. Skipped: string literals (label values),
 * `{…}` label matchers, `[…]` ranges and durations, Grafana `$variables`, numbers, function and
 * aggregation names (an identifier followed by `(` or by `by`/`without`), keywords, and the label
 * names listed after `by`/`without`/`on`/`ignoring`/`group_left`/`group_right` and as the second
 * argument of `label_values`.
 */
export function metricNamesInExpr(expr: string): string[] {
  const tokens = tokenize(expr);
  const names = new Set<string>();
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    if (t.kind !== 'ident') continue;
    const next = tokens[i + 1];
    if (KEYWORDS.has(t.text.toLowerCase())) {
      if (LABEL_LIST_KEYWORDS.has(t.text.toLowerCase()) && next?.text === '(')
        i = closingParen(tokens, i + 1);
      continue;
    }
    if (next?.text === '(') {
      if (t.text === 'label_values') {
        // label_values(metric{…}, label) or label_values(label): only a first argument followed by a comma is a metric.
        const args = splitArgs(tokens, i + 1);
        if (args.length === 2 && args[0].length === 1 && args[0][0].kind === 'ident')
          names.add(args[0][0].text);
        i = closingParen(tokens, i + 1);
      }
      continue; // a function or an aggregation
    }
    if (next?.kind === 'ident' && LABEL_LIST_KEYWORDS.has(next.text.toLowerCase()) && isAggregation(t.text))
      continue;
    names.add(t.text);
  }
  return [...names];
}

const AGGREGATIONS = new Set([
  'sum',
  'min',
  'max',
  'avg',
  'group',
  'stddev',
  'stdvar',
  'count',
  'count_values',
  'bottomk',
  'topk',
  'quantile',
  'limitk',
  'limit_ratio',
]);
function isAggregation(name: string): boolean {
  return AGGREGATIONS.has(name);
}

/** Every series name the service exports: each metric of METRICS, with `_bucket`, `_sum`, `_count` for histograms. */
export function exportedSeriesNames(): Set<string> {
  const out = new Set<string>();
  for (const m of Object.values(METRICS)) {
    out.add(m.name);
    if (m.type === 'histogram') for (const s of ['_bucket', '_sum', '_count']) out.add(`${m.name}${s}`);
  }
  return out;
}

interface Token {
  kind: 'ident' | 'punct' | 'number';
  text: string;
}

function tokenize(expr: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < expr.length) {
    const c = expr[i];
    if (/\s/.test(c)) {
      i++;
    } else if (c === '"' || c === "'" || c === '`') {
      i = skipString(expr, i);
    } else if (c === '#') {
      while (i < expr.length && expr[i] !== '\n') i++;
    } else if (c === '{' || c === '[') {
      i = skipBlock(expr, i, c, c === '{' ? '}' : ']');
    } else if (c === '$') {
      // Grafana variable: $name, ${name} or ${name:format}
      i++;
      if (expr[i] === '{') i = skipBlock(expr, i, '{', '}');
      else while (i < expr.length && /[\w]/.test(expr[i])) i++;
    } else if (/[0-9.]/.test(c)) {
      // A duration (`offset 1h30m`), a hex number or a decimal number.
      const m =
        /^([0-9]+(ms|[smhdwy])([0-9]+(ms|[smhdwy]))*(?![\w])|0x[0-9a-f]+|[0-9]*\.?[0-9]+(e[+-]?[0-9]+)?)/i.exec(
          expr.slice(i),
        );
      const len = m ? m[0].length : 1;
      out.push({ kind: 'number', text: expr.slice(i, i + len) });
      i += len;
    } else if (/[a-zA-Z_:]/.test(c)) {
      const m = /^[a-zA-Z_:][a-zA-Z0-9_:]*/.exec(expr.slice(i))!;
      out.push({ kind: 'ident', text: m[0] });
      i += m[0].length;
    } else {
      out.push({ kind: 'punct', text: c });
      i++;
    }
  }
  return out;
}

function skipString(s: string, start: number): number {
  const q = s[start];
  let i = start + 1;
  while (i < s.length && s[i] !== q) i += s[i] === '\\' && q !== '`' ? 2 : 1;
  return i + 1;
}

/** Skips a `{…}` or `[…]` block (strings inside may hold the closing character). */
function skipBlock(s: string, start: number, open: string, close: string): number {
  let depth = 0;
  let i = start;
  while (i < s.length) {
    const c = s[i];
    if (c === '"' || c === "'" || c === '`') {
      i = skipString(s, i);
      continue;
    }
    if (c === open) depth++;
    else if (c === close && --depth === 0) return i + 1;
    i++;
  }
  throw new SyntaxError(`unclosed ${open} in ${JSON.stringify(s)}`);
}

/** Index of the `)` matching the `(` at `open`. */
function closingParen(tokens: Token[], open: number): number {
  let depth = 0;
  for (let i = open; i < tokens.length; i++) {
    if (tokens[i].text === '(') depth++;
    else if (tokens[i].text === ')' && --depth === 0) return i;
  }
  throw new SyntaxError('unbalanced parentheses');
}

/** The top-level comma-separated arguments of the call whose `(` is at `open`. */
function splitArgs(tokens: Token[], open: number): Token[][] {
  const end = closingParen(tokens, open);
  const args: Token[][] = [[]];
  let depth = 0;
  for (let i = open + 1; i < end; i++) {
    const t = tokens[i];
    if (t.text === '(') depth++;
    if (t.text === ')') depth--;
    if (t.text === ',' && depth === 0) args.push([]);
    else args[args.length - 1].push(t);
  }
  return args;
}

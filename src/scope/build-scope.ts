import type { ScopeMapping } from '../mapping/mapping.types.js';
import type { OneCFolder } from '../onec/onec.types.js';
import type { RunScope } from './scope.types.js';

/** What deciding a counterparty's scope needs of it (a version-scan row read with keys). */
export interface ScopeCandidate {
  ref: string;
  /** The folder it is in; null at the top of the catalog. */
  parentRef: string | null;
  /** `ИНН` as 1C holds it (compared by its digits). */
  inn: string;
}

const digits = (s: string) => s.replace(/\D/g, '');

/**
 * The configured folders and every folder below them (a folder includes its sub-folders, at any depth).
 * Refs are compared lower-cased; a loop in 1C's parent links does not hang it.
 */
export function folderClosure(roots: readonly string[], folders: readonly OneCFolder[]): Set<string> {
  const children = new Map<string, string[]>();
  for (const f of folders) {
    if (!f.parentRef) continue;
    const parent = f.parentRef.toLowerCase();
    const list = children.get(parent) ?? [];
    list.push(f.ref.toLowerCase());
    children.set(parent, list);
  }
  const closure = new Set<string>();
  const queue = roots.map((r) => r.toLowerCase());
  while (queue.length) {
    const ref = queue.pop()!;
    if (closure.has(ref)) continue;
    closure.add(ref);
    queue.push(...(children.get(ref) ?? []));
  }
  return closure;
}

/**
 * The run's scope: a counterparty is in it when its folder is one of the configured folders or below
 * one, or when its INN (digits) is one of the configured INNs. Pure.
 */
export function buildScope(
  scope: NonNullable<ScopeMapping['counterparties']>,
  folders: readonly OneCFolder[],
  counterparties: Iterable<ScopeCandidate>,
): RunScope {
  const closure = folderClosure(scope.folders ?? [], folders);
  const inns = new Set((scope.inn ?? []).map(digits));
  const inScope = new Set<string>();
  for (const c of counterparties) {
    const folder = c.parentRef?.toLowerCase() ?? null;
    const inn = digits(c.inn);
    if ((folder !== null && closure.has(folder)) || (inn !== '' && inns.has(inn)))
      inScope.add(c.ref.toLowerCase());
  }
  return { counterparties: inScope };
}

/**
 * What is wrong with the configured folders against 1C: one line per ref that is not a folder of the
 * counterparty catalog, saying whether it is a counterparty (an item) or unknown to 1C. `isItem` tells a
 * counterparty's ref. Lines read as the mapping's other errors (`<path>: <problem>`).
 */
export async function folderProblems(
  configured: readonly string[],
  folders: readonly OneCFolder[],
  isItem: (ref: string) => boolean | Promise<boolean>,
): Promise<string[]> {
  const known = new Set(folders.map((f) => f.ref.toLowerCase()));
  const problems: string[] = [];
  for (const [i, ref] of configured.entries()) {
    if (known.has(ref.toLowerCase())) continue;
    problems.push(
      (await isItem(ref))
        ? `scope.counterparties.folders.${i}: ${ref} is a counterparty (an item of the catalog), not a folder`
        : `scope.counterparties.folders.${i}: ${ref} is not in 1C (no folder of the counterparty catalog has this Ref_Key)`,
    );
  }
  return problems;
}

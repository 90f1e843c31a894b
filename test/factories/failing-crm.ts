import { CrmError, CrmErrorCode } from '../../src/crm/crm.error.js';
import type { CrmPort } from '../../src/crm/crm.port.js';
import type { CrmWrite, CrmWriteResult } from '../../src/crm/crm.types.js';

/**
 * A CrmPort that forwards to a real one but refuses the writes of chosen command keys (1C refs) with
 * INVALID, as a portal refusing a value would: for dead-letter tests.
 */
export function refusingWritesOf(inner: CrmPort, refuse: ReadonlySet<string>): CrmPort {
  return new Proxy(inner, {
    get(target, prop, receiver) {
      if (prop === 'applyWrites')
        return async (
          writes: CrmWrite[],
          opts?: Parameters<CrmPort['applyWrites']>[1],
        ): Promise<CrmWriteResult[]> => {
          const pass = writes.filter((w) => !refuse.has(w.key));
          const res = pass.length ? await target.applyWrites(pass, opts) : [];
          const byKey = new Map(res.map((r) => [r.key, r]));
          return writes.map(
            (w) =>
              byKey.get(w.key) ?? {
                key: w.key,
                ok: false as const,
                error: new CrmError(
                  CrmErrorCode.INVALID,
                  'the portal refused a field value',
                  400,
                  'ERROR_CORE',
                ),
              },
          );
        };
      const v = Reflect.get(target, prop, receiver) as unknown;
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
}

import { parentPort, workerData } from 'node:worker_threads';
import autocannon from 'autocannon';

/**
 * Runs autocannon in its own thread, so the load generator does not share the service's event loop.
 * Inside a worker autocannon returns raw histograms; `aggregateResult` turns them into the usual result.
 */
const opts = workerData as autocannon.Options;
const aggregate = (autocannon as unknown as { aggregateResult: (r: unknown, o: unknown) => unknown })
  .aggregateResult;
autocannon(opts).then(
  (raw) => parentPort?.postMessage({ ok: true, result: JSON.parse(JSON.stringify(aggregate([raw], opts))) }),
  (err: unknown) => parentPort?.postMessage({ ok: false, error: String(err) }),
);

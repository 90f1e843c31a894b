/**
 * The change registration of the SverkaFeed extension's exchange plan node, in memory, as the fake 1C's
 * `…/hs/sverka` serves it (docs/protocols/onec-change-feed.md):
 *
 * - every write of a synced record registers it (one registration per record; a new write of a record
 *   already registered clears its message number, as 1C does when it registers an object again);
 * - `build(limit)` starts message `sentNo + 1`, stamps every registration already sent in an
 *   unacknowledged message plus new ones up to `limit`, and returns exactly the registrations whose number
 *   is ≤ the new one — so acknowledging it can never remove a registration the message did not carry;
 * - `ack(n)` removes the registrations stamped ≤ n (a registration written again after it was stamped has
 *   no number and stays), raises `receivedNo`; repeating it is harmless.
 */

export interface FeedRegistration {
  set: string;
  ref: string;
  /** The message that carried it last; null = not sent since it was (re)registered. */
  messageNo: number | null;
}

export interface FeedCounters {
  sentNo: number;
  receivedNo: number;
  pending: number;
}

export class FeedProtocolError extends Error {}

export class ChangeFeed {
  private readonly registrations = new Map<string, FeedRegistration>();
  private sent = 0;
  private received = 0;

  /** Registers a change of `ref` in `set` (a record added, changed, marked or deleted). */
  register(set: string, ref: string): void {
    const key = `${set}|${ref.toLowerCase()}`;
    this.registrations.delete(key); // keep registration order: a re-registered record moves to the end
    this.registrations.set(key, { set, ref: ref.toLowerCase(), messageNo: null });
  }

  /** Builds the next message; returns its number and the registrations it carries, and whether more wait. */
  build(limit: number): { messageNo: number; items: FeedRegistration[]; more: boolean } {
    const n = ++this.sent;
    const items: FeedRegistration[] = [];
    // First what an unacknowledged message already carried (else acking n would drop it unseen) …
    for (const r of this.registrations.values()) if (r.messageNo !== null) items.push(r);
    // … then new registrations up to the limit.
    for (const r of this.registrations.values()) {
      if (items.length >= limit) break;
      if (r.messageNo === null) items.push(r);
    }
    for (const r of items) r.messageNo = n;
    return {
      messageNo: n,
      items: items.map((r) => ({ ...r })),
      more: this.registrations.size > items.length,
    };
  }

  /** Acknowledges every message up to `n`. Throws FeedProtocolError for a number never sent. */
  ack(n: number): number {
    if (!Number.isSafeInteger(n) || n < 1)
      throw new FeedProtocolError('messageNo must be a whole number ≥ 1');
    if (n > this.sent) throw new FeedProtocolError(`message ${n} was never sent (the last is ${this.sent})`);
    for (const [key, r] of this.registrations)
      if (r.messageNo !== null && r.messageNo <= n) this.registrations.delete(key);
    this.received = Math.max(this.received, n);
    return this.received;
  }

  counters(): FeedCounters {
    return { sentNo: this.sent, receivedNo: this.received, pending: this.registrations.size };
  }

  /** Registrations not yet sent in any message (what the 1C doorbell job looks for). */
  unsent(): number {
    let n = 0;
    for (const r of this.registrations.values()) if (r.messageNo === null) n++;
    return n;
  }

  /** A copy of every registration, in registration order (tests). */
  list(): FeedRegistration[] {
    return [...this.registrations.values()].map((r) => ({ ...r }));
  }
}

// wsOpts.reconnect's policy on its own: which upgrades are issued again on every new
// connection. The connection asks it; it knows nothing of sockets or protocols.
import type { WsUpgradeRequest } from './protocol.js';
import type { StreamRef } from './messages.js';

/** Shared while nothing is remembered: most connections never use wsOpts.reconnect. */
const NONE: readonly WsUpgradeRequest[] = Object.freeze([]);

export class Reupgrades {
  #list: readonly WsUpgradeRequest[] = NONE;
  /** True once any upgrade asked to be re-issued: the retry waits are then the jittered backoff's. */
  #used = false;

  /** An upgrade with `reconnect: true` reached a connection: it is issued again after every reconnect. */
  remember(upgrade: WsUpgradeRequest): void {
    this.#used = true;
    if (!this.#list.includes(upgrade)) this.#list = [...this.#list, upgrade];
  }

  /** A cancel of a remembered upgrade: it is not issued again. Returns whether it was one. */
  forget(ref: StreamRef): boolean {
    const before = this.#list.length;
    this.#list = this.#list.filter((u) => u.ref !== ref);
    return this.#list.length !== before;
  }

  /** Re-issued on every connection anyway, so not to be carried over as unsent too. */
  has(upgrade: WsUpgradeRequest): boolean {
    return this.#list.includes(upgrade);
  }

  /** The upgrades to issue on a new connection, in the order they were first made. */
  get all(): readonly WsUpgradeRequest[] {
    return this.#list;
  }

  get pending(): boolean {
    return this.#list.length > 0;
  }

  /** Whether the reconnect backoff applies (an upgrade asked to be re-issued, even if since cancelled). */
  get used(): boolean {
    return this.#used;
  }

  /** A graceful close: nothing is issued again. */
  clear(): void {
    this.#list = NONE;
    this.#used = false;
  }
}

// The monitors of one process, by ref. The first one is kept in two fields, more in a Map:
// a genServer.call's monitor is usually the caller's only monitor and the server's only
// watcher, and a Map made, filled and emptied on every call costs allocations and V8's shrink
// of an emptied Map (a runtime call and a new table). Iteration is in insertion order, as a
// Map's: the inline entry is only filled while the Map is empty, so it is always the oldest.
import type { Ref } from './pid.js';

// Declared in the shipped types (Process names it) but not exported from any entry point.
export class RefTable<V> {
  #ref: Ref | undefined = undefined;
  #value: V | undefined = undefined;
  #more: Map<Ref, V> | undefined = undefined;

  get size(): number {
    return (this.#ref === undefined ? 0 : 1) + (this.#more?.size ?? 0);
  }

  get(ref: Ref): V | undefined {
    return ref === this.#ref ? this.#value : this.#more?.get(ref);
  }

  has(ref: Ref): boolean {
    return (ref === this.#ref && ref !== undefined) || this.#more?.has(ref) === true;
  }

  set(ref: Ref, value: V): void {
    if (ref === this.#ref) this.#value = value;
    else if (this.#ref === undefined && (this.#more === undefined || this.#more.size === 0)) {
      this.#ref = ref;
      this.#value = value;
    } else (this.#more ??= new Map()).set(ref, value);
  }

  delete(ref: Ref): boolean {
    if (ref === this.#ref && ref !== undefined) {
      this.#ref = undefined;
      this.#value = undefined;
      return true;
    }
    return this.#more?.delete(ref) === true;
  }

  /** The entries, oldest first (a copy: the table may change while they are used). */
  entries(): [Ref, V][] {
    const out: [Ref, V][] = this.#ref === undefined ? [] : [[this.#ref, this.#value as V]];
    if (this.#more !== undefined) for (const entry of this.#more) out.push(entry);
    return out;
  }
}

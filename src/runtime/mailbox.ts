// An ordered message store for selective receive. A doubly linked list, because a
// receive may take a message from the middle (O(1) removal) and a big backlog must
// not be copied on every take (Array#shift copies past ~16k items).

interface Node {
  readonly msg: unknown;
  prev: Node | undefined;
  next: Node | undefined;
}

export class Mailbox {
  #head: Node | undefined;
  #tail: Node | undefined;
  #size = 0;

  get size(): number {
    return this.#size;
  }

  push(msg: unknown): void {
    const node: Node = { msg, prev: this.#tail, next: undefined };
    if (this.#tail) this.#tail.next = node;
    else this.#head = node;
    this.#tail = node;
    this.#size++;
  }

  /**
   * Takes the oldest message `pick` accepts and returns what `pick` returned for it (the
   * clause that matched); the others keep their order. `undefined` when none matches.
   * The message itself is left in `taken` (no allocation per take: this is the hot path).
   */
  take<T>(pick: (msg: unknown) => T | undefined): T | undefined {
    for (let node = this.#head; node; node = node.next) {
      const token = pick(node.msg);
      if (token !== undefined) {
        this.#unlink(node);
        this.taken = node.msg;
        return token;
      }
    }
    return undefined;
  }

  /** The message the last successful `take` removed. */
  taken: unknown = undefined;

  /** Takes the oldest message, if any. */
  shift(): unknown {
    const node = this.#head;
    if (!node) return undefined;
    this.#unlink(node);
    return node.msg;
  }

  /** Removes every message `pred` accepts, in one pass; returns how many. */
  removeAll(pred: (msg: unknown) => boolean): number {
    let removed = 0;
    for (let node = this.#head; node; ) {
      const next = node.next;
      if (pred(node.msg)) {
        this.#unlink(node);
        removed++;
      }
      node = next;
    }
    return removed;
  }

  toArray(): unknown[] {
    const out: unknown[] = [];
    for (let node = this.#head; node; node = node.next) out.push(node.msg);
    return out;
  }

  clear(): unknown[] {
    const all = this.toArray();
    this.#head = this.#tail = undefined;
    this.#size = 0;
    return all;
  }

  #unlink(node: Node): void {
    if (node.prev) node.prev.next = node.next;
    else this.#head = node.next;
    if (node.next) node.next.prev = node.prev;
    else this.#tail = node.prev;
    node.prev = node.next = undefined;
    this.#size--;
  }
}

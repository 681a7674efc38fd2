import { inspect } from 'node:util';
import { nanoid } from 'nanoid';

// Pids and refs are compared by identity: one frozen object per process or ref.
// The nanoid keeps them unique across library copies and workers; the serial keeps
// them readable in logs, the way Erlang prints <0.42.0>.
let pidSerial = 0;
let refSerial = 0;

// The nanoid is made on first use: most pids and refs are only ever compared by identity,
// and 100,000 idle processes should not each pay for a random string.

/** A process identifier. Opaque; compare with `===`. Prints as `<0.42.0>`. */
export class Pid {
  #id: string | undefined;
  readonly serial: number = ++pidSerial;
  /** A globally unique id (nanoid), e.g. for logs shared across workers. */
  get id(): string {
    return (this.#id ??= nanoid());
  }
  /** @internal */
  constructor() {
    Object.freeze(this);
  }
  toString(): string {
    return `<0.${this.serial}.0>`;
  }
  toJSON(): string {
    return this.toString();
  }
  [inspect.custom](): string {
    return this.toString();
  }
}

/** A unique reference (monitor refs, stream refs, timer refs). Compare with `===`. Prints as `#Ref<0.7>`. */
export class Ref {
  #id: string | undefined;
  readonly serial: number = ++refSerial;
  /** A globally unique id (nanoid). */
  get id(): string {
    return (this.#id ??= nanoid());
  }
  /** @internal */
  constructor() {
    Object.freeze(this);
  }
  toString(): string {
    return `#Ref<0.${this.serial}>`;
  }
  toJSON(): string {
    return this.toString();
  }
  [inspect.custom](): string {
    return this.toString();
  }
}

/** Makes a new unique reference (Erlang's `make_ref/0`). */
export function makeRef(): Ref {
  return new Ref();
}

export function isPid(value: unknown): value is Pid {
  return value instanceof Pid;
}

export function isRef(value: unknown): value is Ref {
  return value instanceof Ref;
}

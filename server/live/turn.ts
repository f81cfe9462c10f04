/**
 * Frames of one turn of the event loop leave together. The first frame of a turn goes at once;
 * frames sent after it in the same turn are held and written when the turn ends (a `setImmediate`:
 * after every socket read in this turn is handled). A lone client's answer never waits, and under
 * load the process reads every ready socket, then writes every answer, instead of waking each
 * client once per message: fewer wakeups on both sides, which is most of a small frame's cost.
 * One connection's frames keep their order.
 */

/** Where a connection's held frames go (its socket). */
export interface FrameSink {
  write(frame: string | Buffer): void;
}

/** Outboxes holding frames for the end of this turn. */
const holding = new Set<Outbox>();
/** A frame was written in this turn: the next ones wait for its end. */
let busyTurn = false;
/** The turn's end is scheduled (a `setImmediate` made earlier may still be pending after {@link endTurn}). */
let scheduled = false;

function atImmediate(): void {
  scheduled = false;
  endTurn();
}

/**
 * Writes every held frame now. The turn's own `setImmediate` calls it; so does work that sends a
 * burst of frames from a `setImmediate` of its own (write-behind's release, persister.ts), whose
 * frames would otherwise wait for the next turn's end.
 */
export function endTurn(): void {
  busyTurn = false;
  for (const o of holding) o.flush();
}

/** One connection's outgoing frames, held within a busy turn (see the module's note). */
export class Outbox {
  #held: (string | Buffer)[] | undefined;

  constructor(readonly sink: FrameSink) {}

  /** Writes `frame` now if it is the turn's first, else at the turn's end, after this outbox's frames before it. */
  send(frame: string | Buffer): void {
    if (this.#held) {
      this.#held.push(frame);
    } else if (!busyTurn) {
      busyTurn = true;
      if (!scheduled) {
        scheduled = true;
        setImmediate(atImmediate);
      }
      this.sink.write(frame);
    } else {
      this.#held = [frame];
      holding.add(this);
    }
  }

  /** Writes the held frames now (the turn's end, or before the connection closes). */
  flush(): void {
    const held = this.#held;
    if (!held) return;
    this.#held = undefined;
    holding.delete(this);
    for (const f of held) this.sink.write(f);
  }

  /** Drops the held frames (the socket is gone). */
  discard(): void {
    this.#held = undefined;
    holding.delete(this);
  }
}

/**
 * Frames of one turn of the event loop leave together. The first frame of a turn goes at once;
 * frames sent after it in the same turn are held and written when the turn ends (a `setImmediate`:
 * after every socket read in this turn is handled). A lone client's answer never waits, and under
 * load the process reads every ready socket, then writes every answer, instead of waking each
 * client once per message: fewer wakeups on both sides, which is most of a small frame's cost.
 * One connection's frames keep their order.
 */

/**
 * A connection, as the turn sees it: its held frames (undefined when none: an idle connection
 * keeps no array) and the write that puts a frame on its socket now. The connection holds both,
 * so that holding costs it one field, not an object.
 */
export interface TurnSink {
  held: (string | Buffer)[] | undefined;
  writeNow(frame: string | Buffer): void;
}

/** Connections holding frames for the end of this turn. */
const holding = new Set<TurnSink>();
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
  for (const s of holding) {
    try {
      flushHeld(s);
    } catch {
      // A socket that cannot take a frame is failing: its own error or close event ends it, and
      // the other connections' frames still go (this runs in a setImmediate: a throw would crash).
      dropHeld(s);
    }
  }
}

/** Writes `frame` to `s` now if it is the turn's first, else at the turn's end, after `s`'s frames before it. */
export function sendInTurn(s: TurnSink, frame: string | Buffer): void {
  if (s.held) {
    s.held.push(frame);
  } else if (!busyTurn) {
    busyTurn = true;
    if (!scheduled) {
      scheduled = true;
      setImmediate(atImmediate);
    }
    s.writeNow(frame);
  } else {
    s.held = [frame];
    holding.add(s);
  }
}

/** Writes `s`'s held frames now (the turn's end, or before the connection closes). */
export function flushHeld(s: TurnSink): void {
  const held = s.held;
  if (!held) return;
  s.held = undefined;
  holding.delete(s);
  for (const f of held) s.writeNow(f);
}

/** Drops `s`'s held frames (its socket is gone). */
export function dropHeld(s: TurnSink): void {
  s.held = undefined;
  holding.delete(s);
}

import type { HotlineUser } from "../../core/context.js";
import type { LiveInstance } from "../../live/instance.js";
import type { Dormant, SleepingViewer } from "../../live/dormant.js";
import { ownerOf } from "../../live/hub.js";
import type { Connection } from "./connection.js";

/**
 * A view joined (or joining) on a connection under the id its client chose, and the viewer it is of
 * its instance, sending through the connection: one object for both, made at once with every
 * field (views are many).
 */
export class View implements SleepingViewer {
  /** its session key, once the hub has opened the instance */
  key = "";
  /** the instance, once joined (the join's `ok` sent); none while hibernated */
  live: LiveInstance | undefined = undefined;
  /** what is kept of its session while it hibernates (docs/hibernation.md) */
  dormant: Dormant | undefined = undefined;
  /** the join under way; dropped once joined (an idle view keeps no promise) */
  ready: Promise<LiveInstance | undefined> | undefined = undefined;
  /** left (or its connection gone) */
  left = false;

  constructor(
    readonly id: string,
    readonly connection: Connection,
    /** set when the join named no component (a live navigate by URL): the name it resolved to */
    public named: string | undefined,
  ) {}
  get user(): HotlineUser | null {
    return this.connection.user;
  }
  get owner(): string | undefined {
    const c = this.connection;
    return ownerOf(c.user === null ? undefined : c.userKey, c.address);
  }
  send(frame: string | Buffer): void {
    this.connection.send(frame);
  }
  sleep(dormant: Dormant): void {
    this.live = undefined;
    this.dormant = dormant;
  }
  woke(live: LiveInstance | undefined): void {
    this.dormant = undefined;
    this.live = live;
    if (!live) this.connection.lost(this);
  }
}

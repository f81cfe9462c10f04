/** The record a live instance keeps in the state store (the session key's, or a shared group's). */
export interface StoredInstance {
  /** component name */
  c: string;
  /** dehydrated state */
  s?: Record<string, unknown>;
  /** topics */
  t?: string[];
  /** a shared component's viewer: the group's store key */
  g?: string;
  /** the params it was started with (a shared component's viewer: the group is found again by them) */
  p?: Record<string, unknown>;
  /** the key of the user it belongs to: nobody else may resume it */
  u?: string;
}

import type { ComponentClass } from "./component.js";
import { HotlineError } from "./errors.js";

const NAME = /^[a-zA-Z][a-zA-Z0-9_-]{0,63}$/;

/**
 * Component classes by name: what a client's `join` or an HTTP request names.
 *
 * @example
 * const registry = new Registry();
 * registry.register("counter", Counter);
 * registry.get("counter"); // Counter
 */
export class Registry {
  readonly #byName = new Map<string, ComponentClass>();

  /** Registers `cls` under `name`; a name can be registered once. */
  register<T extends ComponentClass>(name: string, cls: T): T {
    if (!NAME.test(name)) throw new Error(`"${name}" is not a valid component name (letters, digits, - and _; 64 at most)`);
    if (this.#byName.has(name)) throw new Error(`a component named "${name}" is already registered`);
    if (typeof cls !== "function") throw new Error(`register("${name}") needs a component class`);
    this.#byName.set(name, cls);
    return cls;
  }

  /** The class registered under `name`, or undefined. */
  get(name: string): ComponentClass | undefined {
    return typeof name === "string" ? this.#byName.get(name) : undefined;
  }

  /** The class registered under `name`; `unknown_component` otherwise. */
  require(name: unknown): ComponentClass {
    const cls = typeof name === "string" ? this.#byName.get(name) : undefined;
    if (!cls) throw new HotlineError("unknown_component", unknownMessage(name));
    return cls;
  }

  has(name: string): boolean {
    return this.#byName.has(name);
  }

  /** Registered names, in registration order. */
  names(): string[] {
    return [...this.#byName.keys()];
  }
}

// Names the component and how to register it. Only a well-formed name is repeated (it may be a
// client's input, and a message goes back to the client): anything else is not a component name.
function unknownMessage(name: unknown): string {
  if (typeof name !== "string" || !NAME.test(name)) return "no component is registered under that name (a component name is letters, digits, - and _; 64 at most)";
  return `no component is registered under that name: "${name}". Register it with @register("${name}") on its class (or registry.register("${name}", Class)) in a module the server imports before it serves`;
}

/** The default registry, used by `@register` and by `createHotline()` unless given another. */
export const registry = new Registry();

/**
 * Class decorator (standard decorators) registering a component under `name`.
 *
 * @example
 * @register("counter")
 * class Counter extends Component { ... }
 */
export function register(name: string, target: Registry = registry) {
  return <T extends ComponentClass>(cls: T, _context?: ClassDecoratorContext): void => {
    target.register(name, cls);
  };
}

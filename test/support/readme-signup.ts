// README.md's signup component ("Components"), copied as written, for the suites that check the
// example works (test/live/validation-errors, test/e2e/validation-errors). @register puts it in the
// default registry; a suite with a registry of its own registers it there too.
import { z } from "zod";
import { Component, register, html, HotlineError } from "../../server/index.js";

/** The README leaves isBanned to the app: this one refuses one address. */
const banned = new Set(["mallory@example.com"]);
async function isBanned(email: string): Promise<boolean> {
  return banned.has(email);
}

// ---------- README.md, "Components": copied as written ----------

@register("signup")
export class Signup extends Component<{ email: string; done: boolean }> {
  // Any Standard Schema validator (zod, valibot, arktype): a payload that fails it fills `this.errors`.
  static payloads = { save: z.object({ email: z.string().email() }) };
  mount() { this.state.email = ""; this.state.done = false; }
  async onSave({ email }: { email: string }) {
    if (await isBanned(email)) throw new HotlineError("unauthorized", "this address cannot sign up");
    this.state.email = email;
    this.state.done = true;
  }
  render() {
    return html`<form hl-submit="save"><input name="email" value="${this.state.email}">
      ${this.errors.email ? html`<p class="error">${this.errors.email}</p>` : ""}<button>Save</button></form>`;
  }
}

// ---------- ----------

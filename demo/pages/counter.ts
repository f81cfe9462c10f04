import type { DemoPage } from "../page.js";

/** The counter: one event, one tiny patch. */
export const counterPage: DemoPage = {
  path: "/counter",
  title: "Counter",
  blurb: "The smallest live component: two buttons, a number, and a patch of a few bytes per click.",
  body: async ({ live }) => `<h1>Counter</h1>
<p class="lead">Each click is one WebSocket message; the answer carries only the new number.
The count lives on the server, and survives a reconnect or a server restart.</p>
<section class="card">${await live("counter")}</section>`,
};

import { Component, html, register } from "hotline";
import "../../components/counter.js";
import type { DemoPage } from "../page.js";

/** The counter's page: its text, and the counter as a child component. */
@register("counter_page")
export class CounterPage extends Component {
  render() {
    return html`<h1>Counter</h1>
<p class="lead">Each click is one WebSocket message; the answer carries only the new number.
The count lives on the server, and survives a reconnect or a server restart.</p>
<section class="card">${this.child("counter")}</section>`;
  }
}

/** The counter: one event, one tiny patch. */
export const counterPage: DemoPage = {
  path: "/counter",
  title: "Counter",
  blurb: "The smallest live component: two buttons, a number, and a patch of a few bytes per click.",
  component: "counter_page",
  body: ({ live }) => live("counter_page"),
};

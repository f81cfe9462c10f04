import { html, register } from "hotline";
import { Board } from "../../components/board.js";
import type { DemoPage } from "../page.js";

/**
 * The board's page: the board itself with its text. The board is shared (one render for every
 * viewer), and a shared component cannot be a child: the page extends it instead. Its form's hook
 * (BoardForm, clearing the form once the item is added) is in demo/browser.ts.
 */
@register("board_page")
export class BoardPage extends Board {
  render() {
    return html`<h1>Shared board</h1>
<p class="lead">Open this page in two windows. A change is written once, announced over pub/sub, and
rendered once for every viewer; what you are typing is left alone.</p>
<section class="card">${super.render()}</section>`;
  }
}

/** The shared board: one list, everyone sees every change at once. */
export const boardPage: DemoPage = {
  path: "/board",
  title: "Shared board",
  blurb: "One list for everyone: add, tick and remove items, and every open window sees it at once.",
  component: "board_page",
  body: ({ live }) => live("board_page"),
};

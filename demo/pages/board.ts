import type { DemoPage } from "../page.js";

// Clears the adder's form once the item is added. The board is shared, so its "board:added" push
// reaches every viewer: each form tags its submits with its own random id and clears only on its own.
const hook = `<script>
addEventListener("DOMContentLoaded", function () {
  if (!window.Hotline) return;
  Hotline.hooks.BoardForm = {
    mounted: function () {
      var form = this.el, tag = Math.random().toString(36).slice(2, 12);
      this.tag = tag;
      form.addEventListener("submit", function () { form.elements.client.value = tag; }, true);
    },
    handleEvent: function (event, payload) {
      if (event === "board:added" && payload && payload.client === this.tag) this.el.reset();
    }
  };
});
</script>`;

/** The shared board: one list, everyone sees every change at once. */
export const boardPage: DemoPage = {
  path: "/board",
  title: "Shared board",
  blurb: "One list for everyone: add, tick and remove items, and every open window sees it at once.",
  head: hook,
  body: async ({ live }) => `<h1>Shared board</h1>
<p class="lead">Open this page in two windows. A change is written once, announced over pub/sub, and
rendered once for every viewer; what you are typing is left alone.</p>
<section class="card">${await live("board")}</section>`,
};

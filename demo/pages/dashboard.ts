import type { DemoPage } from "../page.js";

/** Live server figures, one publish per second, one render per tick for all viewers. */
export const dashboardPage: DemoPage = {
  path: "/dashboard",
  title: "Server dashboard",
  blurb: "Live CPU, memory and event-loop delay of the server, pushed every second to every viewer.",
  body: async ({ live }) => `<h1>Server dashboard</h1>
<p class="lead">A publisher measures the process once a second and publishes the figures; the
component renders once per tick and every viewer gets the same small patch.</p>
<section class="card">${await live("dashboard")}</section>`,
};

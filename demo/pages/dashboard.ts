import { html, register } from "hotline";
import { Dashboard } from "../../components/dashboard.js";
import type { DemoPage } from "../page.js";

/** The dashboard's page: the dashboard (whose tiles are its children) with its text. */
@register("dashboard_page")
export class DashboardPage extends Dashboard {
  render() {
    return html`<h1>Server dashboard</h1>
<p class="lead">A publisher measures the process once a second and publishes the figures; each figure
is a tile, a child component that the dashboard hands its new value, and that sends its own patch.</p>
<section class="card">${super.render()}</section>`;
  }
}

/** Live server figures, one publish per second. */
export const dashboardPage: DemoPage = {
  path: "/dashboard",
  title: "Server dashboard",
  blurb: "Live CPU, memory and event-loop delay of the server, pushed every second to every viewer.",
  component: "dashboard_page",
  body: ({ live }) => live("dashboard_page"),
};

import type { DemoPage } from "../page.js";
import { boardPage } from "./board.js";
import { cartPage } from "./cart.js";
import { cartNativePage } from "./cart-native.js";
import { counterPage } from "./counter.js";
import { dashboardPage } from "./dashboard.js";
import { htmxPage } from "./htmx.js";
import { ordersPage } from "./orders.js";
import { streamPage } from "./stream.js";

/** The demo pages, in the order of the index and the navigation. */
export const pages: readonly DemoPage[] = [counterPage, boardPage, dashboardPage, ordersPage, htmxPage, streamPage, cartPage, cartNativePage];

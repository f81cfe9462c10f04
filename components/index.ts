/**
 * The demo's components. Importing this module registers each one in the default registry. The
 * board and the orders read their app's services (components/services.ts).
 */
export { Counter } from "./counter.js";
export { Board, BOARD_TOPIC } from "./board.js";
export { Dashboard, DashboardTile, DASHBOARD_TOPIC, type Figures, type TileProps } from "./dashboard.js";
export { MemoryBoardRepo, RedisBoardRepo, MAX_ITEMS, type BoardItem, type BoardRepo } from "./board-repo.js";
export { Orders } from "./orders.js";
export { OrderEditor } from "./order-editor.js";
export { RagQuery } from "./rag-query.js";
export { Cart, CATALOG, type CartLine } from "./cart.js";

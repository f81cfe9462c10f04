// Concurrent saves of one order over the memory adapter (the suite: concurrent-saves.ts).
import { createMemoryOrders } from "../../demo/orders-model.js";
import { runConcurrentSaves } from "./concurrent-saves.js";

runConcurrentSaves("memory", { adapter: async () => createMemoryOrders() });

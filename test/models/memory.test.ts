// The reference model adapter, through the shared contract.
import { createMemoryOrders } from "../../demo/orders-model.js";
import { modelAdapterContract } from "./contract.js";

modelAdapterContract("memory", async () => {
  const adapter = createMemoryOrders();
  return { adapter, dispose: () => adapter.close() };
});

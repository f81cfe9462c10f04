// The reference model adapter, through the shared contract.
import { createMemoryOrders } from "../../server/models/orders-demo.js";
import { modelAdapterContract } from "./contract.js";

modelAdapterContract("memory", async () => {
  const adapter = createMemoryOrders();
  return { adapter, dispose: () => adapter.close() };
});

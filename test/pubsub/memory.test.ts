// MemoryPubSub, the reference, against the PubSub contract.
import { MemoryPubSub } from "../../pubsub/memory.js";
import { pubsubContract } from "./contract.js";

pubsubContract("memory", async () => {
  const pubsub = new MemoryPubSub();
  return { pubsub, cleanup: () => pubsub.close() };
});

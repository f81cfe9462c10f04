// MemoryStore, the reference, against the StateStore contract.
import { MemoryStore } from "../../server/core/memory-store.js";
import { storeContract } from "./contract.js";

storeContract("memory", async () => ({ store: new MemoryStore(), cleanup: async () => {} }));

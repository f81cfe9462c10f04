/** `hotline/express`: Hotline's HTTP routes as an Express router. */
export { hotlineExpress } from "./adapters/express.js";
export type { HotlineApp } from "./adapters/host.js";

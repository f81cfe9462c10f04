/** `hotline/nunjucks`: a Nunjucks `Renderer` and the `live_component` template global. */
export { NunjucksRenderer, addLiveComponent, liveEmbed, type LiveSource, type NunjucksRendererOptions } from "./renderers/nunjucks.js";

/**
 * Renders a named template with a context: the seam for template engines (the seed's Renderer).
 * A component that sets `templateName` (and no `render()` of its own) is rendered through one.
 * `hotline/nunjucks` has a Nunjucks implementation.
 *
 * @example
 * const renderer: Renderer = { render: (name, ctx) => engine.render(name, ctx) };
 */
export interface Renderer {
  render(templateName: string, context: Record<string, unknown>): string;
}

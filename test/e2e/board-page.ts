// The board demo page as the end-to-end tests drive it (one process or several).
import type { BrowserContext, Page } from "playwright-core";
import { connected } from "./support.js";

export const input = (p: Page) => p.getByPlaceholder("New item");
export const item = (p: Page, text: string) => p.locator("li.board-item", { hasText: text });
export const texts = (p: Page) => p.locator("li.board-item .text").allTextContents();

/** A new page of `context` (signed in) on `/board` of the server at `base`, once its component is connected. */
export async function openBoard(context: BrowserContext, base: string): Promise<Page> {
  const page = await context.newPage();
  await page.goto(`${base}/board`);
  await connected(page);
  return page;
}

/** Types `text` into the form, clicks Add, and waits until the item shows. */
export async function add(p: Page, text: string): Promise<void> {
  await input(p).fill(text);
  await p.getByRole("button", { name: "Add" }).click();
  await item(p, text).waitFor({ timeout: 5000 });
}

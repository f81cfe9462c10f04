// Every demo page at 375 x 800 (a small phone) in Chromium: no horizontal page scroll, a header of
// at most two rows, and buttons (and the accent used as text) readable at WCAG AA (4.5:1), in the
// light and the dark colour scheme. The contrast ratio is computed here from the computed colours.
import { test } from "uvu";
import * as assert from "uvu/assert";
import type { Page } from "playwright-core";
import { pages } from "../../demo/pages/index.js";
import { demoInChromium, watchErrors } from "./support.js";

const ctx = demoInChromium(test);
const PATHS = ["/", ...pages.map((p) => p.path), "/orders?pk=1"];

type Rgba = [number, number, number, number];

/** WCAG 2 relative luminance of an sRGB colour (0-255 channels). */
function luminance([r, g, b]: Rgba): number {
  const lin = (c: number) => (c /= 255) <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
}

/** WCAG 2 contrast ratio of two opaque colours, 1 to 21. */
function contrast(a: Rgba, b: Rgba): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x) as [number, number];
  return (hi + 0.05) / (lo + 0.05);
}

test("the WCAG ratio computed here matches known pairs", () => {
  assert.is(contrast([255, 255, 255, 1], [0, 0, 0, 1]).toFixed(0), "21");
  assert.is(contrast([255, 255, 255, 1], [0xe5, 0x48, 0x4d, 1]).toFixed(2), "3.91"); // the old accent: fails
  assert.ok(contrast([255, 255, 255, 1], [0x76, 0x76, 0x76, 1]) >= 4.5); // #767676, the classic AA grey
});

/**
 * What the eye sees of each control: its text colour over the background it is drawn on (its own,
 * else the nearest ancestor's, semi-transparent layers composited over what is beneath).
 */
function colours(page: Page, selector: string): Promise<{ what: string; fg: Rgba; bg: Rgba }[]> {
  // a string, not a function: tsx would wrap the inner functions in a helper the page lacks
  return page.evaluate(`(${COLOURS})(${JSON.stringify(selector)})`);
}

const COLOURS = `function (sel) {
  const parse = (c) => {
    const n = (c.match(/[\\d.]+/g) || []).map(Number);
    return [n[0] || 0, n[1] || 0, n[2] || 0, n.length > 3 ? n[3] : 1];
  };
  const over = (top, under) => top.slice(0, 3).map((v, i) => v * top[3] + under[i] * (1 - top[3])).concat(1);
  const backdrop = (el) => {
    if (!el) return [255, 255, 255, 1];
    const bg = parse(getComputedStyle(el).backgroundColor);
    if (bg[3] >= 1) return bg;
    const under = backdrop(el.parentElement);
    return bg[3] === 0 ? under : over(bg, under);
  };
  return [...document.querySelectorAll(sel)]
    .filter((el) => el.offsetParent !== null && !el.disabled)
    .map((el) => {
      const bg = backdrop(el);
      return { what: el.tagName.toLowerCase() + "." + [...el.classList].join(".") + " " + JSON.stringify((el.textContent || "").trim().slice(0, 24)), fg: over(parse(getComputedStyle(el).color), bg), bg };
    });
}`;

const CONTROLS = "button, .btn, .nav a[aria-current], .card-cta";

for (const scheme of ["light", "dark"] as const) {
  test(`every page at 375 px (${scheme}): no sideways scroll, a two-row header, controls at 4.5:1 or more`, async () => {
    const page = await ctx.signedIn.newPage();
    const errors = watchErrors(page);
    await page.setViewportSize({ width: 375, height: 800 });
    await page.emulateMedia({ colorScheme: scheme });
    let primaries = 0;
    for (const path of PATHS) {
      await page.goto(ctx.demo.url + path);
      await page.waitForLoadState("load");
      const m = await page.evaluate(() => {
        const header = document.querySelector(".site-header")!;
        const parts = [...header.querySelector(".header-row")!.children].filter((el) => el.tagName !== "SCRIPT").map((el) => el.getBoundingClientRect());
        const links = [...header.querySelectorAll(".nav a")].map((a) => Math.round(a.getBoundingClientRect().top));
        return {
          scrollWidth: document.documentElement.scrollWidth,
          header: header.getBoundingClientRect().height,
          tallest: Math.max(...parts.map((r) => r.height)),
          // parts whose boxes overlap vertically are on one row
          rows: parts.sort((a, b) => a.top - b.top).reduce((n, r, i, all) => (i > 0 && r.top < all[i - 1]!.bottom ? n : n + 1), 0),
          linkRows: new Set(links).size,
        };
      });
      assert.ok(m.scrollWidth <= 375, `${path}: the page is ${m.scrollWidth} px wide at 375`);
      assert.ok(m.rows <= 2, `${path}: the header has ${m.rows} rows`);
      assert.is(m.linkRows, 1, `${path}: the nav links wrap onto ${m.linkRows} rows`);
      assert.ok(m.header <= 2 * m.tallest + 24, `${path}: the header is ${m.header} px high (two rows of ${m.tallest} px fit in ${2 * m.tallest + 24})`);
      for (const c of await colours(page, CONTROLS)) {
        const ratio = contrast(c.fg, c.bg);
        assert.ok(ratio >= 4.5, `${path} (${scheme}): ${c.what} is ${ratio.toFixed(2)}:1 (rgb ${c.fg.slice(0, 3)} on ${c.bg.slice(0, 3)})`);
      }
      primaries += (await colours(page, ".btn.primary")).length;
    }
    assert.ok(primaries >= 3, `primary buttons were checked (${primaries})`);
    assert.equal(errors.filter((e) => !e.startsWith("Failed to load resource")), []);
    await page.close();
  });
}

test("at 375 px the orders list reflows: every order's Open link is on screen, nothing scrolls sideways", async () => {
  const page = await ctx.signedIn.newPage();
  await page.setViewportSize({ width: 375, height: 800 });
  await page.goto(ctx.demo.url + "/orders");
  const box = page.locator(".table-scroll");
  await box.waitFor();
  const m = await box.evaluate((el) => ({ client: el.clientWidth, scroll: el.scrollWidth }));
  assert.ok(m.scroll <= m.client, `the list is ${m.scroll} px wide in a ${m.client} px box`);
  const rights = await page.locator("table.orders a", { hasText: "Open" }).evaluateAll((as) => as.map((a) => a.getBoundingClientRect().right));
  assert.ok(rights.length >= 5 && rights.every((r) => r <= 375), `Open links end at ${rights.join(", ")}`);
  // wider, it is a table again
  await page.setViewportSize({ width: 1000, height: 800 });
  assert.ok(await page.locator("table.orders thead").isVisible());
  await page.close();
});

test.run();

// The book as a reader sees it: every page of the built site, opened in headless Chromium.
// Run by `cargo xtask test` after the book build (BOOK_DIR = book/html, SCREENSHOT_DIR = target/screenshots).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import http from "node:http";
import path from "node:path";
import { chromium } from "playwright-core";
import YAML from "yaml";

const ROOT = path.resolve(import.meta.dirname, "../..");
const BOOK = path.resolve(process.env.BOOK_DIR ?? path.join(ROOT, "book/html"));
const SHOTS = path.resolve(process.env.SCREENSHOT_DIR ?? path.join(ROOT, "target/screenshots"));
const CHROMIUM = process.env.CHROMIUM ?? "/usr/bin/chromium";

// Page-weight budgets: bytes a page transfers (HTML, CSS, JS, fonts, inline figures) and the whole site's size.
const PAGE_BUDGET = 2_500_000;
// print.html is the whole book on one page, opened to print it or save it as a PDF: every chapter's figures and
// shown outputs, so it grows with the book and has a budget of its own.
const PRINT_BUDGET = 4_000_000;
const budgetOf = (rel) => (rel === "print.html" ? PRINT_BUDGET : PAGE_BUDGET);
const SITE_BUDGET = 40_000_000;

const TYPES = { ".html": "text/html", ".css": "text/css", ".js": "text/javascript", ".svg": "image/svg+xml",
  ".png": "image/png", ".woff2": "font/woff2", ".woff": "font/woff", ".ttf": "font/ttf", ".json": "application/json" };

function files(dir) {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? files(path.join(dir, e.name)) : [path.join(dir, e.name)]);
}

let server, base, browser;
// toc.html is the sidebar's iframe document, never opened on its own (alone, Chromium asks it for a favicon).
const pages = files(BOOK).filter((f) => f.endsWith(".html")).map((f) => path.relative(BOOK, f))
  .filter((p) => p !== "toc.html").sort();
const report = [];

before(async () => {
  server = http.createServer((req, res) => {
    const url = decodeURIComponent(new URL(req.url, "http://x").pathname);
    let file = path.join(BOOK, url);
    if (!file.startsWith(BOOK)) return res.writeHead(403).end();
    if (fs.existsSync(file) && fs.statSync(file).isDirectory()) file = path.join(file, "index.html");
    if (!fs.existsSync(file)) return res.writeHead(404).end("not found");
    res.writeHead(200, { "content-type": TYPES[path.extname(file)] ?? "application/octet-stream" });
    fs.createReadStream(file).pipe(res);
  });
  await new Promise((ok) => server.listen(0, "127.0.0.1", ok));
  base = `http://127.0.0.1:${server.address().port}/`;
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
      "--disable-sync", "--no-first-run", "--disable-quic"],
  });
  fs.mkdirSync(SHOTS, { recursive: true });
});

after(async () => {
  await browser?.close();
  server?.close();
  if (report.length) {
    const lines = report.map(([p, bytes]) => `${String(bytes).padStart(10)}  ${p}`).join("\n");
    fs.writeFileSync(path.join(SHOTS, "page-weight.txt"), lines + "\n");
  }
});

/** Opens a page, collecting console errors, failed requests, requests to other hosts, and bytes transferred. */
async function open(rel, { theme = "light", width = 1280, height = 900 } = {}) {
  const context = await browser.newContext({ viewport: { width, height } });
  await context.addInitScript((t) => localStorage.setItem("mdbook-theme", t), theme);
  const page = await context.newPage();
  const problems = [];
  let bytes = 0;
  page.on("console", (m) => m.type() === "error" && problems.push(`console error: ${m.text()}`));
  page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
  page.on("requestfailed", (r) => problems.push(`failed request: ${r.url()} (${r.failure()?.errorText})`));
  page.on("request", (r) => {
    if (!r.url().startsWith(base) && !r.url().startsWith("data:")) problems.push(`external request: ${r.url()}`);
  });
  page.on("response", (r) => {
    if (r.status() >= 400) problems.push(`HTTP ${r.status()}: ${r.url()}`);
  });
  page.on("requestfinished", async (r) => {
    const sizes = await r.sizes().catch(() => null);
    if (sizes) bytes += sizes.responseBodySize;
  });
  await page.goto(base + rel, { waitUntil: "networkidle" });
  return { page, context, problems, bytes: () => bytes };
}

test("every page: no errors, offline, figures drawn, math rendered, code copyable, hidden lines hidden", async () => {
  assert.ok(pages.length > 40, `only ${pages.length} pages in ${BOOK}`);
  const failures = [];
  for (const rel of pages) {
    const { page, context, problems, bytes } = await open(rel);
    const facts = await page.evaluate(() => {
      const main = document.querySelector("main") ?? document.body;
      // a figure in the tab not chosen is hidden on purpose (the tabs test draws one after a click)
      const figures = [...main.querySelectorAll("figure svg, img")].filter((el) => !el.closest(".code-tabs-panel[hidden]")).map((el) => {
        const r = el.getBoundingClientRect();
        return { what: el.tagName, w: r.width, h: r.height, ok: el.tagName !== "IMG" || el.naturalWidth > 0 };
      });
      const blocks = [...main.querySelectorAll("pre > code")];
      const copyable = blocks.filter((c) => c.parentElement.querySelector("button.clip-button")).length;
      const boringVisible = [...main.querySelectorAll(".boring")].filter((b) => b.offsetParent !== null).length;
      return { text: main.innerText, figures, blocks: blocks.length, copyable, boringVisible,
        katex: main.querySelectorAll(".katex").length };
    });
    for (const f of facts.figures) {
      if (!(f.ok && f.w > 0 && f.h > 0)) problems.push(`${f.what} not drawn (${f.w}x${f.h})`);
    }
    if (facts.text.includes("$$")) problems.push("raw $$: math not rendered by KaTeX");
    if (/\\\(|\\\)/.test(facts.text)) problems.push("raw \\( or \\): inline math not rendered (write it as $...$)");
    if (facts.copyable !== facts.blocks) problems.push(`${facts.blocks - facts.copyable} code blocks without a copy button`);
    if (facts.boringVisible) problems.push(`${facts.boringVisible} hidden ('# ') lines visible`);
    if (bytes() > budgetOf(rel)) problems.push(`page weight ${bytes()} bytes over the budget of ${budgetOf(rel)}`);
    report.push([rel, bytes()]);
    if (problems.length) failures.push(`${rel}:\n    ${problems.join("\n    ")}`);
    await context.close();
  }
  const site = files(BOOK).reduce((sum, f) => sum + fs.statSync(f).size, 0);
  const heaviest = [...report].filter(([p]) => p !== "print.html").sort((a, b) => b[1] - a[1])[0];
  const print = report.find(([p]) => p === "print.html");
  console.log(`pages: ${pages.length}; site: ${site} bytes (budget ${SITE_BUDGET}); heaviest chapter page: ${heaviest[0]}, ${heaviest[1]} bytes (budget ${PAGE_BUDGET}); print.html: ${print?.[1]} bytes (budget ${PRINT_BUDGET})`);
  assert.ok(site <= SITE_BUDGET, `the site is ${site} bytes, over the budget of ${SITE_BUDGET}`);
  assert.deepEqual(failures, []);
});

test("pages with math have KaTeX output, in the local fonts", async () => {
  const { page, context, problems } = await open("arrays/broadcasting.html");
  const katex = await page.locator(".katex").count();
  assert.ok(katex > 0, "no .katex element on a page with math");
  const font = await page.locator(".katex .mathnormal").first().evaluate((el) => getComputedStyle(el).fontFamily);
  assert.match(font, /KaTeX_Math/);
  assert.ok(await page.evaluate(() => document.fonts.check("16px KaTeX_Math")), "the KaTeX_Math font did not load");
  assert.deepEqual(problems, []);
  await context.close();
});

test("hidden '# ' lines exist, are hidden, and show with the eye button", async () => {
  // arrays/index.md hides its `use` lines and `fn main` behind `# `: a vacuous pass is not possible here
  const { page, context } = await open("arrays/index.html");
  const boring = page.locator("main .boring");
  assert.ok((await boring.count()) > 0, "mdBook marked no hidden lines");
  assert.equal(await boring.first().isVisible(), false);
  const block = page.locator("main pre:has(code.language-rust)").first(); // (the Python tab before it is hidden)
  await block.hover(); // mdBook shows a block's buttons on hover, as a reader would find them
  await block.locator("button[title='Show hidden lines']").click();
  assert.equal(await boring.first().isVisible(), true, "the eye button shows the hidden lines");
  await context.close();
});

test("search finds the broadcasting chapter", async () => {
  const { page, context } = await open("index.html");
  await page.click("#mdbook-search-toggle");
  const bar = page.locator("#mdbook-searchbar");
  await bar.waitFor({ state: "visible" });
  await bar.pressSequentially("broadcasting", { delay: 30 }); // real keystrokes, as a reader types
  const hit = page.locator('#mdbook-searchresults a[href*="arrays/broadcasting.html"]').first();
  await hit.waitFor({ timeout: 10_000 });
  assert.ok(await hit.isVisible());
  await context.close();
});

test("figures stay legible on the light and the dark theme (white background), screenshots for review", async () => {
  for (const theme of ["light", "navy"]) {
    const { page, context } = await open("arrays/broadcasting.html", { theme });
    assert.equal(await page.evaluate(() => document.documentElement.className.includes(localStorage.getItem("mdbook-theme"))), true);
    const fill = await page.locator("figure svg rect").first().getAttribute("fill");
    assert.equal(fill, "#FFFFFF", "a figure's background must be white to read on both themes");
    const figure = page.locator("figure").first();
    await figure.scrollIntoViewIfNeeded();
    await figure.screenshot({ path: path.join(SHOTS, `broadcasting-figure-${theme}.png`) });
    await context.close();
  }
});

test("key pages are screenshotted for reviewers", async () => {
  const key = [
    ["arrays/lab-1-2-1-broadcasting.html", "lab-1-2-1"],
    ["arrays/broadcasting.html", "math-and-figure"],
    ["arrays/lab-1-2-4-einsum.html", "lab-1-2-4"],
    ["visualization/lab-1-2-3-dashboard.html", "lab-1-2-3-dashboard"],
    ["visualization/statistical-plots.html", "statistical-plots"],
    ["guidance/python-vs-rust.html", "python-vs-rust"],
    ["performance/lab-1-2-5-profiling.html", "lab-1-2-5"],
    ["performance/instead-of-numba.html", "instead-of-numba"],
    ["index.html", "overview"],
  ];
  for (const [rel, name] of key) {
    const { page, context } = await open(rel, { height: 1400 });
    await page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });
    await context.close();
    assert.ok(fs.statSync(path.join(SHOTS, `${name}.png`)).size > 10_000, `${name}.png is empty`);
  }
});

test("the print version holds every chapter and every figure", async () => {
  // every chapter of SUMMARY.md, by the title its own page gives itself (its first `# ` line)
  const summary = fs.readFileSync(path.join(ROOT, "src/SUMMARY.md"), "utf8");
  const titles = [...summary.matchAll(/\]\(([^)]+\.md)\)/g)].map((m) =>
    fs.readFileSync(path.join(ROOT, "src", m[1]), "utf8").match(/^# (.+)$/m)[1]);
  const { page, context, problems } = await open("print.html");
  // compare as a reader sees text: smart punctuation curls quotes, code spans lose their backticks
  const plain = (t) => t.replace(/[\u2018\u2019]/g, "'").replace(/`/g, "");
  const text = plain(await page.evaluate(() => document.querySelector("main").innerText));
  const missing = titles.filter((t) => !text.includes(plain(t)));
  assert.deepEqual(missing, [], "chapters missing from print.html");
  const printFigures = await page.locator("main figure svg").count();
  let chapterFigures = 0;
  for (const rel of pages.filter((p) => !["print.html", "404.html"].includes(p))) {
    chapterFigures += (fs.readFileSync(path.join(BOOK, rel), "utf8").match(/<figure>/g) ?? []).length;
  }
  assert.ok(chapterFigures > 0);
  assert.equal(printFigures, chapterFigures, "every figure of the chapters appears in print.html");
  assert.deepEqual(problems, []);
  await context.close();
});

test("a quiz: a right answer and a wrong one, each explained, every choice's why shown; Try again resets", async () => {
  for (const theme of ["light", "navy"]) {
    const { page, context, problems } = await open("arrays/broadcasting.html", { theme, height: 1400 });
    const questions = page.locator(".quiz-question");
    assert.ok((await questions.count()) >= 3, "fewer than 3 quiz questions on the broadcasting page");
    const whysShown = (q) => q.locator(".quiz-why").evaluateAll((els) => els.filter((e) => !e.hidden && e.offsetParent !== null).length);
    const first = questions.nth(0);
    assert.equal(await whysShown(first), 0, "explanations show before an answer");
    await first.locator('.quiz-choice[data-correct="true"] > button').click();
    assert.match(await first.locator(".quiz-verdict").innerText(), /^Right\./);
    assert.equal(await whysShown(first), await first.locator(".quiz-choice").count(), "after an answer every choice says why");
    assert.ok(await first.locator(".quiz-choice > button").first().isDisabled());

    const second = questions.nth(1);
    const choices = second.locator(".quiz-choice");
    const right = await choices.evaluateAll((els) => els.findIndex((e) => e.dataset.correct === "true"));
    const wrong = right === 0 ? 1 : 0;
    await choices.nth(wrong).locator("button").click();
    const letter = String.fromCharCode(65 + right);
    assert.match(await second.locator(".quiz-verdict").innerText(), new RegExp(`^Not quite: the answer is ${letter}\\.`));
    assert.ok(await choices.nth(wrong).evaluate((e) => e.classList.contains("quiz-chosen") && !e.classList.contains("quiz-right")));
    assert.ok(await choices.nth(right).evaluate((e) => e.classList.contains("quiz-right")));
    assert.match(await choices.nth(wrong).locator(".quiz-why").innerText(), /\w{3,}/, "the wrong choice's why is empty");
    await second.scrollIntoViewIfNeeded();
    await second.screenshot({ path: path.join(SHOTS, `quiz-${theme}.png`) });
    await second.locator(".quiz-again").click();
    assert.equal(await whysShown(second), 0, "Try again hides the explanations");
    assert.equal(await second.locator(".quiz-verdict").isVisible(), false);
    assert.ok(await choices.nth(wrong).locator("button").isEnabled());
    assert.deepEqual(problems, []);
    await context.close();
  }
});

test("Python | Rust tabs: Rust first, a click shows the Python and its output on every pair, the choice holds on the next page", async () => {
  for (const theme of ["light", "navy"]) {
    const { page, context, problems } = await open("dataframes/operations.html", { theme, height: 1400 });
    const tabs = page.locator(".code-tabs");
    const pairs = await tabs.count();
    assert.ok(pairs >= 5, `only ${pairs} Python | Rust pairs on the operations page`);
    const first = tabs.nth(0);
    const shown = (root, selector) => root.locator(selector).first().isVisible();
    assert.equal(await shown(first, "code.language-rust"), true, "Rust is the first choice");
    assert.equal(await shown(first, "code.language-python"), false);
    await first.locator(".code-tabs-button", { hasText: "Python" }).click();
    assert.equal(await shown(first, "code.language-python"), true);
    assert.equal(await shown(first, ".python-output"), true, "the Python tab shows what the program printed");
    assert.equal(await shown(first, "code.language-rust"), false);
    const pythonShown = await page.locator(".code-tabs code.language-python").evaluateAll((els) => els.filter((e) => e.offsetParent !== null).length);
    assert.equal(pythonShown, pairs, "every pair of the page switched");
    await first.scrollIntoViewIfNeeded();
    await first.screenshot({ path: path.join(SHOTS, `tabs-${theme}.png`) });

    await page.goto(base + "visualization/fundamentals.html", { waitUntil: "networkidle" });
    const drawn = await page.locator(".python-output figure svg").first().evaluate((e) => e.getBoundingClientRect().width);
    assert.ok(drawn > 100, `the Matplotlib figure of the Python tab is drawn once shown (${drawn} px wide)`);

    await page.goto(base + "dataframes/missing-data.html", { waitUntil: "networkidle" });
    const next = page.locator(".code-tabs").first();
    assert.equal(await shown(next, "code.language-python"), true, "the choice holds on the next page");
    await next.locator(".code-tabs-button", { hasText: "Rust" }).click();
    assert.equal(await shown(next, "code.language-rust"), true);
    assert.equal(await next.locator('.code-tabs-button[aria-selected="true"]').innerText(), "Rust");
    assert.deepEqual(problems, []);
    await context.close();
  }
});

test("the deploy workflow publishes exactly what the test command checks", () => {
  const workflows = path.join(ROOT, ".github/workflows");
  const parse = (name) => YAML.parse(fs.readFileSync(path.join(workflows, name), "utf8"), { strict: true });
  const testWf = parse("test.yml");
  const deploy = parse("deploy.yml");
  const steps = (wf, job) => wf.jobs[job].steps.map((s) => s.run ?? s.uses ?? "");
  assert.ok(steps(testWf, "test").some((s) => s.includes("bash .ci/run")), "test.yml runs .ci/run");
  const build = steps(deploy, "build");
  assert.ok(build.some((s) => s.trim() === "cargo xtask book"), "deploy builds with the test command's book step");
  const pages = deploy.jobs.build.steps.find((s) => (s.uses ?? "").startsWith("actions/upload-pages-artifact"));
  assert.equal(pages?.with?.path, "book/html", "deploy publishes book/html, the folder this test checked");
  assert.ok(build.some((s) => s.includes("tar -czf") && s.includes("book html")), "deploy also publishes an archive");
  assert.ok(deploy.jobs.deploy.steps.some((s) => (s.uses ?? "").startsWith("actions/deploy-pages")));
  for (const name of fs.readdirSync(workflows)) parse(name); // every workflow is valid YAML
});

test("the published site has no Run button and sends no code anywhere", async () => {
  const { page, context, problems } = await open("primer/cargo.html");
  const runs = [];
  page.on("request", (r) => r.url().includes("/run") && runs.push(r.url()));
  assert.equal(await page.locator(".runner-run").count(), 0, "a Run button on the static site");
  assert.equal(await page.locator("code[contenteditable]").count(), 0);
  await page.locator("pre code.language-rust").first().click();
  await page.waitForTimeout(300);
  assert.deepEqual(runs, []);
  assert.deepEqual(problems, []);
  await context.close();
});

// RUNNER_URL: the book served by `cargo xtask serve`'s server with a ready runner (the test command starts it).
const RUNNER = process.env.RUNNER_URL;
test("served locally, a listing is edited, run, kept over a reload and reset", { skip: !RUNNER && "RUNNER_URL not set" }, async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  const errors = [];
  page.on("console", (m) => m.type() === "error" && errors.push(m.text()));
  page.on("pageerror", (e) => errors.push(e.message));
  await page.goto(`${RUNNER}primer/cargo.html`, { waitUntil: "networkidle" });
  const code = page.locator("pre code.runner-editable").first();
  // mdBook shows a listing's buttons while the pointer is over it
  const press = async (button) => {
    await page.locator("pre:has(code.runner-editable)").first().hover();
    await page.locator(button).first().click();
  };
  const original = await code.textContent();
  assert.ok(original.includes('println!("sum = {}"'), "the first runnable listing of the primer's cargo page changed");
  await code.evaluate((el) => {
    el.textContent = el.textContent.replace('"sum = {}"', '"total = {}"');
    el.dispatchEvent(new Event("input"));
  });
  await press(".runner-run");
  const stdout = page.locator(".runner-output .runner-stdout").first();
  await stdout.waitFor({ timeout: 120_000 });
  assert.match(await stdout.textContent(), /total = 12/);
  await page.screenshot({ path: path.join(SHOTS, "runner-output.png") });
  await page.reload({ waitUntil: "networkidle" });
  assert.match(await page.locator("pre code.runner-editable").first().textContent(), /total = \{\}/, "the edit is kept");
  await press(".runner-reset");
  assert.equal(await page.locator("pre code.runner-editable").first().textContent(), original, "Reset restores the book's text");
  // a compile error comes back as the compiler's message, with the listing's line numbers
  await code.evaluate((el) => { el.textContent = el.textContent.replace("a.sum()", "a.summ()"); });
  await press(".runner-run");
  const compileError = page.locator(".runner-output .runner-stderr").first();
  await compileError.waitFor({ timeout: 120_000 });
  assert.match(await compileError.textContent(), /error\[E0599\][\s\S]*main\.rs:\d+/);
  // a listing whose shown output is timed runs as an optimised build, as that output was made
  await page.goto(`${RUNNER}guidance/comparing-implementations.html`, { waitUntil: "networkidle" });
  await page.locator("pre:has(code.runner-editable)").first().hover();
  await page.locator(".runner-run").first().click();
  const status = page.locator(".runner-output .runner-stdout").first();
  await status.waitFor({ timeout: 120_000 });
  assert.match(await page.locator(".runner-output .runner-status").first().textContent(), /an optimised build/);
  assert.match(await status.textContent(), /index loop/);
  assert.deepEqual(errors, []);
  await context.close();
});

// Lighthouse (pinned in package-lock.json) on the young person's pages, as a user flow in
// Debian's Chromium: Lighthouse's mobile defaults (a mid-range phone, simulated slow 4G).
// Run by bench/lighthouse.py, which starts the server with demo data and judges the scores:
//   node bench/lighthouse.mjs http://127.0.0.1:PORT USERNAME PASSWORD
// Prints one JSON line per page: {name, url, scores: {category: 0..100}, failing: [...]}.
//
// A flow, not one Lighthouse run per address, because the check page and the confirmation
// exist only after a form post, and the tracked item only after the tracking form.
// Every page opened by address is measured cold (the browser cache emptied first), like a
// first visit; a page reached by a button is measured as the young person meets it, with
// the CSS and JS already cached.
import { writeFileSync } from "node:fs";
import { startFlow } from "lighthouse";
// Lighthouse's own dependency (its user flows drive a Puppeteer page), so pinned with it.
import puppeteer from "puppeteer-core";

const [base, username, password] = process.argv.slice(2);
const CATEGORIES = ["performance", "accessibility", "best-practices"];
const WORDS = "Could the homework club stay open until six on Thursdays?";

const browser = await puppeteer.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  headless: true,
  args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run"],
});
const page = await browser.newPage();
const cdp = await page.createCDPSession();
const flow = await startFlow(page, {
  config: { extends: "lighthouse:default", settings: { onlyCategories: CATEGORIES } },
  // Keep the cookies between steps: the session, the just-sent and tracking proofs.
  flags: { disableStorageReset: true },
});

async function visit(name, path) {
  await cdp.send("Network.clearBrowserCache");
  await flow.navigate(base + path, { name });
}

async function press(name, selector) {
  if (!(await page.$(selector))) {
    const said = await page.$eval("main", (main) => main.innerText.slice(0, 600));
    throw new Error(`no ${selector} for "${name}" on ${page.url()}:\n${said}`);
  }
  await flow.navigate(async () => {
    await Promise.all([page.waitForNavigation(), page.click(selector)]);
  }, { name });
}

try {
  // A freshly launched Chromium's first navigation pays for the browser's own start-up
  // (and, on a busy machine, Lighthouse has then scored the first page 0 with no audit
  // failing: its run had timed out). Open the site once unmeasured; "home" below is still
  // a cold visit, with the cache emptied first.
  await page.goto(base + "/privacy/", { waitUntil: "load" });

  // A visitor without an account: sends an anonymous postcard and tracks it.
  await visit("home", "/");
  await visit("new postcard", "/postcards/new/");
  await page.click('input[name="kind"][value="idea"]');
  await page.click('input[name="topic"]');
  await page.type('textarea[name="words"]', WORDS);
  await page.click('input[name="identity"][value="anonymous"]');
  if (await page.$('input[name="audience"]')) await page.click('input[name="audience"]');
  await press("check answers", 'form[data-draft] button[type="submit"]');
  await press("confirmation", 'button[name="step"][value="send"]');
  const [reference, code] = await page.$$eval(".govuk-panel .app-code", (els) =>
    els.map((el) => el.textContent.trim()),
  );
  if (!code) throw new Error("the confirmation showed no tracking code");
  await visit("track", "/track/");
  await page.type('input[name="reference"]', reference);
  await page.type('input[name="code"]', code);
  await press("tracked item", 'main form button[type="submit"]');
  await visit("You Said, We Did", "/you-said-we-did/");

  // A signed-in young person with the demo's items (signing in is not measured).
  await page.goto(base + "/accounts/login/");
  await page.type('input[name="login"]', username);
  await page.type('input[name="password"]', password);
  await Promise.all([page.waitForNavigation(), page.click('main form button[type="submit"]')]);
  await visit("my postcards", "/postcards/");
  const item = await page.$eval('main table a[href^="/postcards/"]', (a) => a.getAttribute("href"));
  await visit("an item", item);

  const result = await flow.createFlowResult();
  // LIGHTHOUSE_REPORT=path.html keeps Lighthouse's own report of the whole flow, to read.
  if (process.env.LIGHTHOUSE_REPORT) {
    writeFileSync(process.env.LIGHTHOUSE_REPORT, await flow.generateReport());
    writeFileSync(`${process.env.LIGHTHOUSE_REPORT}.json`, JSON.stringify(result));
  }
  for (const step of result.steps) {
    const { lhr } = step;
    const scores = {};
    const failing = [];
    // Lighthouse could not measure the page (a timeout, no paint): say why, not just 0.
    if (lhr.runtimeError) failing.push(`runtime error: ${lhr.runtimeError.code}: ${lhr.runtimeError.message}`);
    for (const id of CATEGORIES) {
      const category = lhr.categories[id];
      scores[id] = Math.round(category.score * 100);
      for (const ref of category.auditRefs) {
        const audit = lhr.audits[ref.id];
        if (ref.weight > 0 && audit.score !== null && audit.score < 1) {
          // What was logged, where the audit says (a console error names its source).
          // For a layout shift, the elements that moved (Lighthouse's layout-shifts audit).
          const source = ref.id === "cumulative-layout-shift" ? lhr.audits["layout-shifts"] : audit;
          const items = (source?.details?.items || []).map(
            (i) => i.description || i.url || i.node?.selector || "",
          );
          const what = items.filter(Boolean).slice(0, 3).join("; ");
          failing.push(`${id}: ${ref.id} (${audit.displayValue || audit.score})${what && `: ${what}`}`);
        }
      }
    }
    if (lhr.configSettings.formFactor !== "mobile") throw new Error("not in mobile mode");
    const { lighthouseVersion: version } = lhr;
    console.log(JSON.stringify({ name: step.name, url: lhr.finalDisplayedUrl, version, scores, failing }));
  }
} finally {
  await browser.close();
}

// Browser tests of the peerfind widget and pages, in Debian's headless
// Chromium driven by playwright-core. browser_test.go starts the servers
// and runs this script with their origins in the environment; it exits
// non-zero when a check fails. Screenshots go to PEERFIND_OUT.
import { chromium } from 'playwright-core';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

const API = process.env.PEERFIND_API;
const PARTNER = process.env.PEERFIND_PARTNER;
const OUT = process.env.PEERFIND_OUT;
const HOSTILE = process.env.PEERFIND_HOSTILE;
if (!API || !PARTNER || !OUT || !HOSTILE) {
  console.error('run.mjs is started by browser_test.go (go test ./searchd/browsertest/)');
  process.exit(2);
}
const require = createRequire(import.meta.url);
const AXE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
const JSQR = readFileSync(require.resolve('jsqr/dist/jsQR.js'), 'utf8');

const PHONE = { width: 390, height: 844 };
const DESKTOP = { width: 1280, height: 800 };
const allowedOrigins = new Set([new URL(API).origin, new URL(PARTNER).origin]);

let failures = 0;
let current = '';
function check(cond, what) {
  if (cond) {
    console.log(`ok   ${current}: ${what}`);
  } else {
    failures++;
    console.log(`FAIL ${current}: ${what}`);
  }
}

const browser = await chromium.launch({
  executablePath: process.env.PEERFIND_CHROMIUM || '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});

// watch records every request's origin, every dialog and CSP violation.
function watch(page, log) {
  page.on('request', (req) => {
    const u = req.url();
    if (u.startsWith('data:') || u.startsWith('about:') || u.startsWith('blob:')) return;
    const o = new URL(u).origin;
    if (!allowedOrigins.has(o)) log.foreign.push(u);
  });
  page.on('dialog', (d) => { log.dialogs.push(d.message()); d.dismiss().catch(() => {}); });
  page.on('console', (m) => {
    const t = m.text();
    if (/Content Security Policy|Refused to/i.test(t)) log.csp.push(t);
    if (m.type() === 'error') log.errors.push(t);
  });
  page.on('pageerror', (e) => log.errors.push(String(e)));
}
function newLog() { return { foreign: [], dialogs: [], csp: [], errors: [] }; }

// deepActive describes the focused element, looking into shadow roots.
async function deepActive(page) {
  return page.evaluate(() => {
    let a = document.activeElement;
    while (a && a.shadowRoot && a.shadowRoot.activeElement) a = a.shadowRoot.activeElement;
    if (!a) return '';
    return `${a.tagName.toLowerCase()}#${a.id}.${a.className}|${(a.getAttribute('aria-pressed') || '')}|${(a.textContent || '').trim().slice(0, 60)}`;
  });
}

// tabTo presses Tab until the focused element matches re (at most n times).
async function tabTo(page, re, n = 40) {
  for (let i = 0; i < n; i++) {
    await page.keyboard.press('Tab');
    if (re.test(await deepActive(page))) return true;
  }
  return false;
}

// axeCheck runs axe-core in the page (through the DevTools protocol, which
// the page's CSP does not govern) and returns serious and critical issues.
async function axeCheck(page) {
  await page.evaluate(AXE);
  const res = await page.evaluate(async () => {
    // eslint-disable-next-line no-undef
    const r = await axe.run(document, { resultTypes: ['violations'] });
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 3).map((n) => n.target.join(' ')) }));
  });
  const bad = res.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  for (const v of res) console.log(`     axe ${v.impact}: ${v.id}: ${v.help} ${JSON.stringify(v.nodes)}`);
  return bad;
}

const shot = (page, name) => page.screenshot({ path: path.join(OUT, name), fullPage: true });

try {
  // 1. The widget on a partner page under a strict CSP, on another origin.
  {
    current = 'widget';
    const ctx = await browser.newContext({ viewport: DESKTOP });
    const page = await ctx.newPage();
    const log = newLog();
    watch(page, log);
    await page.goto(PARTNER + '/');
    const w = page.locator('peerfind-search');
    const status = w.locator('p.status');
    // The near preset runs a first search.
    await status.filter({ hasText: /results?/ }).waitFor({ timeout: 15000 });
    check(await w.locator('li.result').count() > 0, 'the near preset shows results on load');
    check(await w.locator('li.result').count() <= 5, 'per-page preset limits the page to 5');
    check(await w.locator('li.result p.next').count() > 0, 'results say when the group meets next');

    // Suggestions come from the index as the person types.
    await Promise.all([
      page.waitForResponse((r) => r.url().includes('/api/v1/suggest') && r.url().includes('q=dep')),
      w.getByLabel('What kind of support?').pressSequentially('dep', { delay: 30 }),
    ]);
    await page.waitForTimeout(200);
    const opts = await w.locator('datalist option').evaluateAll((os) => os.map((o) => o.value));
    check(opts.some((v) => /^depress/i.test(v)), `typing "dep" suggests from the index (${opts.slice(0, 4).join(', ')})`);

    // Type a query and see results.
    await w.getByLabel('What kind of support?').fill('support group');
    await Promise.all([
      page.waitForResponse((r) => r.url().includes('/api/v1/search') && r.url().includes('q=support')),
      w.getByLabel('What kind of support?').press('Enter'),
    ]);
    await status.filter({ hasText: /results?/ }).waitFor();
    const total1 = parseInt(await status.textContent(), 10);
    check(total1 > 5, `typing a query shows results (${await status.textContent()})`);
    check(await w.locator('nav.pager button').count() === 2, 'paging buttons are shown');

    // Paging.
    await w.locator('nav.pager button', { hasText: 'Next' }).click();
    await w.locator('nav.pager span', { hasText: 'Page 2' }).waitFor();
    check(true, 'Next shows page 2');

    // The hostile record's name is text, and nothing ran.
    await w.getByLabel('What kind of support?').fill('onerror');
    await w.getByLabel('What kind of support?').press('Enter');
    await w.locator('button.name', { hasText: 'onerror' }).first().waitFor();
    const names = await w.locator('button.name').allTextContents();
    check(names.includes(HOSTILE), `the hostile name shows as text: ${JSON.stringify(names)}`);
    check(await w.locator('img').count() === 0, 'no <img> element was created from data');
    await page.waitForTimeout(300);
    check(log.dialogs.length === 0, `no dialog fired (${JSON.stringify(log.dialogs)})`);

    // Click a filter chip.
    await w.getByLabel('What kind of support?').fill('');
    await w.getByLabel('What kind of support?').press('Enter');
    await status.filter({ hasText: /results?/ }).waitFor();
    const before = parseInt(await status.textContent(), 10);
    const chip = w.locator('button.chip[data-facet="population"][data-term="lgbtq"]');
    await chip.click();
    await w.locator('button.chip[data-facet="population"][data-term="lgbtq"][aria-pressed="true"]').waitFor();
    await status.filter({ hasText: /results?/ }).waitFor();
    const after = parseInt(await status.textContent(), 10);
    check(after > 0 && after < before, `a filter chip narrows the results (${before} → ${after})`);
    await shot(page, 'widget-desktop-filtered.png');

    // Open a detail view and come back.
    const first = w.locator('button.name').first();
    const firstName = (await first.textContent()).trim();
    await first.click();
    const h = w.locator('section.detail h2');
    await h.waitFor();
    check((await h.textContent()).trim() === firstName, `the detail view opens for "${firstName}"`);
    check(await w.locator('section.detail a.call').count() > 0, 'the detail view has a tap-to-call link');
    check(/h2/.test(await deepActive(page)), 'focus moves to the detail heading');
    await shot(page, 'widget-desktop-detail.png');
    await w.locator('button.back').click();
    check(/button#\.name/.test(await deepActive(page)), 'Back returns focus to the result');

    check(log.csp.length === 0, `no CSP violation (${log.csp.join(' | ')})`);
    // Pick two results into a referral list.
    const refs = w.locator('button.ref');
    await refs.nth(0).click();
    await refs.nth(1).click();
    check(await w.locator('button.ref[aria-pressed="true"]').count() === 2, 'two results are on the referral list');
    const refHref = await w.locator('p.refbar a').getAttribute('href');
    check(refHref && refHref.startsWith(API + '/referral?id=') && (refHref.match(/id=/g) || []).length === 2,
      `the referral link goes to peerfind's printable list (${refHref})`);
    // Accessibility.
    const bad = await axeCheck(page);
    check(bad.length === 0, `axe finds no serious or critical violations (${bad.map((v) => v.id).join(', ')})`);

    check(log.foreign.length === 0, `no request to another origin (${log.foreign.join(', ')})`);
    check(log.dialogs.length === 0, 'no dialog fired at all');
    await ctx.close();
  }

  // 2. Keyboard only, at phone size.
  {
    current = 'keyboard';
    const ctx = await browser.newContext({ viewport: PHONE, isMobile: true, hasTouch: true });
    const page = await ctx.newPage();
    const log = newLog();
    watch(page, log);
    await page.goto(PARTNER + '/');
    const w = page.locator('peerfind-search');
    await w.locator('p.status').filter({ hasText: /results?/ }).waitFor({ timeout: 15000 });
    await shot(page, 'widget-phone.png');
    check(await tabTo(page, /input#pf\d+q/), 'Tab reaches the search box');
    await page.keyboard.type('support');
    await Promise.all([page.waitForResponse((r) => r.url().includes('q=support')), page.keyboard.press('Enter')]);
    await w.locator('p.status').filter({ hasText: /results?/ }).waitFor();
    check(await tabTo(page, /button#\.chip\|false\|/), 'Tab reaches a filter chip');
    const chipText = await deepActive(page);
    await page.keyboard.press('Enter');
    await w.locator('button.chip[aria-pressed="true"]').first().waitFor();
    const now = await deepActive(page);
    check(/\|true\|/.test(now), `Enter toggles the chip and keeps focus on it (${chipText} → ${now})`);
    check(await tabTo(page, /button#\.name/), 'Tab reaches a result');
    await page.keyboard.press('Enter');
    await w.locator('section.detail h2').waitFor();
    check(/h2/.test(await deepActive(page)), 'Enter opens the detail view with focus on its heading');
    await shot(page, 'widget-phone-detail.png');
    check(await tabTo(page, /button#\.back/, 5) || await tabTo(page, /button#\.back/, 40), 'Back is reachable by keyboard');
    await page.keyboard.press('Enter');
    check(/button#\.name/.test(await deepActive(page)), 'Enter on Back returns to the result');
    check(log.foreign.length === 0, 'no request to another origin');
    check(log.csp.length === 0, `no CSP violation (${log.csp.join(' | ')})`);
    await ctx.close();
  }

  // 3. Spanish UI, presets, the crisis block.
  {
    current = 'spanish';
    const ctx = await browser.newContext({ viewport: PHONE, isMobile: true, locale: 'es-US' });
    const page = await ctx.newPage();
    const log = newLog();
    watch(page, log);
    await page.goto(PARTNER + '/es');
    const w = page.locator('peerfind-search');
    await w.locator('p.status').filter({ hasText: /resultados?/ }).waitFor({ timeout: 15000 });
    check(await w.getByRole('button', { name: 'Buscar' }).count() === 1, 'the Search button says Buscar');
    check(await w.getByLabel('¿Qué tipo de apoyo busca?').count() === 1, 'the labels are in Spanish');
    check(/cerca de|a menos de/.test(await w.locator('p.status').textContent()), 'the status is in Spanish');
    await shot(page, 'widget-phone-es.png');
    check(log.csp.length === 0, `no CSP violation (${log.csp.join(' | ')})`);
    const bad = await axeCheck(page);
    check(bad.length === 0, `axe: no serious violations in Spanish (${bad.map((v) => v.id).join(', ')})`);
    check(log.foreign.length === 0, 'no request to another origin');
    await ctx.close();
  }
  {
    current = 'presets';
    const ctx = await browser.newContext({ viewport: DESKTOP });
    const page = await ctx.newPage();
    await page.goto(PARTNER + '/preset');
    const w = page.locator('peerfind-search');
    await w.locator('p.status').filter({ hasText: /results?/ }).waitFor({ timeout: 15000 });
    check(await w.locator('button.chip[data-term="lgbtq"][aria-pressed="true"]').count() === 1, 'the population preset is a pressed chip');
    const modes = await w.locator('li.result .meta .mode').allTextContents();
    check(modes.length > 0 && modes.length === await w.locator('li.result').count(), `remote="true" shows only online and phone services, labelled (${modes.join(', ')})`);
    await ctx.close();
  }
  {
    // A place with nothing in person nearby: never a dead end.
    current = 'nothing nearby';
    const ctx = await browser.newContext({ viewport: PHONE, isMobile: true });
    const page = await ctx.newPage();
    const log = newLog();
    watch(page, log);
    await page.goto(PARTNER + '/rural');
    const w = page.locator('peerfind-search');
    const more = w.locator('div.more');
    await more.locator('ul.lines').waitFor({ timeout: 15000 });
    const heads = await more.locator('h2.sub').allTextContents();
    check(heads[0] === 'Nothing in person nearby' && heads.indexOf('National lines') === heads.length - 1, `the block says so and ends with national lines (${heads.join(' / ')})`);
    check(await more.locator('ul.lines a[href^="tel:"]').count() > 0, 'national lines are tap-to-call links');
    check(await more.locator('li.result .meta .mode').count() > 0, 'remote groups in the block are labelled');
    check(/100 mi/.test(await w.locator('p.status').textContent()), 'the status says how far the search looked');
    await shot(page, 'widget-phone-nothing-nearby.png');
    await shot(page, 'widget-nothing-nearby.png');
    check(await more.locator('ul.lines a[href^="https://"]').count() > 0, 'national lines link to their pages');
    check(await more.locator('li.result .meta span', { hasText: / mi away$/ }).count() > 0, 'farther matches show their distance');
    check(log.foreign.length === 0, 'no request to another origin');
    check(log.csp.length === 0, `no CSP violation (${log.csp.join(' | ')})`);
    const bad = await axeCheck(page);
    check(bad.length === 0, `axe: no serious violations (${bad.map((v) => v.id).join(', ')})`);
    await ctx.close();
  }
  {
    current = 'crisis';
    const ctx = await browser.newContext({ viewport: PHONE, isMobile: true });
    const page = await ctx.newPage();
    const log = newLog();
    watch(page, log);
    // The API adds a crisis block to some answers; add one to every answer
    // here, with hostile text in it.
    await page.route((u) => u.pathname === '/api/v1/search', async (route) => {
      const resp = await route.fetch();
      const body = await resp.json();
      body.crisis = { message: 'You deserve support right now. <b>Call</b> or text 988.', name: '988 Suicide & Crisis Lifeline', phone: '988', url: 'javascript:alert(3)' };
      await route.fulfill({ response: resp, json: body });
    });
    await page.goto(PARTNER + '/');
    const w = page.locator('peerfind-search');
    const box = w.locator('section.crisis');
    await box.waitFor({ timeout: 15000 });
    check(await box.locator('a[href="tel:988"]').count() === 1, 'the crisis block has a tap-to-call 988 link');
    check((await box.textContent()).includes('<b>Call</b>'), 'crisis text is inserted as text');
    check(await box.locator('a[href^="javascript"]').count() === 0, 'a javascript: URL is not linked');
    await shot(page, 'widget-phone-crisis.png');
    check(log.dialogs.length === 0, 'no dialog fired');
    check(log.csp.length === 0, `no CSP violation (${log.csp.join(' | ')})`);
    await ctx.close();
  }

  // 4. The server-rendered page with JavaScript off.
  {
    current = 'no-js page';
    const ctx = await browser.newContext({ viewport: PHONE, javaScriptEnabled: false, isMobile: true });
    const page = await ctx.newPage();
    const log = newLog();
    watch(page, log);
    await page.goto(API + '/');
    await page.getByLabel('What are you looking for?').fill('support group');
    await page.getByLabel('Where? (ZIP, city, or leave blank)').fill('95112');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.waitForURL(/q=support/);
    check(await page.locator('li.result').count() > 0, 'the form shows results without JavaScript');
    check(await page.locator('nav.filters a').count() > 0, 'facet filters are links');
    check(await page.locator('li.result a.call[href^="tel:"]').count() > 0, 'phones are tap-to-call links');
    await shot(page, 'page-phone.png');
    await page.locator('nav.filters summary', { hasText: 'Population' }).click();
    await page.locator('nav.filters a', { hasText: 'LGBTQ' }).first().click();
    await page.waitForURL(/population=lgbtq/);
    check(await page.locator('.selected a').count() === 1, 'the selected filter can be removed with a link');
    await page.goto(API + '/?q=support&near=95112&per_page=5');
    await page.locator('nav.paging a[rel="next"]').click();
    await page.waitForURL(/page=2/);
    check(await page.locator('nav.paging [aria-current="page"]').textContent() === '2', 'paging links work');
    await page.goto(API + '/?q=onerror');
    check(await page.locator('li.result h3 a', { hasText: HOSTILE }).count() === 1, 'the hostile name is text on the page');
    await page.locator('li.result h3 a').first().click();
    await page.waitForURL(/\/services\//);
    check((await page.locator('h1').textContent()) === HOSTILE, 'the service page shows the hostile name as text');
    const ld = JSON.parse(await page.locator('script[type="application/ld+json"]').textContent());
    check(ld['@type'] === 'Service' && ld.name === HOSTILE, 'the service page carries schema.org JSON-LD');
    await page.goto(API + '/?q=support&near=95112&ui=es');
    check(await page.getByRole('button', { name: 'Buscar' }).count() === 1, '?ui=es gives the Spanish page');
    await shot(page, 'page-phone-es.png');
    // A referral list without JavaScript: tick results, make the list.
    await page.goto(API + '/?q=support&near=95112');
    await page.locator('li.result input[type="checkbox"]').nth(0).check();
    await page.locator('li.result input[type="checkbox"]').nth(2).check();
    await page.getByRole('button', { name: 'Make a printable referral list' }).click();
    await page.waitForURL(/\/referral\?id=/);
    check(await page.locator('li.ref').count() === 2, 'the referral list has the two ticked services');
    check(await page.locator('li.ref svg').count() === 2, 'each service has a QR code');
    check(await page.locator('li.ref a.call[href^="tel:"]').count() >= 2, 'the list has tap-to-call phones');
    await shot(page, 'referral-phone.png');
    // Nothing nearby, without JavaScript: the block in order, never a
    // dead end, with real tel:, sms: and https links.
    await page.goto(API + '/?near=59001&tz=America/New_York');
    const nb = page.locator('section.nearby');
    check(await nb.count() === 1, 'a rural ZIP gets the nothing-nearby block');
    const heads = await page.locator('section.nearby h2, section.nearby h3').allTextContents();
    check(heads.join(' / ') === 'Nothing in person nearby / Nearest, farther away / Online and phone groups / National lines', `the block's headings are in order (${heads.join(' / ')})`);
    check(/100 mi/.test(await page.locator('p.summary').textContent()), 'the summary says how far the search looked');
    check(await nb.locator('ol[aria-labelledby="farther-h"] .meta span', { hasText: / mi away$/ }).count() > 0, 'farther matches show their distance');
    check(await nb.locator('ol[aria-labelledby="nearby-remote-h"] .meta span', { hasText: / mi away$/ }).count() === 0, 'remote groups show no distance');
    check(await nb.locator('ol[aria-labelledby="nearby-remote-h"] .mode').count() === await nb.locator('ol[aria-labelledby="nearby-remote-h"] > li').count(), 'every remote group is labelled online or by phone');
    check(await nb.locator('.yourtime', { hasText: /EST — your time$/ }).count() > 0, 'schedules are given in the searcher\'s time');
    check(await nb.locator('ul.lines a[href^="tel:1800"]').count() > 0, 'national lines are tap-to-call links');
    check(await nb.locator('ul.lines a[href^="sms:"]').count() > 0, 'a national line has an sms: link');
    check(await nb.locator('ul.lines a[href^="https://"]').count() > 0, 'national lines link to their pages');
    await shot(page, 'page-nothing-nearby.png');
    await page.goto(API + '/?near=59001&ui=es');
    const headsEs = await page.locator('section.nearby h2, section.nearby h3').allTextContents();
    check(headsEs.join(' / ') === 'Nada presencial cerca / Los más cercanos, más lejos / Grupos en línea y por teléfono / Líneas nacionales', `in Spanish too (${headsEs.join(' / ')})`);
    check(await page.locator('section.nearby .mode', { hasText: /^(En línea|Por teléfono)$/ }).count() > 0, 'remote labels are in Spanish');
    await shot(page, 'page-nothing-nearby-es.png');
    // remote=apart from the form's select: remote groups get their own list.
    await page.goto(API + '/');
    await page.getByLabel('Where? (ZIP, city, or leave blank)').fill('95112');
    await page.getByLabel('Online and phone groups').selectOption('apart');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.waitForURL(/remote=apart/);
    const apartH = page.locator('h2#remote-h');
    check(await apartH.count() === 1, 'remote=apart gives the online and phone groups their own section');
    check(await page.locator('ol[aria-labelledby="remote-h"] > li .mode').count() === await page.locator('ol[aria-labelledby="remote-h"] > li').count(), 'each of them is labelled');
    check(await page.locator('section.results > ol.results').first().locator('.mode').count() === 0, 'the in-person list holds no remote group');
    check(await page.locator('#remote option[selected]').getAttribute('value') === 'apart', 'the select keeps its choice');
    await shot(page, 'page-apart.png');
    check(log.dialogs.length === 0 && log.foreign.length === 0, 'no dialog, no request to another origin');
    await ctx.close();
  }
  {
    current = 'widget nothing nearby es, apart';
    const ctx = await browser.newContext({ viewport: PHONE, isMobile: true, locale: 'es-US' });
    const page = await ctx.newPage();
    const log = newLog();
    watch(page, log);
    await page.goto(PARTNER + '/rural-es');
    const w = page.locator('peerfind-search');
    const more = w.locator('div.more');
    await more.locator('ul.lines').waitFor({ timeout: 15000 });
    const heads = await more.locator('h2.sub').allTextContents();
    check(heads[0] === 'Nada presencial cerca' && heads[heads.length - 1] === 'Líneas nacionales', `the block is in Spanish (${heads.join(' / ')})`);
    check(await more.locator('.meta .mode', { hasText: /^(En línea|Por teléfono)$/ }).count() > 0, 'remote labels are in Spanish');
    await shot(page, 'widget-nothing-nearby-es.png');
    check(log.csp.length === 0, `no CSP violation before axe (${log.csp.join(' | ')})`);
    const badEs = await axeCheck(page);
    log.csp.length = 0; // axe itself sets inline styles
    check(badEs.length === 0, `axe: no serious violations (${badEs.map((v) => v.id).join(', ')})`);
    await page.goto(PARTNER + '/apart');
    await more.locator('h2.sub').first().waitFor({ timeout: 15000 });
    check(/^Online and phone groups \(\d+\)$/.test(await more.locator('h2.sub').first().textContent()), 'remote="apart" lists online and phone groups apart');
    check(await w.locator('ol.results').first().locator('.mode').count() === 0, 'the in-person list holds no remote group');
    check(await more.locator('li.result .mode').count() === await more.locator('li.result').count(), 'each remote group is labelled');
    await shot(page, 'widget-apart.png');
    check(log.foreign.length === 0 && log.csp.length === 0 && log.dialogs.length === 0, `no foreign request, CSP violation or dialog (${[...log.foreign, ...log.csp, ...log.dialogs].join(' | ')})`);
    await ctx.close();
  }
  {
    current = 'page';
    const ctx = await browser.newContext({ viewport: DESKTOP });
    const page = await ctx.newPage();
    const log = newLog();
    watch(page, log);
    await page.goto(API + '/?q=support&near=95112');
    await shot(page, 'page-desktop.png');
    check(log.csp.length === 0, `no CSP violation before axe (${log.csp.join(' | ')})`);
    const bad = await axeCheck(page);
    check(bad.length === 0, `axe: no serious violations on the search page (${bad.map((v) => v.id).join(', ')})`);
    for (const u of ['/?near=59001', '/?near=59001&ui=es', '/?near=95112&remote=apart']) {
      await page.goto(API + u);
      const badN = await axeCheck(page);
      check(badN.length === 0, `axe: no serious violations on ${u} (${badN.map((v) => v.id).join(', ')})`);
    }
    check(log.foreign.length === 0, `no request to another origin (${log.foreign.join(', ')})`);
    await page.goto(API + '/referral?id=sj-hostile&id=sj-womens-serenity&id=sf-peer-respite');
    await page.emulateMedia({ media: 'print' });
    await shot(page, 'referral-print.png');
    await page.emulateMedia({ media: 'screen' });
    const badRef = await axeCheck(page);
    check(badRef.length === 0, `axe: no serious violations on the referral list (${badRef.map((v) => v.id).join(', ')})`);
    await page.goto(API + '/services/sj-womens-serenity');
    await shot(page, 'page-desktop-service.png');
    const bad2 = await axeCheck(page);
    check(bad2.length === 0, `axe: no serious violations on the service page (${bad2.map((v) => v.id).join(', ')})`);
    await ctx.close();
  }
  {
    // The QR codes decode to the service pages' links (decoded with jsQR
    // in a context that may load data: images to draw the SVG).
    current = 'qr';
    const ctx = await browser.newContext({ viewport: DESKTOP, bypassCSP: true });
    const page = await ctx.newPage();
    const long = (n) => 'sj-long-' + 'x'.repeat(n - 8);
    await page.goto(API + `/referral?id=sj-hostile&id=sj-womens-serenity&id=vet-drop-in&id=${long(100)}&id=${long(160)}&ui=es`);
    await page.evaluate(JSQR);
    const got = await page.evaluate(async () => {
      const out = [];
      for (const fig of document.querySelectorAll('figure.qr')) {
        const svg = fig.querySelector('svg');
        const n = svg.viewBox.baseVal.width, scale = 6;
        const img = new Image();
        img.src = 'data:image/svg+xml;charset=utf-8,' + encodeURIComponent(new XMLSerializer().serializeToString(svg));
        await img.decode();
        const c = document.createElement('canvas');
        c.width = c.height = n * scale;
        const g = c.getContext('2d');
        g.imageSmoothingEnabled = false;
        g.drawImage(img, 0, 0, n * scale, n * scale);
        const d = g.getImageData(0, 0, c.width, c.height);
        // eslint-disable-next-line no-undef
        const code = jsQR(d.data, c.width, c.height);
        out.push({ want: fig.querySelector('a').href, got: code && code.data });
      }
      return out;
    });
    check(got.length === 5, 'five QR codes');
    for (const g of got) check(g.got === g.want, `QR decodes to ${g.want} (got ${g.got})`);
    await ctx.close();
  }
} catch (e) {
  failures++;
  console.log(`FAIL ${current}: ${e && e.stack ? e.stack : e}`);
} finally {
  await browser.close();
}
console.log(failures ? `${failures} check(s) failed` : 'all browser checks passed');
process.exit(failures ? 1 : 0);

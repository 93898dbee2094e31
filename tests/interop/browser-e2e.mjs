// The quickstart page in headless Chromium, with the official ably-js browser bundle.
//
// Usage: node browser-e2e.mjs APP_URL SCREENSHOT_PATH
// Prints one JSON object with what the page showed and what ably-js obtained in the page.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

// The browser bundle shipped in the npm package (not an exported subpath, so by file).
const ablyBundle = join(dirname(fileURLToPath(import.meta.url)), 'node_modules/ably/build/ably.js');
const [app, screenshot] = process.argv.slice(2);

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  headless: true,
  args: [
    '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync',
  ],
});
const out = {};
try {
  const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
  page.on('pageerror', (e) => { out.pageErrors = [...(out.pageErrors || []), String(e)]; });
  await page.goto(app);
  await page.waitForFunction(() => window.quickstartConfig);
  out.config = await page.evaluate(() => window.quickstartConfig);

  // Before signing in, the page shows the route's 401 as an Ably error.
  await page.click('button[data-route="/ably/token-request"]');
  await page.waitForSelector('#error:not(.hidden)');
  out.signedOutError = await page.textContent('#error');

  // Sign in and look at what each route issues, decoded by the page.
  await page.fill('#user', 'alice');
  await page.selectOption('#role', 'editor');
  await page.click('#login');
  await page.waitForFunction(() => document.querySelector('#session').textContent.includes('Signed in as'));
  out.session = await page.textContent('#session');
  out.shown = {};
  for (const route of ['/ably/token-request', '/ably/jwt', '/ably/token']) {
    await page.click(`button[data-route="${route}"]`);
    await page.waitForFunction((r) => document.querySelector('#result-title').textContent === r
      && !document.querySelector('#decoded').classList.contains('hidden'), route);
    out.shown[route] = await page.evaluate(() => ({
      kind: document.querySelector('#kind').textContent,
      clientId: document.querySelector('#client-id').textContent,
      expires: document.querySelector('#expires').textContent,
      capability: Object.fromEntries([...document.querySelectorAll('#capability tbody tr')].map((row) => [
        row.cells[0].textContent, [...row.cells[1].querySelectorAll('code')].map((c) => c.textContent),
      ])),
      raw: document.querySelector('#raw').textContent,
    }));
  }

  // The "try it" panel: the credential shown, used at the Ably endpoint from the page.
  const tryIt = async (route, action, channel) => {
    await page.click(`button[data-route="${route}"]`);
    await page.waitForFunction((r) => document.querySelector('#result-title').textContent === r
      && !document.querySelector('#try').classList.contains('hidden'), route);
    await page.fill('#try-channel', channel);
    const before = await page.locator('#try-log tbody tr').count();
    await page.click(action === 'publish' ? '#try-publish' : '#try-history');
    await page.waitForFunction((n) => document.querySelectorAll('#try-log tbody tr').length > n, before);
    return page.evaluate(() => {
      const cells = document.querySelector('#try-log tbody tr').cells;
      return { kind: cells[0].textContent, action: cells[1].textContent, channel: cells[2].textContent,
               outcome: cells[3].dataset.outcome, code: cells[3].dataset.code ?? null, text: cells[3].textContent };
    });
  };
  out.tryIt = { editor: [], viewer: [] };
  for (const route of ['/ably/token-request', '/ably/jwt', '/ably/token']) {
    out.tryIt.editor.push(await tryIt(route, 'publish', 'chat:lobby'));
    out.tryIt.editor.push(await tryIt(route, 'history', 'chat:lobby'));
  }

  // The official ably-js browser bundle, loaded into the page, authorizes through the routes
  // with the session cookie and exchanges TokenRequests at the (cross-origin) Ably endpoint.
  await page.addScriptTag({ path: ablyBundle });
  // In the page: an ably-js client of the local endpoint, authorizing through `authPath`.
  await page.addScriptTag({ content: `window.localRest = (authPath, options = {}) => {
    const endpoint = new URL(window.quickstartConfig.endpoint);
    return new Ably.Rest({ authUrl: location.origin + authPath, endpoint: endpoint.hostname,
                           port: Number(endpoint.port), tls: false, logLevel: 0, ...options });
  };` });
  const authorize = (authPath) => page.evaluate(async ({ authPath }) => {
    const rest = window.localRest(authPath, { useBinaryProtocol: false });
    try {
      const details = await rest.auth.authorize();
      return { token: details.token, clientId: details.clientId ?? null, capability: details.capability ?? null,
               expires: details.expires ?? null };
    } catch (e) {
      return { error: { code: e.code, statusCode: e.statusCode, message: e.message } };
    }
  }, { authPath });
  out.sdk = {
    tokenRequest: await authorize('/ably/token-request'),
    jwt: await authorize('/ably/jwt'),
  };
  // The same bundle uses what it obtained, on its default settings: publish and read history
  // at the local endpoint (ably-js sends these token-authenticated requests withCredentials).
  const useChannel = (authPath, channel) => page.evaluate(async ({ authPath, channel }) => {
    const ch = window.localRest(authPath).channels.get(channel);
    try {
      await ch.publish('greeting', `from ably-js in the page (${authPath})`);
      const history = await ch.history({ limit: 10 });
      return { history: history.items.map((m) => ({ name: m.name, data: m.data, clientId: m.clientId ?? null })) };
    } catch (e) {
      return { error: { code: e.code, statusCode: e.statusCode, message: e.message } };
    }
  }, { authPath, channel });
  out.sdk.editorUse = [];
  for (const route of ['/ably/token-request', '/ably/jwt', '/ably/token']) {
    out.sdk.editorUse.push(await useChannel(route, 'chat:browser'));
  }
  await page.click('button[data-route="/ably/jwt"]');
  await page.waitForFunction(() => document.querySelector('#kind').textContent === 'Ably JWT');
  await page.screenshot({ path: screenshot, fullPage: true });

  // A viewer may read the chat, not publish to it: the Ably endpoint says 40160.
  await page.fill('#user', 'vera');
  await page.selectOption('#role', 'viewer');
  await page.click('#login');
  await page.waitForFunction(() => document.querySelector('#session').textContent.includes('vera'));
  for (const route of ['/ably/token-request', '/ably/jwt', '/ably/token']) {
    out.tryIt.viewer.push(await tryIt(route, 'publish', 'chat:lobby'));
    out.tryIt.viewer.push(await tryIt(route, 'history', 'chat:lobby'));
  }
  out.tryIt.viewer.push(await tryIt('/ably/jwt', 'publish', 'user:vera'));
  out.sdk.viewerUse = await useChannel('/ably/token-request', 'chat:browser');

  // Signed out, the next authorize() fails with the route's 401.
  await page.click('#logout');
  await page.waitForFunction(() => document.querySelector('#session').textContent.includes('Not signed in'));
  out.sdk.afterLogout = await authorize('/ably/token-request');
} finally {
  await browser.close();
}
console.log(JSON.stringify(out));

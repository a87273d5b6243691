// GraphiQL in headless Chromium, with no network beyond the server: run by
// hand (not by `cargo test`, as it needs a Chromium), against a server with
// the demo data:
//   zaiti serve --demo            # prints the demo admin token
//   node graphiql.mjs http://127.0.0.1:8080 zt_… [/usr/bin/chromium]
// Checks that the page asks for the token before GraphiQL starts; that the
// docs panel then shows the schema; that a subscription runs over the
// WebSocket and shows an event (it adds a space phase to fire one, so use a
// demo database); that nothing was requested from anywhere but the server
// and nothing broke the page's Content-Security-Policy; that the token is
// kept for the session; and that a refused token brings the form back.
import assert from "node:assert/strict";

import puppeteer from "puppeteer-core";

const [base, token, executablePath = "/usr/bin/chromium"] = process.argv.slice(2);
assert.ok(base && token, "usage: node graphiql.mjs <server URL> <token> [chromium]");
const origin = new URL(base).origin;
const wsOrigin = origin.replace(/^http/, "ws");
const host = new URL(base).hostname;
const browser = await puppeteer.launch({
  executablePath,
  headless: true,
  // Every name but the server's resolves to nothing, and no proxy is reachable.
  args: ["--no-sandbox", `--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE ${host}`, "--proxy-server=http://0.0.0.0:1", `--proxy-bypass-list=${host}`],
});
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const graphql = async (query) =>
  (await fetch(`${base}/graphql`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
    body: JSON.stringify({ query }),
  })).json();

try {
  const page = await browser.newPage();
  const outside = [];
  const problems = [];
  await page.setRequestInterception(true);
  page.on("request", (request) => {
    const url = request.url();
    if (url.startsWith(origin) || url.startsWith("data:")) return request.continue();
    outside.push(url);
    return request.abort();
  });
  page.on("console", (message) => {
    if (message.type() === "error") problems.push(message.text());
  });
  page.on("pageerror", (error) => problems.push(error.message));
  await page.evaluateOnNewDocument(() => {
    document.addEventListener("securitypolicyviolation", (event) =>
      console.error(`CSP violation: ${event.violatedDirective} ${event.blockedURI}`),
    );
  });
  const cdp = await page.createCDPSession();
  await cdp.send("Network.enable");
  const sockets = [];
  const frames = [];
  cdp.on("Network.webSocketCreated", (event) => sockets.push(event.url));
  cdp.on("Network.webSocketFrameReceived", (event) => frames.push(JSON.parse(event.response.payloadData)));

  await page.goto(`${base}/graphql`, { waitUntil: "networkidle0" });
  assert.equal(await page.$eval("#token-form", (form) => form.hidden), false, "the token is asked for first");
  assert.equal(await page.$(".graphiql-container"), null, "GraphiQL waits for the token");
  await page.type("#token", token);
  await page.click("#token-form button[type=submit]");
  await page.waitForSelector(".graphiql-container", { timeout: 20000 });
  await page.click('button[aria-label="Show Documentation Explorer"]');
  await page.waitForFunction(
    () => document.querySelector(".graphiql-doc-explorer")?.innerText.includes("subscription: Subscription"),
    { timeout: 20000 },
  );
  assert.ok(!/Error fetching schema/i.test(await page.content()), "the schema was fetched with the token");
  console.log("ok: the token was asked for first; the docs panel shows the schema");

  const carrier = (await graphql("{ carriers(first: 1) { nodes { id } } }")).data.carriers.nodes[0].id;
  await page.evaluate((id) => {
    document
      .querySelector(".graphiql-query-editor .CodeMirror")
      .CodeMirror.setValue(`subscription { occupancyChanged(carrierId: "${id}") { carrierId } }`);
  }, carrier);
  await sleep(1000); // GraphiQL parses the edited document before it can tell a subscription
  await page.click(".graphiql-execute-button");
  await sleep(1500);
  const added = await graphql(
    `mutation { addSpacePhase(input: { carrierId: "${carrier}", areaM2: 100, deliveredOn: "2026-01-15", source: NEW_BUILD }) { id } }`,
  );
  assert.ok(added.data?.addSpacePhase?.id, JSON.stringify(added));
  await page.waitForFunction(
    (id) => document.querySelector(".graphiql-response .CodeMirror")?.CodeMirror.getValue().includes(id),
    { timeout: 20000 },
    carrier,
  );
  assert.deepEqual(sockets, [`${wsOrigin}/graphql`]);
  assert.ok(frames.some((frame) => frame.type === "next"), "the event came over the WebSocket");
  console.log("ok: a subscription ran over the WebSocket and showed its event");

  await page.reload({ waitUntil: "networkidle0" });
  await page.waitForSelector(".graphiql-container", { timeout: 20000 });
  console.log("ok: the token is kept for the session");
  assert.deepEqual(outside, [], "nothing was requested from elsewhere");
  assert.deepEqual(problems, [], "no error and no CSP violation in the console");
  console.log("ok: nothing requested from elsewhere; no console error or CSP violation");

  const stranger = await browser.newPage();
  await stranger.goto(`${base}/graphql`, { waitUntil: "networkidle0" });
  await stranger.type("#token", "zt_refused");
  await stranger.click("#token-form button[type=submit]");
  await stranger.waitForSelector("#token-error:not([hidden])", { timeout: 20000 });
  console.log("ok: a refused token brings the form back");
} finally {
  await browser.close();
}

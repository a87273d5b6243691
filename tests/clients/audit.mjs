// Runs the GraphQL-over-HTTP compliance audit of graphql-http against a
// running server and prints the results as JSON on stdout.
//
//     node audit.mjs http://127.0.0.1:8080/graphql
//
// Each result has `id`, `name` (starting with MUST, SHOULD or MAY) and
// `status`: `ok`, `notice` (a MAY not done), `warn` (a SHOULD not done) or
// `error` (a MUST not done). Results that are not `ok` also carry `reason` and
// `response` (status, content type and body of the answer that failed).
// Exits 0 whenever the audit ran, whatever it found: judging the results is
// the caller's business (tests/graphql_http_audit.rs). Exits 1 when the audit
// could not run at all, e.g. the server is unreachable.

import { auditServer } from 'graphql-http';

const url = process.argv[2];
if (!url) {
  console.error('usage: node audit.mjs <graphql-url>');
  process.exit(2);
}

async function describe(response) {
  if (!response) return undefined;
  let body;
  try {
    body = await response.text();
    try {
      body = JSON.parse(body);
    } catch {
      // not JSON: keep the text
    }
  } catch (err) {
    body = `<body unreadable: ${err}>`;
  }
  return {
    status: response.status,
    contentType: response.headers.get('content-type'),
    body,
  };
}

try {
  const results = await auditServer({ url });
  const report = [];
  for (const result of results) {
    const entry = { id: result.id, name: result.name, status: result.status };
    if (result.status !== 'ok') {
      entry.reason = result.reason;
      entry.response = await describe(result.response);
    }
    report.push(entry);
  }
  process.stdout.write(JSON.stringify(report, null, 2) + '\n');
} catch (err) {
  console.error(`the audit could not run against ${url}:`, err);
  process.exit(1);
}

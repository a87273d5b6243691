// Validates what a running zaiti serves at /ogc: the OpenAPI document at
// /ogc/api with @apidevtools/swagger-parser (against the OpenAPI 3.0 schema,
// every $ref resolved) and with Redocly's linter, `recommended` rules, whose
// errors fail (among them: every path parameter declared, operation ids
// unique, no unresolved $ref); and each collection's /queryables as a JSON
// Schema (draft 2020-12, Ajv).
// Usage: node validate.mjs <base URL of /ogc> <token>. Prints a JSON report;
// exits 1 if anything is invalid.
import SwaggerParser from "@apidevtools/swagger-parser";
import { createConfig, lintFromString } from "@redocly/openapi-core";
import Ajv2020 from "ajv/dist/2020.js";

const [base, token] = process.argv.slice(2);
const headers = { Authorization: `Bearer ${token}` };

async function get(url) {
  const response = await fetch(url, { headers });
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
  return response.json();
}

const report = { openapi: null, lint: {}, queryables: {} };
let failed = false;
const api = await get(`${base}/api`);
try {
  // validate() dereferences in place: give it a copy.
  await SwaggerParser.validate(structuredClone(api));
  report.openapi = "valid";
} catch (error) {
  report.openapi = String(error.message);
  failed = true;
}
const config = await createConfig({ extends: ["recommended"] });
const problems = await lintFromString({
  source: JSON.stringify(api),
  absoluteRef: `${base}/api`,
  config,
});
for (const problem of problems) {
  const where = problem.location.map((l) => l.pointer).join(" ");
  (report.lint[problem.severity] ??= []).push(`${problem.ruleId}: ${problem.message} ${where}`);
  failed ||= problem.severity === "error";
}
const collections = (await get(`${base}/collections`)).collections;
// OGC's annotations (x-ogc-role, geometry formats) are not JSON Schema keywords.
const ajv = new Ajv2020({ strict: false, validateFormats: false });
for (const { id } of collections) {
  const schema = await get(`${base}/collections/${id}/queryables`);
  try {
    ajv.compile(schema);
    report.queryables[id] = Object.keys(schema.properties).sort();
  } catch (error) {
    report.queryables[id] = String(error.message);
    failed = true;
  }
}
console.log(JSON.stringify(report));
process.exit(failed ? 1 : 0);

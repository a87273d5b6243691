// Apollo Client against a real zaiti server, driven by tests/clients.rs:
//   node apollo.mjs <graphql url> <token> <possibleTypes JSON>
// (the JSON is what `zaiti schema --possible-types` prints).
//
// Checks, with Apollo's own persisted-query link (createPersistedQueryLink,
// SHA-256) and an InMemoryCache built with those possibleTypes:
// - over POST, the first hashed request gets PERSISTED_QUERY_NOT_FOUND and
//   the link falls back to sending the query; a repeat sends the hash alone;
// - with useGETForHashedQueries, the hash goes by GET (and its fallback by
//   POST), and a repeat is a GET with the hash alone;
// - a `... on Node` fragment comes back through the cache, which it does not
//   without possibleTypes.
// Prints what each step sent and received, as JSON, for the Rust test to check.
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";

import { ApolloClient, HttpLink, InMemoryCache } from "@apollo/client";
import { createPersistedQueryLink } from "@apollo/client/link/persisted-queries";
import { parse, print } from "graphql";

const [url, token, possibleTypesJson] = process.argv.slice(2);
assert.ok(url && token && possibleTypesJson, "usage: node apollo.mjs <url> <token> <possibleTypes JSON>");
const possibleTypes = JSON.parse(possibleTypesJson);

const sha256 = (text) => createHash("sha256").update(text).digest("hex");

// The operations of documents/apollo.graphql, each with the fragments it spreads.
const source = parse(readFileSync(new URL("documents/apollo.graphql", import.meta.url), "utf8"));
const fragments = source.definitions.filter((d) => d.kind === "FragmentDefinition");
const operation = (name) => {
  const definition = source.definitions.find((d) => d.kind === "OperationDefinition" && d.name?.value === name);
  const spread = fragments.filter((f) => print(definition).includes(`...${f.name.value}`));
  return { kind: "Document", definitions: [definition, ...spread] };
};
const FIRST_CARRIERS = operation("FirstCarriers");
const CARRIER_AS_NODE = operation("CarrierAsNode");
const DISTRICTS = parse("query Districts { districts { id code } }");

// Every request the link sends, and the code of the answer's first error.
let sent = [];
async function recordingFetch(input, init = {}) {
  const method = (init.method ?? "GET").toUpperCase();
  const target = new URL(typeof input === "string" ? input : input.url);
  const body = init.body ? JSON.parse(init.body) : {};
  const query = body.query ?? target.searchParams.get("query");
  const extensions = body.extensions ?? JSON.parse(target.searchParams.get("extensions") ?? "{}");
  const response = await fetch(input, init);
  const answer = await response.clone().json();
  sent.push({
    method,
    status: response.status,
    withQuery: Boolean(query),
    withHash: Boolean(extensions?.persistedQuery?.sha256Hash),
    code: answer.errors?.[0]?.extensions?.code ?? null,
    data: answer.data !== undefined && answer.data !== null,
  });
  return response;
}

function client({ useGET, withPossibleTypes = true }) {
  const http = new HttpLink({ uri: url, headers: { authorization: `Bearer ${token}` }, fetch: recordingFetch });
  const persisted = createPersistedQueryLink({ sha256, useGETForHashedQueries: useGET });
  return new ApolloClient({
    link: persisted.concat(http),
    cache: new InMemoryCache(withPossibleTypes ? { possibleTypes } : {}),
  });
}

async function step(run) {
  sent = [];
  const result = await run();
  return { result, sent };
}

const report = {};

// Over POST.
const apollo = client({ useGET: false });
const first = await step(() => apollo.query({ query: FIRST_CARRIERS, fetchPolicy: "network-only" }));
report.postFirst = first.sent;
const carriers = first.result.data.carriers.nodes;
assert.ok(carriers.length > 0, "the server has carriers");
const repeat = await step(() => apollo.query({ query: FIRST_CARRIERS, fetchPolicy: "network-only" }));
report.postRepeat = repeat.sent;
assert.deepEqual(repeat.result.data, first.result.data, "the hash alone gives the same answer");

// A fragment on the Node interface, through the cache.
const id = carriers[0].id;
const fetched = await step(() =>
  apollo.query({ query: CARRIER_AS_NODE, variables: { id }, fetchPolicy: "network-only" }),
);
assert.equal(fetched.result.data.node.id, id);
assert.equal(fetched.result.data.node.name, carriers[0].name);
const cached = apollo.readQuery({ query: CARRIER_AS_NODE, variables: { id } });
assert.ok(cached, "the cache answers the query with the ... on Node fragment");
assert.equal(cached.node.__typename, "Carrier");
assert.equal(cached.node.id, id, "the Node fragment's field comes back from the cache");
assert.equal(cached.node.name, carriers[0].name);
const fromCacheOnly = await step(() =>
  apollo.query({ query: CARRIER_AS_NODE, variables: { id }, fetchPolicy: "cache-only" }),
);
assert.equal(fromCacheOnly.sent.length, 0, "cache-only sends nothing");
assert.equal(fromCacheOnly.result.data.node.id, id);
report.nodeFromCache = { id: cached.node.id, typename: cached.node.__typename, name: cached.node.name };

// Without possibleTypes the cache cannot tell that a Carrier is a Node.
const blind = client({ useGET: false, withPossibleTypes: false });
blind.cache.writeQuery({ query: CARRIER_AS_NODE, variables: { id }, data: fetched.result.data });
const blindRead = blind.readQuery({ query: CARRIER_AS_NODE, variables: { id } });
report.nodeWithoutPossibleTypes = blindRead?.node?.id ?? null;

// Hashed queries over GET.
const getter = client({ useGET: true });
const getFirst = await step(() => getter.query({ query: DISTRICTS, fetchPolicy: "network-only" }));
report.getFirst = getFirst.sent;
const getRepeat = await step(() => getter.query({ query: DISTRICTS, fetchPolicy: "network-only" }));
report.getRepeat = getRepeat.sent;
assert.deepEqual(getRepeat.result.data, getFirst.result.data);
assert.ok(getFirst.result.data.districts.length > 0, "the server has districts");

console.log(JSON.stringify(report));

// What the browser pins and remembers (trust.mjs), over an in-memory Storage.
import assert from "node:assert/strict";
import { test } from "node:test";

import { STATIC } from "./paths.mjs";

const {
  MAX_ADDED_ENDPOINTS, addEndpoint, addedEndpoints, endpointUrl, endpointsToAsk, memoryStorage, pinKey, pinTrust,
  removeEndpoint, savedTrust,
} = await import(new URL("trust.mjs", STATIC));

const HOST = "ledger.example.vn";
const BASE = "https://ledger.example.vn/records/ab";
const LOG = {
  origin: "ledger.example.vn/hue-infra",
  vkey: "ledger.example.vn/hue-infra+31fed4ea+AQOhB7/zzhC+HXDdGOdLwJln5NYwm6UNXx3chmQSVTG4",
  chain_id: 31337,
  anchor_contract: "0x5FbDB2315678afecb367f032d93F642f64180aa3",
  operator_registry: "0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512",
  rpc_urls: ["/chain/rpc", "https://rpc.example.org/"],
  tree_size: 7,
};

test("the first answer is pinned, with absolute endpoint URLs, and later answers change nothing", () => {
  const storage = memoryStorage();
  const pinned = pinTrust(storage, HOST, LOG, { base: BASE, now: "t1" });
  assert.deepEqual(pinned.rpc_urls, ["https://ledger.example.vn/chain/rpc", "https://rpc.example.org/"]);
  assert.equal(pinned.since, "t1");
  assert.equal("tree_size" in pinned, false);
  const changed = { ...LOG, vkey: "other+00000000+AQ", operator_registry: "0x0", rpc_urls: ["https://liar.example/"] };
  assert.deepEqual(pinTrust(storage, HOST, changed, { base: BASE, now: "t2" }), pinned);
  assert.deepEqual(savedTrust(storage, HOST), pinned);
  assert.equal(savedTrust(storage, "other.host"), null);
});

test("a pin saved before the registry and endpoints were pinned gets them, and keeps the rest", () => {
  const storage = memoryStorage();
  const old = { origin: LOG.origin, vkey: "pinned+key", chain_id: 31337, anchor_contract: LOG.anchor_contract, since: "t0" };
  storage.setItem(pinKey(HOST), JSON.stringify(old));
  const completed = pinTrust(storage, HOST, LOG, { base: BASE, now: "t1" });
  assert.equal(completed.vkey, "pinned+key");
  assert.equal(completed.since, "t0");
  assert.equal(completed.operator_registry, LOG.operator_registry);
  assert.equal(completed.rpc_urls.length, 2);
  assert.deepEqual(savedTrust(storage, HOST), completed);
});

test("a stored pin that is not JSON is replaced by a fresh one", () => {
  const storage = memoryStorage();
  storage.setItem(pinKey(HOST), "{not json");
  assert.equal(pinTrust(storage, HOST, LOG, { base: BASE, now: "t1" }).vkey, LOG.vkey);
});

test("the visitor's endpoints: added once, http(s) only, at most a few, removable", () => {
  const storage = memoryStorage();
  const known = ["https://ledger.example.vn/chain/rpc"];
  assert.equal(addEndpoint(storage, HOST, "  https://node.example.org:8545/rpc ", { base: BASE, known }), "https://node.example.org:8545/rpc");
  assert.throws(() => addEndpoint(storage, HOST, "https://node.example.org:8545/rpc", { base: BASE, known }), /already listed/);
  assert.throws(() => addEndpoint(storage, HOST, "/chain/rpc", { base: BASE, known }), /already listed/);
  assert.throws(() => addEndpoint(storage, HOST, "javascript:alert(1)", { base: BASE, known }), /https:\/\/ or http:\/\//);
  assert.throws(() => addEndpoint(storage, HOST, "https://user:secret@node.example.org/", { base: BASE, known }), /password/);
  assert.throws(() => endpointUrl("http://[", BASE), { name: "InvalidEndpoint", message: "this is not a URL" });
  for (let i = 1; i < MAX_ADDED_ENDPOINTS; i += 1) addEndpoint(storage, HOST, `http://127.0.0.1:${8000 + i}/`, { base: BASE, known });
  assert.throws(() => addEndpoint(storage, HOST, "http://127.0.0.1:9999/", { base: BASE, known }), /at most/);
  assert.equal(addedEndpoints(storage, HOST).length, MAX_ADDED_ENDPOINTS);
  removeEndpoint(storage, HOST, "https://node.example.org:8545/rpc");
  assert.equal(addedEndpoints(storage, HOST).includes("https://node.example.org:8545/rpc"), false);
  assert.deepEqual(addedEndpoints(storage, "other.host"), []);
});

test("the endpoints to ask: the pinned ones, then the visitor's, each once", () => {
  const trust = { rpc_urls: ["https://a.example/", "https://b.example/"] };
  assert.deepEqual(endpointsToAsk(trust, ["https://c.example/", "https://a.example/"]), [
    { url: "https://a.example/", source: "pinned" },
    { url: "https://b.example/", source: "pinned" },
    { url: "https://c.example/", source: "added" },
  ]);
  assert.deepEqual(endpointsToAsk(null, ["https://c.example/"]), [{ url: "https://c.example/", source: "added" }]);
});

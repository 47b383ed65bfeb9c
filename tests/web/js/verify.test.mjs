// The page's whole verification on bundles pytest made with the ledger test double (entries signed
// with eth-account, a naive RFC 9162 tree, checkpoints signed with pyca/cryptography), asking a
// JSON-RPC endpoint over HTTP for the anchored roots. Each tampering fails the check it should.
import assert from "node:assert/strict";
import { test } from "node:test";

import { STATIC, pytestFixture } from "./paths.mjs";

const { CHECKS, verifyBundle } = await import(new URL("verify.mjs", STATIC));
const { ROOT_AT_SELECTOR, decodeRootAt, rootAtCallData } = await import(new URL("chain.mjs", STATIC));

const FIXTURE = pytestFixture();
const { trust } = FIXTURE;
const copy = (value) => JSON.parse(JSON.stringify(value));

async function run(bundle, options = {}) {
  const result = await verifyBundle(bundle, {
    recordId: bundle.record_id,
    trust,
    rpcUrls: [FIXTURE.rpc_url],
    ...options,
  });
  assert.deepEqual(result.checks.map((check) => check.name), CHECKS);
  const status = Object.fromEntries(result.checks.map((check) => [check.name, check.status]));
  return { ...result, status };
}

function onlyFailed(status, names) {
  for (const name of CHECKS) assert.equal(status[name], names.includes(name) ? "failed" : "passed", name);
}

test("a genuine record with attachments passes every check", async () => {
  const { verdict, status, checks } = await run(FIXTURE.bundles.with_files);
  onlyFailed(status, []);
  assert.equal(verdict, "passed");
  assert.match(checks.at(-1).message, /LedgerAnchor\.rootAt\(6\)/);
});

test("a restricted record: the withheld body is not checked, its salted body is", async () => {
  const withheld = await run(FIXTURE.bundles.restricted_withheld);
  assert.equal(withheld.status.body_content_hash, "not-checked");
  assert.match(withheld.checks[0].message, /withheld/);
  assert.equal(withheld.verdict, "passed");
  const shown = await run(FIXTURE.bundles.restricted_shown);
  onlyFailed(shown.status, []);
  const wrongSalt = copy(FIXTURE.bundles.restricted_shown);
  wrongSalt.salt = `0x${"00".repeat(32)}`;
  onlyFailed((await run(wrongSalt)).status, ["body_content_hash"]);
});

test("an altered body fails at the content hash only", async () => {
  const bundle = copy(FIXTURE.bundles.with_files);
  bundle.body.value += 1;
  const { verdict, status, checks } = await run(bundle);
  onlyFailed(status, ["body_content_hash"]);
  assert.equal(verdict, "failed");
  assert.match(checks[0].message, /the entry commits to 0x[0-9a-f]{64}/);
});

test("an altered attachment list fails at the attachments hash", async () => {
  const bundle = copy(FIXTURE.bundles.with_files);
  bundle.attachments[0].size += 1;
  onlyFailed((await run(bundle)).status, ["attachments_hash"]);
  bundle.attachments.reverse();
  assert.match((await run(bundle)).checks[1].message, /out of sha256 order/);
});

test("an altered entry fails at the leaf hash and the inclusion proof", async () => {
  const bundle = copy(FIXTURE.bundles.with_files);
  bundle.entry.issued_at += 1;
  onlyFailed((await run(bundle)).status, ["leaf_hash", "inclusion"]);
});

test("another record id than the one asked for fails at the leaf hash", async () => {
  const bundle = FIXTURE.bundles.with_files;
  const { status, checks } = await run(bundle, { recordId: "0".repeat(64) });
  onlyFailed(status, ["leaf_hash"]);
  assert.match(checks[2].message, /the record id asked for is 0{64}/);
});

test("an altered proof hash fails the inclusion proof", async () => {
  const bundle = copy(FIXTURE.bundles.with_files);
  const lines = bundle.proof.split("\n");
  lines[2] = Buffer.alloc(32, 7).toString("base64");
  bundle.proof = lines.join("\n");
  onlyFailed((await run(bundle)).status, ["inclusion"]);
});

test("a proof that does not parse fails the inclusion and checks nothing after it", async () => {
  const bundle = copy(FIXTURE.bundles.with_files);
  bundle.proof = bundle.proof.replace("c2sp.org/tlog-proof@v1", "c2sp.org/tlog-proof@v9");
  const { status } = await run(bundle);
  assert.equal(status.inclusion, "failed");
  assert.equal(status.checkpoint_signature, "not-checked");
  assert.equal(status.anchored_root, "not-checked");
});

test("a log key other than the pinned one fails the checkpoint signature", async () => {
  const result = await verifyBundle(FIXTURE.bundles.with_files, {
    recordId: FIXTURE.bundles.with_files.record_id,
    trust: { ...trust, vkey: FIXTURE.other_vkey },
    rpcUrls: [FIXTURE.rpc_url],
  });
  assert.deepEqual(result.checks.filter((c) => c.status === "failed").map((c) => c.name), ["checkpoint_signature"]);
  const forged = copy(FIXTURE.bundles.with_files);
  forged.proof = forged.proof.replace(/\n\u2014 (\S+) (\S)/, (_, name, first) => `\n\u2014 ${name} ${first === "A" ? "B" : "A"}`);
  onlyFailed((await run(forged)).status, ["checkpoint_signature"]);
});

test("a chain endpoint that holds another root fails the anchored root", async () => {
  const { status, checks } = await run(FIXTURE.bundles.with_files, { rpcUrls: [FIXTURE.rpc_url, FIXTURE.lying_rpc_url] });
  onlyFailed(status, ["anchored_root"]);
  assert.match(checks.at(-1).message, /holds root 0x/);
});

test("a bundle anchored elsewhere than the pinned contract fails the anchored root", async () => {
  const bundle = copy(FIXTURE.bundles.with_files);
  bundle.anchor.contract = FIXTURE.trust.operator_registry;
  onlyFailed((await run(bundle)).status, ["anchored_root"]);
  const wrongChain = await run(FIXTURE.bundles.with_files, { trust: { ...trust, chain_id: 1 } });
  assert.equal(wrongChain.status.anchored_root, "failed");
});

test("without an answer from the chain the verdict is incomplete, never passed", async () => {
  const unreachable = await run(FIXTURE.bundles.with_files, { rpcUrls: ["http://127.0.0.1:9/rpc"] });
  assert.equal(unreachable.status.anchored_root, "not-checked");
  assert.equal(unreachable.verdict, "incomplete");
  const none = await run(FIXTURE.bundles.with_files, { rpcUrls: [] });
  assert.equal(none.verdict, "incomplete");
});

test("a record not anchored yet is incomplete", async () => {
  const { status, verdict, checks } = await run(FIXTURE.bundles.unanchored);
  assert.equal(status.anchored_root, "not-checked");
  assert.match(checks.at(-1).message, /not anchored yet/);
  assert.equal(verdict, "incomplete");
});

test("something that is not a bundle fails every check", async () => {
  const { verdict, status } = await run({ format: "other", record_id: "x" });
  assert.equal(verdict, "failed");
  onlyFailed(status, CHECKS);
});

test("rootAt call data and result encoding", () => {
  assert.equal(rootAtCallData(300n), `${ROOT_AT_SELECTOR}${"0".repeat(61)}12c`);
  assert.throws(() => rootAtCallData(2n ** 64n));
  const decoded = decodeRootAt(`0x${"ab".repeat(32)}${"0".repeat(56)}67748580`);
  assert.equal(decoded.root[0], 0xab);
  assert.equal(decoded.timestamp, 0x67748580n);
  assert.throws(() => decodeRootAt("0x"), /64/);
});

// The page's whole verification on bundles pytest made with the ledger test double (entries signed
// with eth-account, a naive RFC 9162 tree, checkpoints signed with pyca/cryptography), asking
// JSON-RPC endpoints over HTTP for the anchored roots and the operators' registrations. Each
// tampering fails the check it should; each lying endpoint is named.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";

import { STATIC, pytestFixture } from "./paths.mjs";

const { CHECKS, verifyBundle } = await import(new URL("verify.mjs", STATIC));

const FIXTURE = pytestFixture();
const { trust } = FIXTURE;
const UNREACHABLE = "http://127.0.0.1:9/rpc";
const copy = (value) => JSON.parse(JSON.stringify(value));
const en = (check) => check.message[1];

async function run(bundle, options = {}) {
  const result = await verifyBundle(bundle, {
    recordId: bundle.record_id,
    trust,
    rpcUrls: [FIXTURE.rpc_url],
    ...options,
  });
  assert.deepEqual(result.checks.map((check) => check.name), CHECKS);
  for (const check of result.checks) {
    assert.equal(check.message.length, 2, check.name);
    assert.ok(check.message.every((text) => typeof text === "string" && text.length > 0), check.name);
  }
  const status = Object.fromEntries(result.checks.map((check) => [check.name, check.status]));
  const message = Object.fromEntries(result.checks.map((check) => [check.name, en(check)]));
  const endpoint = Object.fromEntries(result.endpoints.map((reading) => [reading.url, reading.status]));
  return { ...result, status, message, endpoint };
}

function onlyFailed(status, names) {
  for (const name of CHECKS) assert.equal(status[name], names.includes(name) ? "failed" : "passed", name);
}

test("a genuine record with attachments passes every check, and says where the chain was read", async () => {
  const { verdict, status, message, endpoint } = await run(FIXTURE.bundles.with_files);
  onlyFailed(status, []);
  assert.equal(verdict, "passed");
  assert.match(message.anchored_root, new RegExp(`^read from ${FIXTURE.rpc_url}: LedgerAnchor\\.rootAt\\(9\\)`));
  assert.match(message.signature, /recovers 0x[0-9a-fA-F]{40}, the signer the entry names/);
  assert.match(message.operator_active, /was active in 0x[0-9a-fA-F]{40} at the anchor's block time, 2025-01-01 09:55:00 Việt Nam time \(UTC\+7\): "Operator /);
  assert.deepEqual(endpoint, { [FIXTURE.rpc_url]: "agreed" });
});

test("a restricted record: the withheld body is not checked, so the verdict is incomplete", async () => {
  const withheld = await run(FIXTURE.bundles.restricted_withheld);
  assert.equal(withheld.status.body_content_hash, "not-checked");
  assert.match(withheld.message.body_content_hash, /withheld/);
  assert.equal(withheld.verdict, "incomplete");
  for (const name of CHECKS.slice(1)) assert.equal(withheld.status[name], "passed", name);
  const shown = await run(FIXTURE.bundles.restricted_shown);
  onlyFailed(shown.status, []);
  assert.equal(shown.verdict, "passed");
  const wrongSalt = copy(FIXTURE.bundles.restricted_shown);
  wrongSalt.salt = `0x${"00".repeat(32)}`;
  onlyFailed((await run(wrongSalt)).status, ["body_content_hash"]);
});

test("an altered body fails at the content hash only", async () => {
  const bundle = copy(FIXTURE.bundles.with_files);
  bundle.body.value += 1;
  const { verdict, status, message } = await run(bundle);
  onlyFailed(status, ["body_content_hash"]);
  assert.equal(verdict, "failed");
  assert.match(message.body_content_hash, /the entry commits to 0x[0-9a-f]{64}/);
});

test("an altered attachment list fails at the attachments hash", async () => {
  const bundle = copy(FIXTURE.bundles.with_files);
  bundle.attachments[0].size += 1;
  onlyFailed((await run(bundle)).status, ["attachments_hash"]);
  bundle.attachments.reverse();
  assert.match((await run(bundle)).message.attachments_hash, /out of sha256 order/);
});

test("an altered entry fails at the leaf hash, the signature and the inclusion proof", async () => {
  const bundle = copy(FIXTURE.bundles.with_files);
  bundle.entry.issued_at += 1;
  onlyFailed((await run(bundle)).status, ["leaf_hash", "signature", "inclusion"]);
});

test("a tampered signature fails at the signature step (and the leaf it is part of)", async () => {
  const bundle = copy(FIXTURE.bundles.with_files);
  const other = FIXTURE.bundles.revoked_after_anchor.entry;
  bundle.entry.signature = other.signature;
  const { status, message, verdict } = await run(bundle);
  onlyFailed(status, ["leaf_hash", "signature", "inclusion"]);
  assert.equal(verdict, "failed");
  assert.match(message.signature, new RegExp(`^the signature recovers 0x[0-9a-fA-F]{40}, the entry names ${bundle.entry.operator} as its signer`));
  const highS = copy(FIXTURE.bundles.with_files);
  const s = BigInt(`0x${highS.entry.signature.slice(66, 130)}`);
  const n = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;
  const v = parseInt(highS.entry.signature.slice(130), 16);
  highS.entry.signature = `${highS.entry.signature.slice(0, 66)}${(n - s).toString(16).padStart(64, "0")}${(55 - v).toString(16)}`;
  assert.match((await run(highS)).message.signature, /s is zero or high/);
});

test("a record signed with a CA certificate only: its leaf recomputes with null, its EIP-712 signature is not checked", async () => {
  const bundle = FIXTURE.bundles.ca_only;
  assert.equal(bundle.entry.signature, null);
  const { verdict, status, message, checks } = await run(bundle);
  for (const name of CHECKS) assert.equal(status[name], name === "signature" ? "not-checked" : "passed", name);
  assert.equal(verdict, "incomplete");
  assert.match(message.signature, /^signed with a CA certificate only: no EIP-712 signature to check; this browser does not check CMS signatures, the command-line verifier infraledger-verify does$/);
  assert.match(checks.find((check) => check.name === "signature").message[0], /^chỉ ký bằng chứng thư số do CA cấp: không có chữ ký EIP-712 để kiểm tra; trình duyệt không kiểm tra chữ ký CMS/);
  const elsewhere = copy(bundle);
  elsewhere.operator_registry.contract = trust.anchor_contract;
  const registry = await run(elsewhere);
  assert.equal(registry.status.signature, "failed");
  assert.match(registry.message.signature, /the pinned one is/);
});

test("a CA-only entry with a malformed signature fails; a stripped EIP-712 signature fails the leaf", async () => {
  for (const signature of ["0x1234", "", "null", `0x${"AB".repeat(65)}`, 0, false, {}]) {
    const bundle = copy(FIXTURE.bundles.ca_only);
    bundle.entry.signature = signature;
    const { status, verdict } = await run(bundle);
    onlyFailed(status, ["leaf_hash", "signature", "inclusion"]);
    assert.equal(verdict, "failed", JSON.stringify(signature));
  }
  const forged = copy(FIXTURE.bundles.ca_only);
  forged.entry.signature = FIXTURE.bundles.with_files.entry.signature;
  const recovered = await run(forged);
  onlyFailed(recovered.status, ["leaf_hash", "signature", "inclusion"]);
  const stripped = copy(FIXTURE.bundles.with_files);
  stripped.entry.signature = null;
  const { status, verdict } = await run(stripped);
  assert.equal(status.signature, "not-checked");
  assert.equal(status.leaf_hash, "failed");
  assert.equal(status.inclusion, "failed");
  assert.equal(verdict, "failed");
});

test("a bundle naming another operator registry than the pinned one fails the signature", async () => {
  const bundle = copy(FIXTURE.bundles.with_files);
  bundle.operator_registry.contract = trust.anchor_contract;
  const { status, message } = await run(bundle);
  assert.equal(status.signature, "failed");
  assert.match(message.signature, /the pinned one is/);
  const noRegistry = await run(FIXTURE.bundles.with_files, { trust: { ...trust, operator_registry: undefined } });
  assert.equal(noRegistry.status.signature, "not-checked");
  assert.equal(noRegistry.status.operator_active, "not-checked");
  assert.equal(noRegistry.verdict, "incomplete");
});

test("the operator's registry status is dated by the anchor", async () => {
  const before = await run(FIXTURE.bundles.revoked_before_anchor);
  onlyFailed(before.status, ["operator_active"]);
  assert.match(before.message.operator_active, /was not active .* at the anchor's block time, 2025-01-01 09:55:00 Việt Nam time \(UTC\+7\): .* revoked at 2025-01-01 09:54:10 /);
  assert.deepEqual(before.endpoint, { [FIXTURE.rpc_url]: "disagreed" });
  onlyFailed((await run(FIXTURE.bundles.revoked_after_anchor)).status, []);
  const stranger = await run(FIXTURE.bundles.never_registered);
  onlyFailed(stranger.status, ["operator_active"]);
  assert.match(stranger.message.operator_active, /never registered/);
});

test("an endpoint that holds another root is named as disagreeing, and the verdict fails", async () => {
  const rpcUrls = [FIXTURE.rpc_url, FIXTURE.lying_rpc_url];
  const { status, message, endpoint, verdict } = await run(FIXTURE.bundles.with_files, { rpcUrls });
  onlyFailed(status, ["anchored_root"]);
  assert.equal(verdict, "failed");
  assert.match(message.anchored_root, new RegExp(`^the endpoints disagree: ${FIXTURE.lying_rpc_url} \\(LedgerAnchor holds root 0x(11){32}`));
  assert.match(message.anchored_root, new RegExp(`agreed: ${FIXTURE.rpc_url}$`));
  assert.deepEqual(endpoint, { [FIXTURE.rpc_url]: "agreed", [FIXTURE.lying_rpc_url]: "disagreed" });
});

test("an endpoint that lies about the operator fails the registry check, named", async () => {
  const rpcUrls = [FIXTURE.registry_liar_rpc_url, FIXTURE.rpc_url];
  const { status, message, endpoint } = await run(FIXTURE.bundles.with_files, { rpcUrls });
  onlyFailed(status, ["operator_active"]);
  assert.match(message.operator_active, new RegExp(`disagree: ${FIXTURE.registry_liar_rpc_url} \\(.* was not active`));
  assert.equal(endpoint[FIXTURE.registry_liar_rpc_url], "disagreed");
});

test("an endpoint with malformed answers disagrees; one that is not there is unreachable", async () => {
  const malformed = await run(FIXTURE.bundles.with_files, { rpcUrls: [FIXTURE.rpc_url, FIXTURE.malformed_rpc_url] });
  onlyFailed(malformed.status, ["operator_active", "anchored_root"]);
  assert.match(malformed.message.anchored_root, /a malformed answer: rootAt result is 2 bytes/);
  const { status, message, endpoint, verdict } = await run(FIXTURE.bundles.with_files, { rpcUrls: [FIXTURE.rpc_url, UNREACHABLE] });
  onlyFailed(status, []);
  assert.equal(verdict, "passed");
  assert.deepEqual(endpoint, { [FIXTURE.rpc_url]: "agreed", [UNREACHABLE]: "unreachable" });
  assert.match(message.anchored_root, new RegExp(`; unreachable: ${UNREACHABLE} \\(`));
});

test("a log key other than the pinned one fails the checkpoint signature", async () => {
  const result = await run(FIXTURE.bundles.with_files, { trust: { ...trust, vkey: FIXTURE.other_vkey } });
  onlyFailed(result.status, ["checkpoint_signature"]);
  const forged = copy(FIXTURE.bundles.with_files);
  forged.proof = forged.proof.replace(/\n\u2014 (\S+) (\S)/, (_, name, first) => `\n\u2014 ${name} ${first === "A" ? "B" : "A"}`);
  onlyFailed((await run(forged)).status, ["checkpoint_signature"]);
});

test("an altered proof hash fails the inclusion proof", async () => {
  const bundle = copy(FIXTURE.bundles.with_files);
  const lines = bundle.proof.split("\n");
  lines[2] = Buffer.alloc(32, 7).toString("base64");
  bundle.proof = lines.join("\n");
  onlyFailed((await run(bundle)).status, ["inclusion"]);
});

test("a proof that does not parse fails the inclusion and checks nothing that needs it", async () => {
  const bundle = copy(FIXTURE.bundles.with_files);
  bundle.proof = bundle.proof.replace("c2sp.org/tlog-proof@v1", "c2sp.org/tlog-proof@v9");
  const { status, endpoint } = await run(bundle);
  assert.equal(status.inclusion, "failed");
  assert.equal(status.checkpoint_signature, "not-checked");
  assert.equal(status.anchored_root, "not-checked");
  assert.equal(status.operator_active, "passed");
  assert.deepEqual(endpoint, { [FIXTURE.rpc_url]: "agreed" });
});

test("a bundle anchored elsewhere than the pinned contract or chain fails the anchored root", async () => {
  const bundle = copy(FIXTURE.bundles.with_files);
  bundle.anchor.contract = FIXTURE.trust.operator_registry;
  onlyFailed((await run(bundle)).status, ["anchored_root"]);
  const wrongChain = await run(FIXTURE.bundles.with_files, { trust: { ...trust, chain_id: 1 } });
  assert.equal(wrongChain.status.anchored_root, "failed");
  assert.equal(wrongChain.status.signature, "failed");
  assert.deepEqual(wrongChain.endpoint, { [FIXTURE.rpc_url]: "disagreed" });
});

test("an anchor time other than the chain's fails the anchored root", async () => {
  const bundle = copy(FIXTURE.bundles.with_files);
  bundle.anchor.block_time += 1;
  const { status, message } = await run(bundle);
  onlyFailed(status, ["anchored_root"]);
  assert.match(message.anchored_root, /anchored at 2025-01-01 09:55:00 Việt Nam time \(UTC\+7\), the bundle says 2025-01-01 09:55:01 /);
});

test("without an answer from the chain the verdict is incomplete, never passed", async () => {
  const unreachable = await run(FIXTURE.bundles.with_files, { rpcUrls: [UNREACHABLE] });
  assert.equal(unreachable.status.anchored_root, "not-checked");
  assert.equal(unreachable.status.operator_active, "not-checked");
  assert.match(unreachable.message.anchored_root, /^no endpoint answered: http:\/\/127\.0\.0\.1:9\/rpc \(/);
  assert.equal(unreachable.verdict, "incomplete");
  const none = await run(FIXTURE.bundles.with_files, { rpcUrls: [] });
  assert.equal(none.verdict, "incomplete");
  assert.match(none.message.anchored_root, /add one below/);
});

test("a record not anchored yet is incomplete; its operator is checked as of now", async () => {
  const { status, verdict, message } = await run(FIXTURE.bundles.unanchored);
  assert.equal(status.anchored_root, "not-checked");
  assert.match(message.anchored_root, /not anchored yet/);
  assert.equal(status.operator_active, "passed");
  assert.match(message.operator_active, /not anchored yet, so checked now: .* is active/);
  assert.equal(verdict, "incomplete");
});

test("something that is not a bundle fails every check", async () => {
  const { verdict, status } = await run({ format: "other", record_id: "x" });
  assert.equal(verdict, "failed");
  onlyFailed(status, CHECKS);
});

// -- the messages' words (text.mjs): the same catalogue files the server reads, values filled in
// per language, numbers with each language's separators, times in Vietnam time.

const { MissingMessage, dayWords, numberWords, text, timeWords } = await import(new URL("text.mjs", STATIC));
const catalogue = (lang) => JSON.parse(readFileSync(new URL(`wording/${lang}.json`, STATIC), "utf8"));

test("a message comes back as [vi, en] from the two catalogue files", () => {
  const [vi, en] = [catalogue("vi"), catalogue("en")];
  assert.deepEqual(Object.keys(vi).sort(), Object.keys(en).sort());
  for (const key of Object.keys(vi).filter((name) => !/\{/.test(vi[name]))) assert.deepEqual(text(key), [vi[key], en[key]], key);
});

test("values are filled in per language: pairs, numbers and BigInts with each language's separators", () => {
  assert.deepEqual(text("lookup.in_ledger", { count: 12345 }), ["Có trong sổ cái: 12.345 hồ sơ.", "In the ledger: 12,345 record(s)."]);
  assert.deepEqual(text("proof.inclusion_passed", { index: 7n, count: 3, size: 1234567n }), [
    "lá 7 cùng 3 mã băm của bằng chứng cho ra gốc của cây kích thước 1.234.567",
    "leaf 7 with 3 proof hash(es) gives the root of the tree of 1,234,567",
  ]);
  assert.deepEqual(text("browser.error", { reason: ["lỗi", "trouble"] }), ["Lỗi: lỗi", "Error: trouble"]);
  assert.deepEqual(numberWords(12345.5), ["12.345,5", "12,345.5"]);
});

test("times are Vietnam time (UTC+7) with the zone named; days dd/mm/yyyy in Vietnamese", () => {
  assert.deepEqual(timeWords(1735700100n), ["09:55:00 ngày 01/01/2025 (giờ Việt Nam)", "2025-01-01 09:55:00 Việt Nam time (UTC+7)"]);
  assert.deepEqual(timeWords(1735664399), ["23:59:59 ngày 31/12/2024 (giờ Việt Nam)", "2024-12-31 23:59:59 Việt Nam time (UTC+7)"]);
  assert.deepEqual(dayWords("2025-11-02"), ["02/11/2025", "2025-11-02"]);
});

test("an unknown key, or a message asked for without one of its values, throws", () => {
  assert.throws(() => text("proof.no_such_message"), MissingMessage);
  assert.throws(() => text("lookup.in_ledger"), { name: "MissingMessage", message: /needs \{count\}/ });
});

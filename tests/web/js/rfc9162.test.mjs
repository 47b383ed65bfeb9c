// RFC 9162 inclusion proofs: every transparency-dev inclusion probe, and known answers.
import assert from "node:assert/strict";
import { readFileSync, readdirSync } from "node:fs";
import { test } from "node:test";

import { STATIC, VECTORS } from "./paths.mjs";

const { fromBase64, toHex, utf8 } = await import(new URL("bytes.mjs", STATIC));
const { inclusionProofLength, leafHash, nodeHash, verifyInclusion } = await import(new URL("rfc9162.mjs", STATIC));

const INCLUSION = new URL("rfc9162/inclusion/", VECTORS);

/** Probe files, with indices kept exact (they reach 2^64 - 1, beyond a double). */
function probes() {
  return readdirSync(INCLUSION, { recursive: true })
    .filter((name) => name.endsWith(".json"))
    .sort()
    .map((name) => {
      const text = readFileSync(new URL(name, INCLUSION), "utf8").replace(/"(leafIdx|treeSize)":\s*(\d+)/g, '"$1":"$2"');
      return { name, probe: JSON.parse(text) };
    });
}

const raw = (text) => Uint8Array.from(Buffer.from(text, "base64"));

test("every inclusion probe is present", () => {
  const all = probes();
  assert.equal(all.length, 98);
  assert.equal(all.filter(({ probe }) => !probe.wantErr).length, 6);
});

for (const { name, probe } of probes()) {
  test(`inclusion probe ${name}`, async () => {
    const run = verifyInclusion(
      BigInt(probe.leafIdx),
      BigInt(probe.treeSize),
      raw(probe.leafHash),
      (probe.proof ?? []).map(raw),
      raw(probe.root),
    );
    if (probe.wantErr) await assert.rejects(run);
    else await run;
  });
}

test("known answers of RFC 6962 hashing", async () => {
  assert.equal(toHex(await leafHash(new Uint8Array())), "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d");
  assert.equal(toHex(await leafHash(utf8("L123456"))), "395aa064aa4c29f7010acfe3f25db9485bbd4b91897b6ad7ad547639252b4d56");
  assert.equal(toHex(await nodeHash(utf8("N123"), utf8("N456"))), "aa217fe888e47007fa15edab33c2b492a722cb106c64667fc2b044444de66bbb");
});

test("preconditions say what they got and want", async () => {
  const leaf = await leafHash(utf8("x"));
  assert.throws(() => inclusionProofLength(5n, 5n), /leaf index 5 is not below the tree size 5/);
  await assert.rejects(verifyInclusion(0n, 8n, leaf, [], leaf), /has 0 hashes, want 3/);
  await assert.rejects(verifyInclusion(0n, 1n, leaf.slice(1), [], leaf), /leaf hash is 31 bytes, want 32/);
  await assert.rejects(verifyInclusion(0n, 1n, leaf, [], new Uint8Array(32)), /want 0{64}/);
  assert.equal(inclusionProofLength(0n, 2n ** 64n - 1n), 64);
  assert.deepEqual(fromBase64("AAE=", { size: 2 }), Uint8Array.of(0, 1));
});

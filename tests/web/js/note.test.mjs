// C2SP signed notes, checkpoints and tlog proofs, pinned to tests/vectors/signed-note.json.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";

import { STATIC, VECTORS } from "./paths.mjs";

const { parseCheckpoint, parseSignedNote, parseTlogProof, parseVerifierKey, verifyNote } = await import(
  new URL("note.mjs", STATIC)
);

const VECTOR = JSON.parse(readFileSync(new URL("signed-note.json", VECTORS), "utf8"));
const [PETER, ENOCH, EXAMPLE] = VECTOR.notes;

for (const item of VECTOR.notes) {
  test(`vector note by ${item.name} verifies`, async () => {
    const key = await parseVerifierKey(item.verifier_key);
    assert.equal(key.name, item.name);
    const note = parseSignedNote(`${item.text}\n${item.signature_line}`);
    assert.equal(note.text, item.text);
    await verifyNote(note, key);
  });
}

for (const bad of VECTOR.bad_verifier_keys) {
  test(`bad verifier key ${bad} is rejected`, async () => {
    await assert.rejects(parseVerifierKey(bad), { name: "MalformedNote" });
  });
}

test("a key whose id is not its hash is rejected", async () => {
  await assert.rejects(parseVerifierKey(PETER.verifier_key.replace("c74f20a3", "c74f20a4")), /want c74f20a3/);
});

test("signatures by other keys are ignored; one by the key asked for is required", async () => {
  const both = parseSignedNote(`${PETER.text}\n${PETER.signature_line}${ENOCH.signature_line}`);
  await verifyNote(both, await parseVerifierKey(ENOCH.verifier_key));
  const onlyEnoch = parseSignedNote(`${PETER.text}\n${ENOCH.signature_line}`);
  await assert.rejects(verifyNote(onlyEnoch, await parseVerifierKey(PETER.verifier_key)), /no signature by PeterNeumann/);
});

test("an altered text fails", async () => {
  const note = parseSignedNote(`${EXAMPLE.text.toUpperCase()}\n${EXAMPLE.signature_line}`);
  await assert.rejects(verifyNote(note, await parseVerifierKey(EXAMPLE.verifier_key)), /does not verify/);
});

test("malformed notes are refused", () => {
  for (const bad of [
    "no blank line\n\u2014 a AAAAAAAA\n",
    "text\n\n",
    "text\n\n\u2014 a AAAAAAAA",
    "text\n\n- a AAAAAAAA\n",
    "text\n\n\u2014 a+b AAAAAAAA\n",
    "text\n\n\u2014 a AAAA\n",
    "text\n\n\u2014 a AAAAAAAA!\n",
    "te\x07xt\n\n\u2014 a AAAAAAAA\n",
  ]) {
    assert.throws(() => parseSignedNote(bad), { name: "MalformedNote" }, JSON.stringify(bad));
  }
});

const ROOT = Buffer.from(Array.from({ length: 32 }, (_, i) => i)).toString("base64");

test("checkpoints parse, malformed ones are refused", () => {
  const checkpoint = parseCheckpoint(`example.com/log\n20852163\n${ROOT}\next one\n`);
  assert.equal(checkpoint.origin, "example.com/log");
  assert.equal(checkpoint.size, 20852163n);
  assert.equal(checkpoint.root[31], 31);
  assert.deepEqual(checkpoint.extensions, ["ext one"]);
  const zero = Buffer.alloc(32).toString("base64");
  for (const bad of [
    "origin\n12\n",
    `\n12\n${zero}\n`,
    `origin\n012\n${zero}\n`,
    `origin\n-1\n${zero}\n`,
    `origin\n18446744073709551616\n${zero}\n`,
    `origin\n12\n${Buffer.alloc(31).toString("base64")}\n`,
    `origin\n12\n${zero.replace(/=+$/, "")}\n`,
    `origin\n12\n${zero}\n\n`,
    `origin\n12\n${zero}`,
  ]) {
    assert.throws(() => parseCheckpoint(bad), { name: "MalformedNote" }, JSON.stringify(bad));
  }
});

test("tlog proofs parse with and without an extra line", () => {
  const note = `example.com/log\n109482\n${ROOT}\n\n${EXAMPLE.signature_line}`;
  const hashes = [0, 1, 2].map((i) => Buffer.alloc(32, i).toString("base64"));
  const proof = parseTlogProof(`c2sp.org/tlog-proof@v1\nextra b3BhcXVl\nindex 73894\n${hashes.join("\n")}\n\n${note}`);
  assert.equal(proof.index, 73894n);
  assert.equal(proof.hashes.length, 3);
  assert.equal(proof.hashes[2][0], 2);
  assert.equal(proof.checkpoint.size, 109482n);
  assert.equal(parseTlogProof(`c2sp.org/tlog-proof@v1\nindex 0\n\n${note}`).hashes.length, 0);
  for (const head of [
    "c2sp.org/tlog-proof@v2\nindex 1\n\n",
    "c2sp.org/tlog-proof@v1\nindex 01\n\n",
    "c2sp.org/tlog-proof@v1\nindex -1\n\n",
    "c2sp.org/tlog-proof@v1\nextra !!\nindex 1\n\n",
    `c2sp.org/tlog-proof@v1\nindex 1\n${Buffer.alloc(31).toString("base64")}\n\n`,
    `c2sp.org/tlog-proof@v1\nindex 1\n${`${hashes[0]}\n`.repeat(65)}\n`,
    "c2sp.org/tlog-proof@v1\nindex 1",
  ]) {
    assert.throws(() => parseTlogProof(head + note), { name: "MalformedNote" }, JSON.stringify(head));
  }
});

// Following the log's key rotations in the browser (rotation.mjs), over statements and
// checkpoints signed by the ledger's own Python code (pytest's fixture, `key_rotations`).
import assert from "node:assert/strict";
import { test } from "node:test";

import { STATIC, pytestFixture } from "./paths.mjs";

const { RotationRefused, followRotations, followServerKey, keyAt, parseRotation, settlePin, withHistory } = await import(new URL("rotation.mjs", STATIC));
const { parseSignedNote, parseVerifierKey, verifyNote } = await import(new URL("note.mjs", STATIC));

const CASES = pytestFixture().key_rotations;
const [K0, K1, K2] = CASES.keys;
const PIN = { origin: CASES.origin, vkey: K0, chain_id: 1, since: "t0" };
const short = (vkey) => vkey.split("+").slice(0, 2).join("+");

test("a statement parses into its six fields", async () => {
  const rotation = await parseRotation(CASES.chain[0]);
  assert.deepEqual(
    [rotation.origin, rotation.oldKey, rotation.newKey, rotation.fromSize, rotation.time],
    [CASES.origin, K0, K1, 1500, CASES.time],
  );
});

test("the chain is followed from the first key; each checkpoint verifies with the key of its size", async () => {
  const { trust, followed } = await followRotations(PIN, CASES.chain);
  assert.equal(trust.vkey, K2);
  assert.deepEqual(trust.earlier_keys, [{ vkey: K0, until_size: 1500 }, { vkey: K1, until_size: 12000 }]);
  assert.equal(followed.length, 2);
  assert.equal(PIN.vkey, K0, "the pin given is left as it is");
  const expected = { 1499: K0, 1500: K1, 11999: K1, 12000: K2 };
  for (const [size, note] of Object.entries(CASES.checkpoints)) {
    assert.equal(keyAt(trust, BigInt(size)), expected[size]);
    await verifyNote(parseSignedNote(note), await parseVerifierKey(keyAt(trust, Number(size))));
  }
  await assert.rejects(verifyNote(parseSignedNote(CASES.checkpoints[1499]), await parseVerifierKey(trust.vkey)));
});

test("a pin made after the first rotation passes over it and follows the second", async () => {
  const { trust, followed } = await followRotations({ ...PIN, vkey: K1 }, CASES.chain);
  assert.equal(trust.vkey, K2);
  assert.deepEqual(trust.earlier_keys, [{ vkey: K1, until_size: 12000 }]);
  assert.equal(followed.length, 1);
});

for (const [name, statement] of Object.entries(CASES.forged)) {
  test(`a statement ${name.replaceAll("_", " ")} is refused`, async () => {
    await assert.rejects(followRotations(PIN, [statement]), (error) => {
      assert.ok(error instanceof RotationRefused);
      assert.match(error.text[1], /^rotation statement 1 /);
      assert.match(error.text[0], /^tuyên bố đổi khóa thứ 1 /);
      return true;
    });
  });
}

test("a chain whose sizes go down is refused at the second statement", async () => {
  await assert.rejects(followRotations(PIN, CASES.sizes_back), (error) => error instanceof RotationRefused && /statement 2 starts at size 1,500, below the rotation before it \(12,000\)/.test(error.text[1]));
});

test("the visitor is told of a genuine rotation: the day in Vietnam time, the size, both key ids", async () => {
  const { trust, followed, notice } = await followServerKey({ ...PIN }, K1, async () => CASES.chain.slice(0, 1));
  assert.equal(trust.vkey, K1);
  assert.equal(followed.length, 1);
  const [vi, en] = notice;
  assert.ok(vi.includes(`ngày ${CASES.day[0]} (giờ Việt Nam, UTC+7)`), vi);
  assert.ok(vi.includes("từ kích thước 1.500"), vi);
  assert.ok(en.includes(`on ${CASES.day[1]}`) && en.includes("from size 1,500"), en);
  for (const text of notice) assert.ok(text.includes(short(K0)) && text.includes(short(K1)), text);
});

test("an unchanged key asks for nothing and says nothing", async () => {
  const result = await followServerKey(PIN, K0, async () => assert.fail("the statements were read"));
  assert.deepEqual(result, { trust: PIN, followed: [], notice: null });
});

test("a changed key without a statement from the pinned key keeps the pin and says why", async () => {
  const cases = [
    [async () => [CASES.forged.signed_by_a_stranger], "no valid signature by the pinned key"],
    [async () => [], "no statement signed by the pinned key"],
    [async () => CASES.chain.slice(0, 1), "no statement signed by the pinned key"],
    [async () => { throw new Error("/v1/log/rotations: HTTP 404"); }, "could not be read: /v1/log/rotations: HTTP 404"],
  ];
  for (const [readNotes, reason] of cases) {
    const { trust, followed, notice } = await followServerKey(PIN, K2, readNotes);
    assert.equal(trust, PIN);
    assert.deepEqual(followed, []);
    assert.ok(notice[1].startsWith("✗ The server's key changed without a rotation signed by the pinned key"), notice[1]);
    assert.ok(notice[1].includes(reason), notice[1]);
    assert.ok(notice[0].startsWith("✗ Khóa của máy chủ đã đổi"), notice[0]);
  }
});

test("a pin made on first use after the rotations gets the keys they replaced", async () => {
  const fresh = { ...PIN, vkey: K2 };
  const trust = await withHistory(fresh, CASES.chain);
  assert.deepEqual(trust.earlier_keys, [{ vkey: K0, until_size: 1500 }, { vkey: K1, until_size: 12000 }]);
  assert.equal(keyAt(trust, 1499), K0);
  assert.deepEqual(await withHistory(fresh, []), fresh);
  await assert.rejects(withHistory({ ...PIN, vkey: K1 }, CASES.chain), RotationRefused);
  await assert.rejects(withHistory(fresh, [CASES.chain[0], CASES.forged.signed_by_a_stranger]), RotationRefused);
  const log = { vkey: K2, key_rotations: 2 };
  const settled = await settlePin(fresh, { fresh: true, log, readNotes: async () => CASES.chain });
  assert.deepEqual(settled, { trust, changed: true, notice: null });
  const refused = await settlePin(fresh, { fresh: true, log, readNotes: async () => CASES.sizes_back });
  assert.equal(refused.trust, fresh);
  assert.equal(refused.changed, false);
  assert.ok(refused.notice[1].startsWith("✗ The log's key rotation statements do not hold"), refused.notice[1]);
});

test("a pin made before the rotations follows them and is told, whatever the log says of itself", async () => {
  const log = { vkey: K2, key_rotations: 2 };
  const settled = await settlePin(PIN, { fresh: false, log, readNotes: async () => CASES.chain });
  assert.equal(settled.changed, true);
  assert.equal(settled.trust.vkey, K2);
  assert.ok(settled.notice[1].startsWith("ℹ The log's key was changed on"), settled.notice[1]);
  const swapped = await settlePin(PIN, { fresh: false, log, readNotes: async () => [CASES.forged.of_another_key] });
  assert.deepEqual([swapped.trust, swapped.changed], [PIN, false]);
});

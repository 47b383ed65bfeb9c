// The ABI codec of the page's chain reads: call data, and strict decoding of rootAt, isActive and
// operatorOf answers (operatorOf as eth-abi encodes it, from the pytest fixture).
import assert from "node:assert/strict";
import { test } from "node:test";

import { STATIC, pytestFixture } from "./paths.mjs";

const {
  HAS_ROLE_SELECTOR, IS_ACTIVE_SELECTOR, OPERATOR_OF_SELECTOR, REGISTRAR_ROLE, ROOT_AT_SELECTOR, activeAt,
  addressCallData, decodeHasRole, decodeIsActive, decodeOperatorOf, decodeRootAt, hasRoleCallData, rootAtCallData,
} = await import(new URL("chain.mjs", STATIC));
const { signersOf } = await import(new URL("verify.mjs", STATIC));

const FIXTURE = pytestFixture();
const word = (n) => BigInt(n).toString(16).padStart(64, "0");

test("rootAt call data and result encoding", () => {
  assert.equal(rootAtCallData(300n), `${ROOT_AT_SELECTOR}${"0".repeat(61)}12c`);
  assert.throws(() => rootAtCallData(2n ** 64n));
  const decoded = decodeRootAt(`0x${"ab".repeat(32)}${"0".repeat(56)}67748580`);
  assert.equal(decoded.root[0], 0xab);
  assert.equal(decoded.timestamp, 0x67748580n);
  assert.throws(() => decodeRootAt("0x"), /64/);
  assert.throws(() => decodeRootAt(`0x${"ab".repeat(32)}${"01".repeat(32)}`), /not a uint64/);
});

test("address call data: the selector and the address in one word", () => {
  const address = "0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512";
  assert.equal(addressCallData(OPERATOR_OF_SELECTOR, address), `${OPERATOR_OF_SELECTOR}${"0".repeat(24)}e7f1725e7734ce288f8367e1bb143e90bb3f0512`);
  assert.equal(addressCallData(IS_ACTIVE_SELECTOR, address).length, 2 + 8 + 64);
  assert.throws(() => addressCallData(IS_ACTIVE_SELECTOR, "0x1234"), /not an address/);
});

test("isActive: a bool word, strictly", () => {
  assert.equal(decodeIsActive(`0x${word(1)}`), true);
  assert.equal(decodeIsActive(`0x${word(0)}`), false);
  assert.throws(() => decodeIsActive(`0x${word(2)}`), /not a bool/);
  assert.throws(() => decodeIsActive("0x"), /want 32/);
});

for (const [i, item] of FIXTURE.operator_of.entries()) {
  test(`operatorOf answer ${i} encoded by eth-abi decodes`, () => {
    assert.deepEqual(decodeOperatorOf(item.data), {
      name: item.name,
      licence: item.licence,
      active: item.active,
      registeredAt: BigInt(item.registeredAt),
      revokedAt: BigInt(item.revokedAt),
    });
  });
}

test("operatorOf: only the canonical layout, with zero padding and nothing after it", () => {
  const { data } = FIXTURE.operator_of.find((item) => item.name.length > 0 && item.licence.length > 0);
  assert.throws(() => decodeOperatorOf(`${data}${word(0)}`), /want/);
  const wrongOffset = `0x${word(0xc0)}${data.slice(66)}`;
  assert.throws(() => decodeOperatorOf(wrongOffset), /offset 192, want 160/);
  const dirty = `${data.slice(0, -2)}01`;
  assert.throws(() => decodeOperatorOf(dirty), /padding/);
  assert.throws(() => decodeOperatorOf(data.slice(0, 2 + 64 * 4)), /at least 160/);
  const badUtf8 = `0x${word(0xa0)}${word(0xe0)}${word(1)}${word(1)}${word(0)}${word(1)}${"ff".padEnd(64, "0")}${word(0)}`;
  assert.throws(() => decodeOperatorOf(badUtf8), /not UTF-8/);
});

test("active at a time: registered at or before it, not revoked by then", () => {
  const at = (registeredAt, revokedAt, time) => activeAt({ registeredAt, revokedAt }, time);
  assert.equal(at(100n, 0n, 100n), true);
  assert.equal(at(100n, 0n, 99n), false);
  assert.equal(at(100n, 200n, 199n), true);
  assert.equal(at(100n, 200n, 200n), false);
  assert.equal(at(0n, 0n, 100n), false);
});

test("hasRole call data: the selector, the role and the account", () => {
  const account = "0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512";
  assert.equal(hasRoleCallData(REGISTRAR_ROLE, account),
    `${HAS_ROLE_SELECTOR}${REGISTRAR_ROLE.slice(2)}${"0".repeat(24)}e7f1725e7734ce288f8367e1bb143e90bb3f0512`);
  assert.throws(() => hasRoleCallData("0x1234", account), /not a role/);
  assert.throws(() => hasRoleCallData(REGISTRAR_ROLE, "0x1234"), /not an address/);
  assert.equal(decodeHasRole(`0x${word(1)}`), true);
  assert.equal(decodeHasRole(`0x${word(0)}`), false);
  assert.throws(() => decodeHasRole(`0x${word(2)}`));
});

test("who may sign each kind, as the ledger admits it", () => {
  assert.equal(signersOf({ kind: "plan", schema: "plan/1" }), "registrar");
  assert.equal(signersOf({ kind: "binding", schema: "binding/1" }), "registrar");
  assert.equal(signersOf({ kind: "indicator", schema: "indicator/2" }), "operator_or_registrar");
  assert.equal(signersOf({ kind: "indicator", schema: "indicator/1" }), "operator");
  assert.equal(signersOf({ kind: "report", schema: "report/2" }), "operator_or_registrar");
  assert.equal(signersOf({ kind: "report", schema: "permit/2" }), "operator");
  assert.equal(signersOf({ kind: "site", schema: "site/1" }), "operator");
});

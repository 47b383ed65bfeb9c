// RFC 8785 (JCS): the RFC's own examples, its Appendix B numbers, and agreement with the
// ledger's verifier on values pytest generated (INFRALEDGER_WEB_FIXTURE `jcs` cases).
import assert from "node:assert/strict";
import { test } from "node:test";

import { STATIC, pytestFixture } from "./paths.mjs";

const { canonicalize } = await import(new URL("jcs.mjs", STATIC));

test("RFC 8785 section 3.2.2 example", () => {
  const source = String.raw`{
    "numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001],
    "string": "\u20ac$\u000F\u000aA'\u0042\u0022\u005c\\\"\/",
    "literals": [null, true, false]
  }`;
  assert.equal(
    canonicalize(JSON.parse(source)),
    '{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],' +
      '"string":"\u20ac$\\u000f\\nA\'B\\"\\\\\\\\\\"/"}',
  );
});

test("RFC 8785 section 3.2.3: members sorted by UTF-16 code units", () => {
  const source = String.raw`{
    "\u20ac": "Euro Sign", "\r": "Carriage Return", "\ufb33": "Hebrew Letter Dalet With Dagesh",
    "1": "One", "\ud83d\ude00": "Emoji: Grinning Face", "\u0080": "Control",
    "\u00f6": "Latin Small Letter O With Diaeresis"
  }`;
  assert.equal(
    canonicalize(JSON.parse(source)),
    '{"\\r":"Carriage Return","1":"One","\u0080":"Control","\u00f6":"Latin Small Letter O With Diaeresis",' +
      '"\u20ac":"Euro Sign","\ud83d\ude00":"Emoji: Grinning Face","\ufb33":"Hebrew Letter Dalet With Dagesh"}',
  );
});

// RFC 8785 Appendix B: IEEE 754 bit patterns and their ECMAScript string form.
const NUMBERS = [
  ["0000000000000000", "0"], ["8000000000000000", "0"], ["0000000000000001", "5e-324"],
  ["8000000000000001", "-5e-324"], ["7fefffffffffffff", "1.7976931348623157e+308"],
  ["ffefffffffffffff", "-1.7976931348623157e+308"], ["4340000000000000", "9007199254740992"],
  ["c340000000000000", "-9007199254740992"], ["4430000000000000", "295147905179352830000"],
  ["44b52d02c7e14af5", "9.999999999999997e+22"], ["44b52d02c7e14af6", "1e+23"],
  ["44b52d02c7e14af7", "1.0000000000000001e+23"], ["444b1ae4d6e2ef4e", "999999999999999700000"],
  ["444b1ae4d6e2ef4f", "999999999999999900000"], ["444b1ae4d6e2ef50", "1e+21"],
  ["3eb0c6f7a0b5ed8c", "9.999999999999997e-7"], ["3eb0c6f7a0b5ed8d", "0.000001"],
  ["41b3de4355555553", "333333333.3333332"], ["41b3de4355555554", "333333333.33333325"],
  ["41b3de4355555555", "333333333.3333333"], ["41b3de4355555556", "333333333.3333334"],
  ["41b3de4355555557", "333333333.33333343"], ["becbf647612f3696", "-0.0000033333333333333333"],
  ["43143ff3c1cb0959", "1424953923781206.2"],
];

test("RFC 8785 Appendix B numbers", () => {
  const view = new DataView(new ArrayBuffer(8));
  for (const [bits, expected] of NUMBERS) {
    view.setBigUint64(0, BigInt(`0x${bits}`));
    assert.equal(canonicalize(view.getFloat64(0)), expected, bits);
  }
});

test("only the mandatory escapes; values outside I-JSON are refused", () => {
  assert.equal(canonicalize("\x00\x1f\x7f\u2028\t\b\f"), '"\\u0000\\u001f\x7f\u2028\\t\\b\\f"');
  assert.equal(canonicalize({ b: [], a: {} }), '{"a":{},"b":[]}');
  assert.equal(canonicalize([1, -0, 1.0, 100, 1e21]), "[1,0,1,100,1e+21]");
  for (const bad of [NaN, Infinity, -Infinity, "\ud800", { "\udc00": 1 }, [undefined], 1n, () => 1]) {
    assert.throws(() => canonicalize(bad), { name: "NotCanonicalizable" });
  }
  let deep = 1;
  for (let i = 0; i < 64; i += 1) deep = [deep];
  assert.equal(canonicalize(deep).length, 129);
  assert.throws(() => canonicalize([deep]), /deeper than 64/);
});

test("agrees with the ledger's verifier on generated values", () => {
  const { jcs } = pytestFixture();
  assert.ok(jcs.length >= 200);
  for (const { json, canonical } of jcs) assert.equal(canonicalize(JSON.parse(json)), canonical, json);
});

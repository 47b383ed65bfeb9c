// The page's EIP-712 code against vectors pytest made: entries signed with eth-account, digests
// computed by the ledger's own submission code, and signatures judged by the ledger's check
// (filings.signing.recover_address): the page accepts exactly what the ledger accepts, and
// recovers the same address.
import assert from "node:assert/strict";
import { test } from "node:test";

import { STATIC, pytestFixture } from "./paths.mjs";

const { addressBytes, checksumAddress, domainSeparator, keccak256, recoverSigner, submissionDigest, verifySubmissionSignature } =
  await import(new URL("eip712.mjs", STATIC));
const { fromHex, toHex, utf8 } = await import(new URL("bytes.mjs", STATIC));

const { eip712: VECTORS } = pytestFixture();
const signatureBytes = (text) => fromHex(text, { prefixed: true });

test("keccak-256 of the empty string and of 'abc' (the Keccak team's vectors)", () => {
  assert.equal(toHex(keccak256(new Uint8Array())), "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470");
  assert.equal(toHex(keccak256(utf8("abc"))), "4e03657aea45a94fc7d47ba826c8d667c0d1e6e33a64a036ec44f58fa12d6c45");
});

test("the EIP-712 example's domain type hash", () => {
  // keccak256("EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)")
  assert.equal(
    toHex(keccak256(utf8("EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)"))),
    "8b73c3c69bb8fe3d512ecc4cf759cc79239f7b179b0ffacaa9a75d522b39400f",
  );
});

for (const [i, item] of VECTORS.cases.entries()) {
  test(`eth-account signed entry ${i}: the ledger's digest, and its signer recovered`, () => {
    assert.equal(toHex(submissionDigest(item.entry, item.domain)), item.digest);
    assert.equal(verifySubmissionSignature(item.entry, item.domain), item.signer);
  });
}

test("a chain id given as a BigInt gives the same domain as the number", () => {
  const { domain } = VECTORS.cases[0];
  assert.deepEqual(domainSeparator({ ...domain, chainId: BigInt(domain.chainId) }), domainSeparator(domain));
});

test("a tampered member or signature recovers another address, and is refused", () => {
  const item = VECTORS.cases[0];
  const altered = { ...item.entry, subject: `${item.entry.subject}!` };
  assert.throws(() => verifySubmissionSignature(altered, item.domain), {
    name: "SubmissionSignatureError",
    message: /^the signature recovers 0x[0-9a-fA-F]{40}, the entry's operator is /,
  });
  const otherDomain = { ...item.domain, chainId: item.domain.chainId + 1 };
  assert.throws(() => verifySubmissionSignature(item.entry, otherDomain), { name: "SubmissionSignatureError" });
  const bytes = signatureBytes(item.entry.signature);
  bytes[10] ^= 0x01;
  const flipped = { ...item.entry, signature: `0x${toHex(bytes)}` };
  assert.throws(() => verifySubmissionSignature(flipped, item.domain), { name: "SubmissionSignatureError" });
  const otherOperator = { ...item.entry, operator: VECTORS.cases[1].signer };
  assert.throws(() => verifySubmissionSignature(otherOperator, item.domain), { recovered: item.signer });
});

for (const [i, item] of VECTORS.signatures.entries()) {
  const verdict = item.signer === null ? "refused" : `recovers ${item.signer}`;
  test(`signature case ${i}: the ledger's rule says ${verdict}`, () => {
    const digest = fromHex(item.digest);
    if (item.signer === null) {
      assert.throws(() => recoverSigner(digest, signatureBytes(item.signature)), { name: "SubmissionSignatureError" });
    } else {
      assert.equal(recoverSigner(digest, signatureBytes(item.signature)), item.signer);
    }
  });
}

test("a signature of another length is refused", () => {
  const digest = fromHex(VECTORS.signatures[0].digest);
  const genuine = signatureBytes(VECTORS.signatures[0].signature);
  assert.throws(() => recoverSigner(digest, genuine.slice(0, 64)), /64 bytes, want 65/);
  assert.throws(() => verifySubmissionSignature({ ...VECTORS.cases[0].entry, signature: "0x1234" }, VECTORS.cases[0].domain), {
    name: "MalformedInput",
  });
});

test("EIP-55: the ledger's checksums, and only that spelling accepted", () => {
  for (const address of VECTORS.addresses) {
    const bytes = fromHex(address.slice(2).toLowerCase());
    assert.equal(checksumAddress(bytes), address);
    assert.deepEqual(addressBytes(address), bytes);
    if (/[a-fA-F]/.test(address.slice(2))) {
      assert.throws(() => addressBytes(address.toLowerCase()), /not in EIP-55 form/);
    }
  }
  // The examples of EIP-55 itself.
  for (const address of ["0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed", "0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359",
    "0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB", "0xD1220A0cf47c7B9Be7A2E6BA89F429762e7b9aDb"]) {
    assert.equal(checksumAddress(fromHex(address.slice(2).toLowerCase())), address);
  }
  assert.throws(() => addressBytes("0x5aaeb6053F3E94C9b9A09f33669435E7Ef1BeAed"), /want 0x5aAeb/);
  assert.throws(() => addressBytes("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAe"), /40 hex digits/);
});

test("a string member with a lone surrogate has no UTF-8 form and is refused", () => {
  const item = VECTORS.cases[0];
  assert.throws(() => submissionDigest({ ...item.entry, subject: "a\ud800" }, item.domain), /valid Unicode/);
});

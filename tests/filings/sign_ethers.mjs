// Independent EIP-712 signer for tests/api/test_eip712_equivalence.py, with ethers v6.
//
// stdin:  {"domain": {name, version, chainId, verifyingContract},
//          "types": {"Submission": [...]},            (EIP712Domain is left out, as ethers wants)
//          "jobs": [{"private_key": "0x...", "message": {...}}]}
// stdout: {"results": [{"address": "0x...", "signature": "0x...", "digest": "0x..."}]}
import { TypedDataEncoder, Wallet } from "ethers";

const chunks = [];
for await (const chunk of process.stdin) chunks.push(chunk);
const job = JSON.parse(Buffer.concat(chunks).toString("utf8"));

const results = [];
for (const { private_key: key, message } of job.jobs) {
  const wallet = new Wallet(key);
  results.push({
    address: wallet.address,
    signature: await wallet.signTypedData(job.domain, job.types, message),
    digest: TypedDataEncoder.hash(job.domain, job.types, message),
  });
}
process.stdout.write(JSON.stringify({ results }));

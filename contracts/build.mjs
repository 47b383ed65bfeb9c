// Compiles the Solidity sources in contracts/ with the pinned npm `solc` (standard JSON, fixed
// settings) into the committed artifacts under contracts/artifacts/.
//
//   node contracts/build.mjs           write the artifacts
//   node contracts/build.mjs --check   compile in memory and exit 1 if any committed artifact
//                                      differs from what the pinned compiler makes of the sources
//   node contracts/build.mjs --evm-version=cancun
//                                      compile the deployable contracts for another EVM version
//                                      and print their artifacts as one JSON object on stdout,
//                                      writing nothing (what benchmarks/test_anchor_gas.py
//                                      measures a later build with)
//
// The build is deterministic: same sources + same compiler + same settings = same bytes.
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const require = createRequire(import.meta.url);
const solc = require("solc");

const CONTRACTS_DIR = dirname(fileURLToPath(import.meta.url));
const ROOT = dirname(CONTRACTS_DIR);
const ARTIFACTS_DIR = join(CONTRACTS_DIR, "artifacts");

// Paris: no PUSH0 (Shanghai) and no MCOPY/TSTORE (Cancun), so the same bytecode runs on every
// EVM chain from London on, including Besu QBFT networks whose genesis predates Shanghai.
// contracts/README.md explains the choice.
const SETTINGS = {
  evmVersion: "paris",
  optimizer: { enabled: true, runs: 10000 },
  metadata: { bytecodeHash: "ipfs", appendCBOR: true },
  outputSelection: {
    "*": {
      "*": ["abi", "evm.bytecode.object", "evm.deployedBytecode.object", "evm.methodIdentifiers", "metadata"],
    },
  },
};

// One compilation unit per group; each named contract becomes one artifact file.
const GROUPS = [
  {
    outDir: ARTIFACTS_DIR,
    sources: ["AccessControl.sol", "RFC9162.sol", "AnchorRules.sol", "LedgerAnchor.sol", "OperatorRegistry.sol"],
    contracts: { "LedgerAnchor.sol": ["LedgerAnchor"], "OperatorRegistry.sol": ["OperatorRegistry"] },
  },
  {
    outDir: join(ARTIFACTS_DIR, "bench"),
    sources: [
      "AccessControl.sol", "RFC9162.sol", "AnchorRules.sol", "bench/AnchorFloors.sol", "bench/LatestOnlyAnchor.sol",
    ],
    contracts: {
      "bench/AnchorFloors.sol": ["EventOnlyAnchor", "ProofFloorAnchor"],
      "bench/LatestOnlyAnchor.sol": ["LatestOnlyAnchor"],
    },
  },
];

function sha256(data) {
  return createHash("sha256").update(data).digest("hex");
}

function pinnedSolcVersion() {
  const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8"));
  const pinned = pkg.devDependencies?.solc;
  const installed = require("solc/package.json").version;
  if (pinned !== installed) {
    throw new Error(`solc ${installed} is installed but package.json pins ${pinned}: run npm ci`);
  }
  return installed;
}

function compile(group, settings = SETTINGS) {
  const input = { language: "Solidity", sources: {}, settings };
  const raw = {};
  for (const name of group.sources) {
    raw[name] = readFileSync(join(CONTRACTS_DIR, name));
    input.sources[name] = { content: raw[name].toString("utf8") };
  }
  const output = JSON.parse(solc.compile(JSON.stringify(input)));
  const problems = (output.errors ?? []).filter((e) => e.severity === "error" || e.severity === "warning");
  if (problems.length > 0) {
    throw new Error(problems.map((e) => e.formattedMessage).join("\n"));
  }
  const artifacts = [];
  for (const [sourceName, contractNames] of Object.entries(group.contracts)) {
    for (const contractName of contractNames) {
      const compiled = output.contracts[sourceName][contractName];
      const metadata = JSON.parse(compiled.metadata);
      const sources = {};
      for (const used of Object.keys(metadata.sources).sort()) {
        sources[used] = { sha256: sha256(raw[used]) };
      }
      const artifact = {
        contractName,
        sourceName,
        sourceSha256: sha256(raw[sourceName]),
        sources,
        compiler: { name: "solc", version: solc.version(), npmPackage: `solc@${pinnedSolcVersion()}` },
        settings: { evmVersion: settings.evmVersion, optimizer: settings.optimizer, metadata: settings.metadata },
        abi: compiled.abi,
        methodIdentifiers: compiled.evm.methodIdentifiers,
        bytecode: `0x${compiled.evm.bytecode.object}`,
        deployedBytecode: `0x${compiled.evm.deployedBytecode.object}`,
      };
      artifacts.push({
        path: join(group.outDir, `${contractName}.json`),
        text: `${JSON.stringify(artifact, null, 2)}\n`,
      });
    }
  }
  return artifacts;
}

function committedArtifacts() {
  const found = [];
  for (const group of GROUPS) {
    if (!existsSync(group.outDir)) continue;
    for (const entry of readdirSync(group.outDir)) {
      if (entry.endsWith(".json")) found.push(join(group.outDir, entry));
    }
  }
  return found;
}

function main() {
  const evmVersion = process.argv.find((arg) => arg.startsWith("--evm-version="))?.split("=")[1];
  if (evmVersion !== undefined) {
    const built = compile(GROUPS[0], { ...SETTINGS, evmVersion });
    const byName = Object.fromEntries(built.map((a) => [JSON.parse(a.text).contractName, JSON.parse(a.text)]));
    process.stdout.write(`${JSON.stringify(byName)}\n`);
    return;
  }
  const check = process.argv.includes("--check");
  const artifacts = GROUPS.flatMap((group) => compile(group));
  if (check) {
    const expected = new Set(artifacts.map((a) => a.path));
    const stale = [];
    for (const artifact of artifacts) {
      const current = existsSync(artifact.path) ? readFileSync(artifact.path, "utf8") : null;
      if (current !== artifact.text) stale.push(relative(ROOT, artifact.path));
    }
    for (const path of committedArtifacts()) {
      if (!expected.has(path)) stale.push(`${relative(ROOT, path)} (no source produces it)`);
    }
    if (stale.length > 0) {
      console.error(`artifacts differ from solc ${solc.version()} output:\n  ${stale.join("\n  ")}`);
      console.error("run `make contracts` and commit the result");
      process.exit(1);
    }
    console.log(`${artifacts.length} artifacts match solc ${solc.version()}`);
    return;
  }
  for (const artifact of artifacts) {
    mkdirSync(dirname(artifact.path), { recursive: true });
    writeFileSync(artifact.path, artifact.text);
    console.log(`wrote ${relative(ROOT, artifact.path)}`);
  }
}

main();

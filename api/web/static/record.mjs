// The record page's "Verify in my browser": fetch the log's identity and the record's proof
// bundle, pin the log on first use, run every check (verify.mjs) and show each result.

import { bilingual, getJson } from "./page.mjs";
import { verifyBundle } from "./verify.mjs";

const STATUS = {
  running: ["… đang kiểm tra", "… checking"],
  passed: ["✓ đạt", "✓ passed"],
  failed: ["✗ không đạt", "✗ failed"],
  "not-checked": ["– không kiểm tra được", "– not checked"],
};
const VERDICT = {
  running: ["Đang kiểm tra…", "Checking…"],
  passed: ["✓ Đã kiểm chứng: mọi bước đều đạt.", "✓ Verified: every step passed."],
  failed: ["✗ KHÔNG kiểm chứng được: có bước không đạt.", "✗ NOT verified: a step failed."],
  incomplete: ["– Chưa kiểm chứng đầy đủ: có bước không kiểm tra được.", "– Not fully verified: a step could not be checked."],
};
const PIN_KEY = `infraledger.trust:${location.host}`;

/** The log identity pinned in this browser on first use (saved now when there is none). */
function pinnedTrust(log) {
  const fresh = {
    origin: log.origin,
    vkey: log.vkey,
    chain_id: log.chain_id,
    anchor_contract: log.anchor_contract,
    since: new Date().toISOString(),
  };
  try {
    const saved = JSON.parse(localStorage.getItem(PIN_KEY) ?? "null");
    if (saved?.vkey) return saved;
    localStorage.setItem(PIN_KEY, JSON.stringify(fresh));
  } catch {
    // Storage disabled: this visit's answer is all there is to trust.
  }
  return fresh;
}

function showCheck(item, status, message) {
  item.dataset.status = status;
  const label = item.querySelector(".status");
  label.className = `status ${status}`;
  bilingual(label, STATUS[status]);
  item.querySelector(".message").textContent = message;
}

function showVerdict(verdict, status, detail = "") {
  verdict.dataset.verification = status;
  bilingual(verdict, VERDICT[status]);
  if (detail) verdict.append(` ${detail}`);
}

async function verify(button) {
  const recordId = button.dataset.record;
  const items = new Map([...document.querySelectorAll("#checks li")].map((item) => [item.dataset.check, item]));
  const verdict = document.getElementById("verdict");
  button.disabled = true;
  for (const item of items.values()) showCheck(item, "running", "");
  showVerdict(verdict, "running");
  try {
    const log = await getJson("/v1/log");
    const trust = pinnedTrust(log);
    document.getElementById("pinned").textContent =
      `${trust.origin} · ${trust.vkey} · chain ${trust.chain_id} · LedgerAnchor ${trust.anchor_contract} · ${trust.since}`;
    const rpcUrls = (log.rpc_urls ?? []).map((url) => new URL(url, location.href).href);
    const bundle = await getJson(`/v1/records/${recordId}/proof`);
    const result = await verifyBundle(bundle, { recordId, trust, rpcUrls });
    for (const check of result.checks) showCheck(items.get(check.name), check.status, check.message);
    showVerdict(verdict, result.verdict);
  } catch (error) {
    for (const item of items.values()) {
      if (item.dataset.status === "running") showCheck(item, "not-checked", "");
    }
    showVerdict(verdict, "incomplete", error.message);
  } finally {
    button.disabled = false;
  }
}

const button = document.getElementById("verify-button");
button.addEventListener("click", () => verify(button));
button.disabled = false;

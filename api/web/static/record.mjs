// The record page's "Verify in my browser": fetch the log's identity and the record's proof
// bundle, pin the log on first use (trust.mjs), run every check (verify.mjs) through every pinned
// and added chain endpoint, and show each check, each endpoint and a verdict naming the checks.

import { bilingual, getJson } from "./page.mjs";
import { InvalidEndpoint, addEndpoint, addedEndpoints, endpointsToAsk, memoryStorage, pinTrust, removeEndpoint, savedTrust } from "./trust.mjs";
import { verifyBundle } from "./verify.mjs";

const STATUS = {
  running: ["… đang kiểm tra", "… checking"],
  passed: ["✓ đạt", "✓ passed"],
  failed: ["✗ không đạt", "✗ failed"],
  "not-checked": ["– không kiểm tra được", "– not checked"],
};
const ENDPOINT_STATUS = {
  pending: ["chưa hỏi", "not asked yet"],
  running: ["… đang hỏi", "… asking"],
  agreed: ["✓ khớp", "✓ agreed"],
  disagreed: ["✗ không khớp", "✗ disagreed"],
  unreachable: ["– không liên lạc được", "– unreachable"],
  "not-asked": ["– không hỏi", "– not asked"],
};
const SOURCE = {
  pinned: ["do máy chủ này công bố, đã ghim", "advertised by this server, pinned"],
  added: ["do bạn thêm", "added by you"],
};
const GROUPS = [
  ["failed", ["Không đạt:", "Failed:"]],
  ["not-checked", ["Không kiểm tra được:", "Not checked:"]],
  ["passed", ["Đạt:", "Passed:"]],
];

function summary(status, checks) {
  const count = (wanted) => checks.filter((check) => check.status === wanted).length;
  const total = checks.length;
  if (status === "passed") return [`✓ Đã kiểm chứng: cả ${total} bước đều đạt.`, `✓ Verified: all ${total} checks passed.`];
  if (status === "failed") {
    return [`✗ KHÔNG kiểm chứng được: ${count("failed")} trong ${total} bước không đạt.`, `✗ NOT verified: ${count("failed")} of ${total} checks failed.`];
  }
  return [
    `– Chưa kiểm chứng đầy đủ: ${count("passed")} trong ${total} bước đạt, ${count("not-checked")} bước không kiểm tra được.`,
    `– Not fully verified: ${count("passed")} of ${total} checks passed, ${count("not-checked")} could not be checked.`,
  ];
}

const HOST = location.host;
const storage = openStorage();
const button = document.getElementById("verify-button");
const items = new Map([...document.querySelectorAll("#checks li")].map((item) => [item.dataset.check, item]));
const verdict = document.getElementById("verdict");
const endpointList = document.getElementById("endpoints");
const form = document.getElementById("endpoint-form");
const field = document.getElementById("endpoint-url");
const formError = document.getElementById("endpoint-error");

/** localStorage when the browser allows it, else a store that lasts this visit. */
function openStorage() {
  try {
    const probe = "infraledger.probe";
    localStorage.setItem(probe, "1");
    localStorage.removeItem(probe);
    return localStorage;
  } catch {
    return memoryStorage();
  }
}

function element(tag, className, text) {
  const made = document.createElement(tag);
  if (className) made.className = className;
  if (Array.isArray(text)) bilingual(made, text);
  else if (text !== undefined) made.textContent = text;
  return made;
}

function showCheck(item, status, message) {
  item.dataset.status = status;
  const label = item.querySelector(".status");
  label.className = `status ${status}`;
  bilingual(label, STATUS[status]);
  const text = item.querySelector(".message");
  if (message) bilingual(text, message);
  else text.replaceChildren();
}

/** The verdict: a sentence, then the checks by outcome (`data-step` each), then the endpoints. */
function showVerdict(status, checks, endpoints = [], detail = null) {
  verdict.dataset.verification = status;
  const parts = [status === "running" ? element("p", "", ["Đang kiểm tra…", "Checking…"]) : element("p", "", summary(status, checks))];
  if (detail) parts.push(element("p", "message", detail));
  for (const [wanted, heading] of GROUPS) {
    const named = checks.filter((check) => check.status === wanted);
    if (named.length === 0) continue;
    const list = element("ul", "steps");
    for (const check of named) {
      const entry = element("li", `status ${wanted}`);
      entry.dataset.step = check.name;
      entry.dataset.status = wanted;
      entry.append(items.get(check.name).querySelector("strong").cloneNode(true));
      list.append(entry);
    }
    const group = element("div", "step-group");
    group.append(element("p", "", heading), list);
    parts.push(group);
  }
  const agreed = endpoints.filter((endpoint) => endpoint.status === "agreed").map((endpoint) => endpoint.url);
  const disagreed = endpoints.filter((endpoint) => endpoint.status === "disagreed").map((endpoint) => endpoint.url);
  if (agreed.length > 0) parts.push(element("p", "read-from", [`Đọc từ chuỗi khối qua: ${agreed.join(", ")}`, `Read from the chain through: ${agreed.join(", ")}`]));
  if (disagreed.length > 0) parts.push(element("p", "read-from", [`Không khớp: ${disagreed.join(", ")}`, `Disagreed: ${disagreed.join(", ")}`]));
  verdict.replaceChildren(...parts);
}

function endpointMessage({ root, registry }) {
  if (root === registry) return root.message;
  return [
    `gốc: ${root.message[0]} · doanh nghiệp: ${registry.message[0]}`,
    `root: ${root.message[1]} · operator: ${registry.message[1]}`,
  ];
}

/** List `endpoints` ([{url, source}]) with their answers (`readings` by URL) or `status`. */
function showEndpoints(endpoints, { readings = new Map(), status = "pending" } = {}) {
  const rows = endpoints.map(({ url, source }) => {
    const reading = readings.get(url);
    const state = reading?.status ?? status;
    const row = element("li");
    row.dataset.endpoint = url;
    row.dataset.source = source;
    row.dataset.status = state;
    row.append(element("code", "hash", url), " · ", element("span", "source muted", SOURCE[source]), ": ",
      element("span", `status ${state}`, ENDPOINT_STATUS[state]));
    if (source === "added") {
      const remove = element("button", "remove", ["Bỏ", "Remove"]);
      remove.type = "button";
      remove.dataset.remove = url;
      remove.append(element("span", "sr", ` ${url}`));
      row.append(" ", remove);
    }
    if (reading) row.append(element("span", "message", endpointMessage(reading)));
    return row;
  });
  if (rows.length === 0) {
    rows.push(element("li", "muted", ["Chưa có nút nào: hãy bấm Kiểm tra, hoặc thêm một nút bên dưới.", "No endpoint yet: press Verify, or add one below."]));
  }
  endpointList.replaceChildren(...rows);
}

function currentEndpoints() {
  return endpointsToAsk(savedTrust(storage, HOST), addedEndpoints(storage, HOST));
}

function showPinned(trust) {
  document.getElementById("pinned").textContent = [
    trust.origin, trust.vkey, `chain ${trust.chain_id}`, `LedgerAnchor ${trust.anchor_contract}`,
    `OperatorRegistry ${trust.operator_registry}`, `RPC ${trust.rpc_urls.join(", ") || "–"}`, trust.since,
  ].join(" · ");
}

async function verify() {
  const recordId = button.dataset.record;
  button.disabled = true;
  for (const item of items.values()) showCheck(item, "running", null);
  showVerdict("running", []);
  try {
    const [log, bundle] = await Promise.all([getJson("/v1/log"), getJson(`/v1/records/${recordId}/proof`)]);
    const trust = pinTrust(storage, HOST, log, { base: location.href, now: new Date().toISOString() });
    showPinned(trust);
    const endpoints = currentEndpoints();
    showEndpoints(endpoints, { status: "running" });
    const result = await verifyBundle(bundle, { recordId, trust, rpcUrls: endpoints.map((endpoint) => endpoint.url) });
    for (const check of result.checks) showCheck(items.get(check.name), check.status, check.message);
    showEndpoints(endpoints, { readings: new Map(result.endpoints.map((reading) => [reading.url, reading])) });
    showVerdict(result.verdict, result.checks, result.endpoints);
  } catch (error) {
    for (const item of items.values()) {
      if (item.dataset.status === "running") showCheck(item, "not-checked", null);
    }
    const checks = [...items.values()].map((item) => ({ name: item.dataset.check, status: item.dataset.status }));
    showVerdict("incomplete", checks, [], [`Lỗi: ${error.message}`, `Error: ${error.message}`]);
  } finally {
    button.disabled = false;
  }
}

function showFormError(text) {
  formError.hidden = text === null;
  if (text === null) formError.replaceChildren();
  else bilingual(formError, text);
  if (text === null) field.removeAttribute("aria-invalid");
  else field.setAttribute("aria-invalid", "true");
}

form.addEventListener("submit", (event) => {
  event.preventDefault();
  try {
    const known = currentEndpoints().map((endpoint) => endpoint.url);
    addEndpoint(storage, HOST, field.value, { base: location.href, known });
  } catch (error) {
    if (!(error instanceof InvalidEndpoint)) throw error;
    showFormError(error.text);
    return;
  }
  field.value = "";
  showFormError(null);
  showEndpoints(currentEndpoints());
});
endpointList.addEventListener("click", (event) => {
  const url = event.target.closest("button[data-remove]")?.dataset.remove;
  if (url === undefined) return;
  removeEndpoint(storage, HOST, url);
  showEndpoints(currentEndpoints());
});
button.addEventListener("click", verify);
showEndpoints(currentEndpoints());
for (const control of [button, field, document.getElementById("endpoint-add")]) control.disabled = false;

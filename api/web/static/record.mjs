// The record page's "Verify in my browser": fetch the log's identity and the record's proof
// bundle, pin the log on first use (trust.mjs), run every check (verify.mjs) through every pinned
// and added chain endpoint, and show each check, each endpoint and a verdict naming the checks.

import { bilingual, getJson, troubleWords } from "./page.mjs";
import { settlePin } from "./rotation.mjs";
import { InvalidEndpoint, addEndpoint, addedEndpoints, endpointsToAsk, memoryStorage, pinTrust, removeEndpoint, repin, savedTrust } from "./trust.mjs";
import { text, timeWords } from "./text.mjs";
import { verifyBundle } from "./verify.mjs";

const STATUS = {
  running: "browser.check_running",
  passed: "browser.check_passed",
  failed: "browser.check_failed",
  "not-checked": "browser.check_not_checked",
};
const ENDPOINT_STATUS = {
  pending: "browser.endpoint_pending",
  running: "browser.endpoint_running",
  agreed: "browser.endpoint_agreed",
  disagreed: "browser.endpoint_disagreed",
  unreachable: "browser.endpoint_unreachable",
  "not-asked": "browser.endpoint_not_asked",
};
const SOURCE = {
  pinned: "browser.source_pinned",
  added: "browser.source_added",
};
const GROUPS = [
  ["failed", "browser.group_failed"],
  ["not-checked", "browser.group_not_checked"],
  ["passed", "browser.group_passed"],
];

function summary(status, checks) {
  const count = (wanted) => checks.filter((check) => check.status === wanted).length;
  const total = checks.length;
  if (status === "passed") return text("browser.verdict_passed", { total });
  if (status === "failed") return text("browser.verdict_failed", { failed: count("failed"), total });
  return text("browser.verdict_incomplete", { passed: count("passed"), total, not_checked: count("not-checked") });
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
  bilingual(label, text(STATUS[status]));
  const said = item.querySelector(".message");
  if (message) bilingual(said, message);
  else said.replaceChildren();
}

/** The verdict: a sentence, then the checks by outcome (`data-step` each), then the endpoints. */
function showVerdict(status, checks, endpoints = [], detail = null) {
  verdict.dataset.verification = status;
  const parts = [element("p", "", status === "running" ? text("browser.checking") : summary(status, checks))];
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
    group.append(element("p", "", text(heading)), list);
    parts.push(group);
  }
  const agreed = endpoints.filter((endpoint) => endpoint.status === "agreed").map((endpoint) => endpoint.url);
  const disagreed = endpoints.filter((endpoint) => endpoint.status === "disagreed").map((endpoint) => endpoint.url);
  if (agreed.length > 0) parts.push(element("p", "read-from", text("browser.read_through", { urls: agreed.join(", ") })));
  if (disagreed.length > 0) parts.push(element("p", "read-from", text("browser.disagreed", { urls: disagreed.join(", ") })));
  verdict.replaceChildren(...parts);
}

function endpointMessage({ root, registry }) {
  if (root === registry) return root.message;
  return text("browser.root_and_operator", { root: root.message, operator: registry.message });
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
    row.append(element("code", "hash", url), " · ", element("span", "source muted", text(SOURCE[source])), ": ",
      element("span", `status ${state}`, text(ENDPOINT_STATUS[state])));
    if (source === "added") {
      const remove = element("button", "remove", text("browser.remove"));
      remove.type = "button";
      remove.dataset.remove = url;
      remove.append(element("span", "sr", ` ${url}`));
      row.append(" ", remove);
    }
    if (reading) row.append(element("span", "message", endpointMessage(reading)));
    return row;
  });
  if (rows.length === 0) {
    rows.push(element("li", "muted", text("browser.no_endpoint_yet")));
  }
  endpointList.replaceChildren(...rows);
}

function currentEndpoints() {
  return endpointsToAsk(savedTrust(storage, HOST), addedEndpoints(storage, HOST));
}

function showPinned(trust) {
  const since = Date.parse(trust.since);
  bilingual(document.getElementById("pinned"), text("browser.pinned", {
    origin: trust.origin, vkey: trust.vkey, chain: String(trust.chain_id), anchor: String(trust.anchor_contract),
    registry: String(trust.operator_registry), urls: trust.rpc_urls.join(", ") || "–",
    since: Number.isNaN(since) ? String(trust.since) : timeWords(Math.floor(since / 1000)),
  }));
}

/** A run under way: the button says so with `aria-disabled` rather than `disabled`, which would
 * drop the keyboard's focus to the page's body, and a second press while it runs does nothing. */
let running = false;

async function verify() {
  if (running) return;
  running = true;
  const recordId = button.dataset.record;
  button.setAttribute("aria-disabled", "true");
  for (const item of items.values()) showCheck(item, "running", null);
  showVerdict("running", []);
  try {
    const [log, bundle] = await Promise.all([getJson("/v1/log"), getJson(`/v1/records/${recordId}/proof`)]);
    const fresh = savedTrust(storage, HOST) === null;
    const pinned = pinTrust(storage, HOST, log, { base: location.href, now: new Date().toISOString() });
    const { trust, changed, notice } = await settlePin(pinned, { fresh, log, readNotes: async () => (await getJson("/v1/log/rotations")).rotations });
    if (changed) repin(storage, HOST, trust);
    showPinned(trust);
    const endpoints = currentEndpoints();
    showEndpoints(endpoints, { status: "running" });
    const result = await verifyBundle(bundle, { recordId, trust, rpcUrls: endpoints.map((endpoint) => endpoint.url) });
    for (const check of result.checks) showCheck(items.get(check.name), check.status, check.message);
    showEndpoints(endpoints, { readings: new Map(result.endpoints.map((reading) => [reading.url, reading])) });
    showVerdict(result.verdict, result.checks, result.endpoints, notice);
  } catch (error) {
    for (const item of items.values()) {
      if (item.dataset.status === "running") showCheck(item, "not-checked", null);
    }
    const checks = [...items.values()].map((item) => ({ name: item.dataset.check, status: item.dataset.status }));
    showVerdict("incomplete", checks, [], text("browser.error", { reason: troubleWords(error) }));
  } finally {
    running = false;
    button.removeAttribute("aria-disabled");
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
  field.focus(); // the pressed button is gone with its row: focus goes where one adds again
});
button.addEventListener("click", verify);
showEndpoints(currentEndpoints());
for (const control of [button, field, document.getElementById("endpoint-add")]) control.disabled = false;

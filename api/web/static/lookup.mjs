// The verify page's file lookup: the file is hashed here with WebCrypto (it is never uploaded)
// and its SHA-256 looked up with GET /v1/lookup/sha256/{hex}.

import { sha256, toHex } from "./bytes.mjs";
import { bilingual, getJson } from "./page.mjs";

const input = document.getElementById("file");
const zone = document.getElementById("drop");
const result = document.getElementById("lookup-result");

function line(tag, text) {
  const element = document.createElement(tag);
  if (Array.isArray(text)) bilingual(element, text);
  else element.textContent = text;
  return element;
}

function recordItem(record) {
  const item = document.createElement("li");
  const link = document.createElement("a");
  link.href = `/records/${record.id}`;
  link.textContent = `${record.entry.kind} · ${record.entry.subject}`;
  item.append(link, ` (#${record.index}, ${record.status}, ${record.id.slice(0, 16)}…)`);
  return item;
}

async function lookUp(file) {
  result.replaceChildren(line("p", ["Đang tính mã băm…", "Hashing…"]));
  result.dataset.state = "hashing";
  try {
    const digest = toHex(await sha256(new Uint8Array(await file.arrayBuffer())));
    const answer = await getJson(`/v1/lookup/sha256/${digest}`);
    const heading = line("p", `${file.name}: SHA-256 ${digest}`);
    if (answer.records.length === 0) {
      result.replaceChildren(heading, line("p", ["Không có trong sổ cái: không hồ sơ nào chứa tệp này.", "Not in the ledger: no record holds this file."]));
      result.dataset.state = "not-found";
      return;
    }
    const list = document.createElement("ul");
    list.append(...answer.records.map(recordItem));
    result.replaceChildren(heading, line("p", [`Có trong sổ cái: ${answer.records.length} hồ sơ.`, `In the ledger: ${answer.records.length} record(s).`]), list);
    result.dataset.state = "found";
  } catch (error) {
    result.replaceChildren(line("p", error.message));
    result.dataset.state = "error";
  }
}

input.addEventListener("change", () => {
  if (input.files.length > 0) lookUp(input.files[0]);
});
zone.addEventListener("dragover", (event) => {
  event.preventDefault();
  zone.classList.add("over");
});
zone.addEventListener("dragleave", () => zone.classList.remove("over"));
zone.addEventListener("drop", (event) => {
  event.preventDefault();
  zone.classList.remove("over");
  if (event.dataTransfer.files.length > 0) lookUp(event.dataTransfer.files[0]);
});
input.disabled = false;

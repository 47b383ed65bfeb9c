// The map page: the areas in force and the sites standing on the chosen day, drawn with Leaflet
// (vendored, see api/web/build_map_vendor.mjs) from /v1/map/areas.geojson and
// /v1/map/sites.geojson, sites clustered. The basemap is optional: with none configured, or none
// reachable, the boundaries and the sites still draw. Filters (operator, technology, status)
// act on the day's sites in memory; a new date fetches both layers again. A site's popup names
// its fields in words, lists its versions (/v1/map/sites/{id}/history) and links to its record
// page, where the record is verified in the browser.
//
// The page's state for scripts and tests: #map[data-state] is "loading", "ready" or "failed";
// #map[data-sites] the number of sites shown, #map[data-areas] the areas drawn with a boundary,
// #map[data-on] the day drawn, #map[data-basemap] "none", "loaded" or "unreachable".
import { L } from "./vendor/leaflet.mjs";
import { bilingual, getJson } from "./page.mjs";

const HUE = [16.35, 107.6];
const element = document.getElementById("map");
const words = JSON.parse(document.getElementById("map-words").textContent);
const form = document.getElementById("map-filters");
const fields = {
  on: document.getElementById("filter-on"),
  operator: document.getElementById("filter-operator"),
  technology: document.getElementById("filter-technology"),
  status: document.getElementById("filter-status"),
};

/** Text that Leaflet writes as HTML (attributions), escaped. */
function escapeHtml(text) {
  const span = document.createElement("span");
  span.textContent = text;
  return span.innerHTML;
}

/** `2025-11-02` as 02/11/2025 in Vietnamese, unchanged in English. */
function dayWords(iso) {
  const [year, month, day] = iso.split("-");
  return [`${day}/${month}/${year}`, iso];
}

function numberWords(value) {
  return [new Intl.NumberFormat("vi-VN").format(value), new Intl.NumberFormat("en-GB").format(value)];
}

function both(tag, pair, className) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  bilingual(node, pair);
  return node;
}

/** Option labels follow the page language (an <option> holds text only). */
function relabel() {
  const lang = document.documentElement.lang === "en" ? "en" : "vi";
  for (const option of form.querySelectorAll("option[data-vi]")) {
    option.textContent = option.dataset[lang];
  }
}
new MutationObserver(relabel).observe(document.documentElement, { attributes: true, attributeFilter: ["lang"] });

const map = L.map(element, { center: HUE, zoom: 9, minZoom: 7, maxZoom: 18 });
map.attributionControl.setPrefix('<a href="https://leafletjs.com">Leaflet</a>');
const tilesUrl = element.dataset.tilesUrl;
if (tilesUrl) {
  const tiles = L.tileLayer(tilesUrl, {
    attribution: escapeHtml(element.dataset.tilesAttribution), maxZoom: 19, subdomains: "abc",
  });
  tiles.once("tileload", () => { element.dataset.basemap = "loaded"; });
  tiles.once("tileerror", () => {
    if (element.dataset.basemap !== "loaded") element.dataset.basemap = "unreachable";
    document.getElementById("basemap-note").hidden = false;
  });
  tiles.addTo(map);
} else {
  element.dataset.basemap = "none";
}

const areaNames = new Map();
const areaLayer = L.geoJSON(null, {
  style: (feature) => feature.properties.level === "province"
    ? { color: "#0b4f8a", weight: 3, fill: false }
    : { color: "#0b4f8a", weight: 1, fillColor: "#0b4f8a", fillOpacity: 0.04 },
  onEachFeature: (feature, layer) => {
    layer.bindTooltip(feature.properties.name_vi, { sticky: true });
  },
}).addTo(map);
const sites = L.markerClusterGroup({ chunkedLoading: true, showCoverageOnHover: false });
map.addLayer(sites);
let daySites = [];
let boundarySource = "";

function areaWords(code) {
  const area = areaNames.get(code);
  return area ? [area.name_vi, area.name_en] : [code, code];
}

function fact(list, label, value) {
  list.append(both("dt", words.label[label]));
  const dd = document.createElement("dd");
  if (Array.isArray(value)) bilingual(dd, value);
  else dd.append(value);
  list.append(dd);
}

function operatorWords(address, name) {
  return name ? [name, name] : words.label.unnamed;
}

async function fillHistory(list, siteId) {
  try {
    const answer = await getJson(`/v1/map/sites/${encodeURIComponent(siteId)}/history`);
    list.replaceChildren(...answer.versions.map((version) => {
      const item = document.createElement("li");
      const link = document.createElement("a");
      link.href = version.record;
      const [vi, en] = dayWords(version.as_of);
      const [statusVi, statusEn] = words.status[version.status];
      bilingual(link, [`${vi}: ${statusVi}`, `${en}: ${statusEn}`]);
      item.append(link);
      return item;
    }));
  } catch (error) {
    list.replaceChildren(both("li", words.label.load_failed));
  }
}

/** The popup of a site: its fields in words, its versions, and the link to verify it. */
function popup(feature) {
  const p = feature.properties;
  const box = document.createElement("div");
  box.className = "site-popup";
  const title = document.createElement("h3");
  title.textContent = p.site_id;
  const list = document.createElement("dl");
  list.className = "fields";
  fact(list, "operator", operatorWords(p.operator, p.operator_name));
  if (p.tenants.length) fact(list, "tenants", p.tenants.join(", "));
  fact(list, "status", words.status[p.status]);
  if (p.out_of_service) {
    const [vi, en] = dayWords(p.out_of_service.since);
    const [reasonVi, reasonEn] = words.reason[p.out_of_service.reason];
    fact(list, "out_of_service", [`${vi} (${reasonVi})`, `${en} (${reasonEn})`]);
  }
  fact(list, "technologies", p.technologies.join(", "));
  fact(list, "structure", words.structure[p.structure]);
  const [heightVi, heightEn] = numberWords(p.height_m);
  fact(list, "height_m", [`${heightVi} m`, `${heightEn} m`]);
  fact(list, "area", areaWords(p.area));
  fact(list, "as_of", dayWords(p.as_of));
  if (p.commissioned) fact(list, "commissioned", dayWords(p.commissioned));
  const history = document.createElement("ol");
  history.className = "site-history";
  history.append(both("li", words.label.loading));
  const verify = document.createElement("a");
  verify.className = "badge verify";
  verify.href = p.record;
  bilingual(verify, words.label.verify.map((text) => `${text} →`));
  box.append(title, list, both("h4", words.label.history), history, verify);
  fillHistory(history, p.site_id);
  return box;
}

function marker(feature) {
  const [lon, lat] = feature.geometry.coordinates;
  const icon = L.divIcon({
    className: `site-marker status-${feature.properties.status}`, iconSize: [16, 16],
  });
  const item = L.marker([lat, lon], { icon, title: feature.properties.site_id, keyboard: true });
  item.bindPopup(() => popup(feature), { maxWidth: 300, autoPan: false });
  return item;
}

function shown(feature) {
  const p = feature.properties;
  return (!fields.operator.value || p.operator === fields.operator.value)
    && (!fields.technology.value || p.technologies.includes(fields.technology.value))
    && (!fields.status.value || p.status === fields.status.value);
}

function drawSites() {
  const chosen = daySites.filter(shown);
  sites.clearLayers();
  sites.addLayers(chosen.map((item) => item.marker));
  element.dataset.sites = String(chosen.length);
  const [countVi, countEn] = numberWords(chosen.length);
  bilingual(document.getElementById("map-count"),
            [`${countVi} ${words.label.sites[0]}`, `${countEn} ${words.label.sites[1]}`]);
}

function fillOperators(features) {
  const current = fields.operator.value;
  const operators = new Map();
  for (const feature of features) {
    operators.set(feature.properties.operator, feature.properties.operator_name);
  }
  const options = [...operators].sort((a, b) => (a[1] ?? a[0]).localeCompare(b[1] ?? b[0]))
    .map(([address, name]) => {
      const option = document.createElement("option");
      option.value = address;
      option.textContent = name ?? address;
      return option;
    });
  fields.operator.replaceChildren(fields.operator.options[0], ...options);
  fields.operator.value = operators.has(current) ? current : "";
}

function drawAreas(collection) {
  areaLayer.clearLayers();
  areaNames.clear();
  for (const feature of collection.features) areaNames.set(feature.id, feature.properties);
  const drawn = collection.features.filter((feature) => feature.geometry !== null);
  areaLayer.addData(drawn);
  element.dataset.areas = String(drawn.length);
  const note = document.getElementById("map-note");
  note.hidden = collection.geometry_source === "commune_boundaries";
  if (!note.hidden) bilingual(note, words.label.outline_only);
  document.getElementById("boundary-source").textContent =
    `${collection.source} (${collection.licence})`;
  const attribution = escapeHtml(`${words.label.boundaries[0]}: ${collection.licence}`);
  if (attribution !== boundarySource) {
    if (boundarySource) map.attributionControl.removeAttribution(boundarySource);
    map.attributionControl.addAttribution(attribution);
    boundarySource = attribution;
  }
}

/** Fetch and draw both layers of the day in the date field. */
async function load() {
  const day = fields.on.value;
  if (!/^\d{4}-\d{2}-\d{2}$/.test(day)) return;
  element.dataset.state = "loading";
  try {
    const query = `?on=${day}`;
    const [areas, found] = await Promise.all([
      getJson(`/v1/map/areas.geojson${query}`), getJson(`/v1/map/sites.geojson${query}`),
    ]);
    if (fields.on.value !== day) return; // a later date was chosen meanwhile
    drawAreas(areas);
    daySites = found.features.map((feature) => ({ properties: feature.properties, marker: marker(feature) }));
    fillOperators(daySites);
    drawSites();
    element.dataset.on = day;
    element.dataset.state = "ready";
  } catch (error) {
    element.dataset.state = "failed";
    bilingual(document.getElementById("map-count"), words.label.load_failed);
  }
}

form.addEventListener("submit", (event) => event.preventDefault());
fields.on.addEventListener("change", load);
for (const name of ["operator", "technology", "status"]) {
  fields[name].addEventListener("change", drawSites);
}
relabel();
load();

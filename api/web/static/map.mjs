// The map page: the areas in force and the sites and cable routes standing on the chosen day,
// drawn with Leaflet (vendored, see api/web/build_map_vendor.mjs) from /v1/map/areas.geojson,
// /v1/map/sites.geojson and /v1/map/routes.geojson, sites clustered, routes in their own pane
// (aerial solid, underground dashed, as the legend says). The basemap is optional: with none configured, or none
// reachable, the boundaries and the sites still draw. Filters (operator, technology, status)
// act on the day's sites in memory (the operator and status filters on the routes too); a new
// date fetches the layers again. A route's popup names its owner, kind, shared poles or ducts,
// tenants (by their registry names) and length, and links to its record page. A site's popup names
// its fields in words, its operator and tenants by name, lists its versions
// (/v1/map/sites/{id}/history) and links to its record page, where the record is verified in the
// browser.
//
// The view stays on Hue: `maxBounds` around the city with a margin (viscosity 1, so a drag cannot
// pull it out) and a lowest zoom (`lowestZoom`, at least 9, higher on a wide screen) at which
// the view is never wider than those bounds leave room for: whether centred on the bounds or
// dragged against their west edge, its east edge stays west of 110° E, so no basemap's drawing
// of the Hoang Sa archipelago (from 111.2° E) or the Truong Sa archipelago (further south and
// east) is ever in view.
//
// The page's state for scripts and tests: #map[data-state] is "loading", "ready" or "failed";
// #map[data-sites] the number of sites shown, #map[data-routes] of routes, #map[data-areas] the areas drawn with a boundary,
// #map[data-on] the day drawn, #map[data-basemap] "none", "loaded" or "unreachable",
// #map[data-view] the view's "south,west,north,east" in degrees and #map[data-zoom] its zoom.
import { L } from "./vendor/leaflet.mjs";
import { bilingual, getJson } from "./page.mjs";
import { dayWords, numberWords, text } from "./text.mjs";

const HUE = [16.35, 107.6];
/** Hue (15.99-16.75 N, 107.01-108.22 E) with a margin of about 20 km. */
const MAX_BOUNDS = L.latLngBounds([15.8, 106.8], [16.95, 108.45]);
/** No view reaches east of this meridian: the westernmost island of Hoang Sa is at 111.2° E. */
const EAST_LIMIT = 110;
const MIN_ZOOM = 9;
const element = document.getElementById("map");
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

const map = L.map(element, {
  center: HUE, zoom: MIN_ZOOM, minZoom: MIN_ZOOM, maxZoom: 18, maxBounds: MAX_BOUNDS,
  maxBoundsViscosity: 1,
  // A pinch neither zooms out past the lowest zoom for a moment nor pans the view while it
  // lasts (the bounds are enforced only when a move ends): it zooms about the view's centre.
  bounceAtZoomLimits: false, touchZoom: "center",
});

/** The zoom buttons' titles in the page's language (Leaflet writes its own in English). */
function titleZoom() {
  const lang = document.documentElement.lang === "en" ? 1 : 0;
  for (const [selector, key] of [[".leaflet-control-zoom-in", "map.zoom_in"], [".leaflet-control-zoom-out", "map.zoom_out"]]) {
    const button = element.querySelector(selector);
    button.title = text(key)[lang];
    button.setAttribute("aria-label", button.title);
  }
}
titleZoom();
new MutationObserver(titleZoom).observe(document.documentElement, { attributes: true, attributeFilter: ["lang"] });

/**
 * The lowest zoom (not below MIN_ZOOM) at which the view is at most as wide as the span from
 * MAX_BOUNDS' west edge to EAST_LIMIT. A view wider than the bounds is centred on them, and a drag
 * moves it at most until the bounds' west edge meets its own, so its east edge stays west of
 * EAST_LIMIT either way; a narrower view stays inside the bounds.
 */
function lowestZoom() {
  const widest = (EAST_LIMIT - MAX_BOUNDS.getWest()) / 360 * 256; // pixels at zoom 0
  return Math.max(MIN_ZOOM, Math.ceil(Math.log2(map.getSize().x / widest)));
}

function showView() {
  const view = map.getBounds();
  element.dataset.view = [view.getSouth(), view.getWest(), view.getNorth(), view.getEast()]
    .map((degrees) => degrees.toFixed(4)).join(",");
  element.dataset.zoom = String(map.getZoom());
}
map.setMinZoom(lowestZoom());
map.on("resize", () => map.setMinZoom(lowestZoom()));
map.on("move zoomend", showView);
showView();
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
map.createPane("routes").style.zIndex = "450"; // above the areas (400), below the markers (600)
const ROUTE_STYLES = {
  aerial: { color: "#6a2c91", weight: 4, opacity: 0.9 },
  underground: { color: "#a34d00", weight: 4, opacity: 0.9, dashArray: "8 6" },
};
const routes = L.layerGroup().addTo(map);
let dayRoutes = [];
let daySites = [];
let boundarySource = "";

function areaWords(code) {
  const area = areaNames.get(code);
  return area ? [area.name_vi, area.name_en] : [code, code];
}

/** A `dt` worded by the message `key`, and its `dd`. */
function fact(list, key, value) {
  list.append(both("dt", text(key)));
  const dd = document.createElement("dd");
  if (Array.isArray(value)) bilingual(dd, value);
  else dd.append(value);
  list.append(dd);
}

/** An operator by its registry name, or words saying the registry does not name it. */
function operatorWords(name) {
  return name ? [name, name] : text("map.unnamed");
}

/** The tenants by their registry names (`tenant_names`), in both languages. */
function tenantWords(names) {
  const words = names.map(operatorWords);
  return [0, 1].map((lang) => words.map((pair) => pair[lang]).join(", "));
}

async function fillHistory(list, siteId) {
  try {
    const answer = await getJson(`/v1/map/sites/${encodeURIComponent(siteId)}/history`);
    list.replaceChildren(...answer.versions.map((version) => {
      const item = document.createElement("li");
      const link = document.createElement("a");
      link.href = version.record;
      const day = dayWords(version.as_of);
      const status = text(`map.status_${version.status}`);
      bilingual(link, [0, 1].map((lang) => `${day[lang]}: ${status[lang]}`));
      item.append(link);
      return item;
    }));
  } catch (error) {
    list.replaceChildren(both("li", text("map.load_failed")));
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
  fact(list, "map.operator", operatorWords(p.operator_name));
  if (p.tenants.length) fact(list, "map.tenants", tenantWords(p.tenant_names));
  fact(list, "map.status", text(`map.status_${p.status}`));
  if (p.out_of_service) {
    const since = dayWords(p.out_of_service.since);
    const reason = text(`map.reason_${p.out_of_service.reason}`);
    fact(list, "map.out_of_service_since", [0, 1].map((lang) => `${since[lang]} (${reason[lang]})`));
  }
  fact(list, "map.technologies", p.technologies.join(", "));
  fact(list, "map.structure", text(`map.structure_${p.structure}`));
  fact(list, "map.height", numberWords(p.height_m).map((height) => `${height} m`));
  fact(list, "map.area", areaWords(p.area));
  fact(list, "map.as_of", dayWords(p.as_of));
  if (p.commissioned) fact(list, "map.commissioned", dayWords(p.commissioned));
  const history = document.createElement("ol");
  history.className = "site-history";
  history.append(both("li", text("map.loading")));
  const verify = document.createElement("a");
  verify.className = "badge verify";
  verify.href = p.record;
  bilingual(verify, text("map.verify"));
  box.append(title, list, both("h4", text("map.history")), history, verify);
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

/** The popup of a cable route: owner, kind, shared poles or ducts, tenants, length, verification. */
function routePopup(feature) {
  const p = feature.properties;
  const box = document.createElement("div");
  box.className = "route-popup";
  const title = document.createElement("h3");
  title.textContent = p.route_id;
  const list = document.createElement("dl");
  list.className = "fields";
  const row = (label, value) => {
    list.append(both("dt", label));
    const dd = document.createElement("dd");
    if (Array.isArray(value)) bilingual(dd, value);
    else dd.append(value);
    list.append(dd);
  };
  row(text("map.route_owner"), operatorWords(p.owner_name));
  row(text("map.route_kind"), text(`map.route_${p.kind}`));
  row(text("map.route_shared"), text(p.shared ? `map.route_shared_${p.shared}` : "map.route_not_shared"));
  if (p.tenants.length) row(text("map.route_tenants"), tenantWords(p.tenant_names));
  row(text("map.route_length"), numberWords(p.length_m).map((length) => `${length} m`));
  row(text("map.status"), text(`map.status_${p.status}`));
  const crossed = p.areas.map(areaWords);
  row(text("map.route_areas"), [0, 1].map((lang) => crossed.map((pair) => pair[lang]).join(", ")));
  row(text("map.as_of"), dayWords(p.as_of));
  const verify = document.createElement("a");
  verify.className = "badge verify";
  verify.href = p.record;
  bilingual(verify, text("map.verify"));
  box.append(title, list, verify);
  return box;
}

function routeLine(feature) {
  const line = L.geoJSON(feature, {
    pane: "routes",
    style: () => ({ ...ROUTE_STYLES[feature.properties.kind], className: `route-line route-${feature.properties.kind}` }),
  });
  line.bindPopup(() => routePopup(feature), { maxWidth: 300, autoPan: false });
  return line;
}

function routeShown(feature) {
  const p = feature.properties;
  return (!fields.operator.value || p.owner === fields.operator.value)
    && (!fields.status.value || p.status === fields.status.value);
}

function drawRoutes() {
  const chosen = dayRoutes.filter(routeShown);
  routes.clearLayers();
  for (const item of chosen) routes.addLayer(item.line);
  element.dataset.routes = String(chosen.length);
}

/** The legend: what a site marker and each kind of route line look like. */
function legend() {
  const control = L.control({ position: "topright" });
  control.onAdd = () => {
    const box = L.DomUtil.create("div", "leaflet-control map-legend");
    Object.assign(box.style, { background: "#fff", padding: "0.3rem 0.5rem", borderRadius: "4px",
                               boxShadow: "0 1px 4px rgba(0, 0, 0, 0.4)", fontSize: "0.8rem" });
    const heading = both("strong", text("map.legend"));
    const list = document.createElement("ul");
    Object.assign(list.style, { listStyle: "none", margin: "0.2rem 0 0", padding: "0" });
    const sample = (draw) => {
      const svg = document.createElementNS("http://www.w3.org/2000/svg", "svg");
      svg.setAttribute("width", "28");
      svg.setAttribute("height", "10");
      svg.setAttribute("aria-hidden", "true");
      svg.style.marginRight = "0.3rem";
      svg.append(draw());
      return svg;
    };
    const entry = (key, draw, name) => {
      const item = document.createElement("li");
      item.dataset.legend = name;
      const label = document.createElement("span");
      bilingual(label, text(key));
      item.append(sample(draw), label);
      list.append(item);
    };
    const svgNode = (tag, attributes) => {
      const node = document.createElementNS("http://www.w3.org/2000/svg", tag);
      for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
      return node;
    };
    entry("map.legend_sites", () => svgNode("circle", { cx: "14", cy: "5", r: "4", fill: "#0b4f8a", stroke: "#fff" }), "sites");
    for (const kind of ["aerial", "underground"]) {
      const style = ROUTE_STYLES[kind];
      entry(`map.route_${kind}`, () => svgNode("line", {
        x1: "1", y1: "5", x2: "27", y2: "5", stroke: style.color, "stroke-width": "3",
        ...(style.dashArray ? { "stroke-dasharray": "6 4" } : {}),
      }), `route-${kind}`);
    }
    box.append(heading, list);
    return box;
  };
  return control;
}
legend().addTo(map);

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
  bilingual(document.getElementById("map-count"), text("map.sites_shown", { count: chosen.length }));
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
  if (!note.hidden) bilingual(note, text("map.outline_only"));
  // The repository and its licence: the data's own provenance line (`source`) is English.
  const repository = document.createElement("a");
  repository.href = collection.source_url;
  repository.textContent = collection.source_url.replace(/^https?:\/\//, "");
  document.getElementById("boundary-source").replaceChildren(repository, ` (${collection.licence})`);
  const attribution = text("map.boundaries").map((words, lang) => {
    const code = lang === 0 ? "vi" : "en";
    return `<span class="l-${code}" lang="${code}">${escapeHtml(`${words}: ${collection.licence}`)}</span>`;
  }).join("");
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
    const [areas, found, lines] = await Promise.all([
      getJson(`/v1/map/areas.geojson${query}`), getJson(`/v1/map/sites.geojson${query}`),
      getJson(`/v1/map/routes.geojson${query}`),
    ]);
    if (fields.on.value !== day) return; // a later date was chosen meanwhile
    drawAreas(areas);
    daySites = found.features.map((feature) => ({ properties: feature.properties, marker: marker(feature) }));
    dayRoutes = lines.features.map((feature) => ({ properties: feature.properties, line: routeLine(feature) }));
    fillOperators([...daySites, ...dayRoutes.map((item) => ({
      properties: { operator: item.properties.owner, operator_name: item.properties.owner_name },
    }))]);
    drawSites();
    drawRoutes();
    element.dataset.on = day;
    element.dataset.state = "ready";
  } catch (error) {
    element.dataset.state = "failed";
    bilingual(document.getElementById("map-count"), text("map.load_failed"));
  }
}

form.addEventListener("submit", (event) => event.preventDefault());
fields.on.addEventListener("change", load);
for (const name of ["operator", "technology", "status"]) {
  fields[name].addEventListener("change", drawSites);
}
for (const name of ["operator", "status"]) {
  fields[name].addEventListener("change", drawRoutes);
}
relabel();
load();

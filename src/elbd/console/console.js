// elbd's web console: plain DOM, no framework, no build step. It calls elbd's own API with the token the
// identity API gave at sign-in (kept in sessionStorage: this tab only). Every value from the API reaches
// the page as text (textContent, or text nodes through el()); nothing is parsed as HTML.
"use strict";

const POLL_MS = 3000;
const SESSION_KEYS = ["elbd.token", "elbd.project_id", "elbd.user"];
const LIMIT = "?limit=2000";

const state = { lbs: [], listeners: [], pools: [], members: [], monitors: [], subnets: [], zones: [] };
let view = null; // the detail pane shown: {key, update}
let polling = null;
let treeShape = "";

// ---- DOM helpers (text only) ----

function el(tag, attributes, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (name === "text") node.textContent = String(value);
    else if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
    else node.setAttribute(name, value === true ? "" : String(value));
  }
  for (const child of children) {
    if (child !== null && child !== undefined && child !== false) node.append(child);
  }
  return node;
}

function shown(value) {
  return value === null || value === undefined || value === "" ? "—" : String(value);
}

function byId(id) {
  return document.getElementById(id);
}

function fill(container, ...children) {
  container.replaceChildren(...children.filter((child) => child !== null && child !== undefined));
}

function link(route, text) {
  return el("a", { href: "#/" + route.map(encodeURIComponent).join("/") }, shown(text));
}

function statusBadge(status) {
  return el("span", { class: "badge badge-" + String(status || "unknown").toLowerCase().replace(/[^a-z_]/g, "") }, shown(status));
}

function definitionList(pairs) {
  const list = el("dl", { class: "facts" });
  for (const [term, value] of pairs) {
    list.append(el("dt", { text: term }), el("dd", {}, value instanceof Node ? value : shown(value)));
  }
  return list;
}

function table(caption, headings, rows, empty) {
  if (rows.length === 0) return el("p", { class: "empty" }, empty);
  const head = el("tr", {}, ...headings.map((heading) => el("th", { scope: "col", text: heading })));
  const body = el("tbody", {}, ...rows.map((cells) => el("tr", {}, ...cells.map((cell) => el("td", {}, cell instanceof Node ? cell : shown(cell))))));
  return el("table", {}, el("caption", { text: caption }), el("thead", {}, head), body);
}

// ---- messages ----

function showError(error) {
  const alert = byId("alert");
  alert.textContent = error instanceof ApiError ? error.text() : "Error: " + String(error && error.message ? error.message : error);
  alert.classList.add("visible");
}

function clearMessages() {
  byId("alert").textContent = "";
  byId("alert").classList.remove("visible");
  byId("notice").textContent = "";
}

function notify(text) {
  byId("notice").textContent = text;
}

// ---- the API ----

class ApiError extends Error {
  constructor(status, body, raw) {
    super("HTTP " + status);
    this.status = status;
    this.body = body;
    this.raw = raw;
  }

  text() {
    const body = this.body || {};
    const keystone = body.error && typeof body.error === "object" ? body.error : {};
    const code = body.error_code || keystone.code || "";
    const message = body.error_msg || keystone.message || (typeof body.detail === "string" ? body.detail : "") || this.raw || "";
    return "Error " + this.status + (code ? " " + code : "") + ": " + message;
  }
}

function session() {
  return { token: sessionStorage.getItem("elbd.token"), projectId: sessionStorage.getItem("elbd.project_id"), user: sessionStorage.getItem("elbd.user") };
}

async function call(method, path, body, extraHeaders) {
  const headers = { Accept: "application/json", ...(extraHeaders || {}) };
  const token = session().token;
  if (token) headers["X-Auth-Token"] = token;
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const response = await fetch(path, {
    method, headers, body: body === undefined ? undefined : JSON.stringify(body), credentials: "omit", cache: "no-store", redirect: "error",
  });
  const raw = await response.text();
  let parsed = null;
  try {
    parsed = raw ? JSON.parse(raw) : null;
  } catch (_ignored) {
    parsed = null;
  }
  if (!response.ok) throw new ApiError(response.status, parsed, raw);
  return { body: parsed, headers: response.headers };
}

function elb(path) {
  return "/v3/" + encodeURIComponent(session().projectId) + "/elb/" + path;
}

function id(value) {
  return encodeURIComponent(value);
}

async function loadLists() {
  const [lbs, listeners, pools, members, monitors] = await Promise.all([
    call("GET", elb("loadbalancers" + LIMIT)), call("GET", elb("listeners" + LIMIT)), call("GET", elb("pools" + LIMIT)),
    call("GET", elb("members" + LIMIT)), call("GET", elb("healthmonitors" + LIMIT)),
  ]);
  state.lbs = lbs.body.loadbalancers;
  state.listeners = listeners.body.listeners;
  state.pools = pools.body.pools;
  state.members = members.body.members;
  state.monitors = monitors.body.healthmonitors;
}

async function loadChoices() {
  const [subnets, zones] = await Promise.all([
    call("GET", "/v1/" + encodeURIComponent(session().projectId) + "/subnets"), call("GET", elb("availability-zones")),
  ]);
  state.subnets = subnets.body.subnets;
  state.zones = zones.body.availability_zones.flat();
}

// ---- relations ----

const find = (list, wanted) => list.find((item) => item.id === wanted);
const refersTo = (refs, wanted) => (refs || []).some((ref) => ref.id === wanted);
const listenersOf = (lbId) => state.listeners.filter((listener) => refersTo(listener.loadbalancers, lbId));
const poolsOfListener = (listenerId) => state.pools.filter((pool) => refersTo(pool.listeners, listenerId));
const loosePoolsOf = (lbId) => state.pools.filter((pool) => refersTo(pool.loadbalancers, lbId) && (pool.listeners || []).length === 0);
const membersOf = (poolId) => state.members.filter((member) => member.pool_id === poolId);
const lbOfListener = (listener) => find(state.lbs, ((listener.loadbalancers || [])[0] || {}).id);

// ---- the tree ----

function renderTree() {
  const shape = JSON.stringify([state.lbs, state.listeners, state.pools, state.members].map((list) => list.map(
    (item) => [item.id, item.name, item.operating_status, item.pool_id, item.listeners, item.loadbalancers, item.protocol_port])));
  if (shape === treeShape) return;
  treeShape = shape;
  const focused = document.activeElement && byId("tree").contains(document.activeElement) ? document.activeElement.getAttribute("href") : null;
  const memberItem = (member) => el("li", {}, link(["member", member.pool_id, member.id], member.name || member.address + ":" + member.protocol_port),
    " ", statusBadge(member.operating_status));
  const poolItem = (pool) => el("li", {}, link(["pool", pool.id], "pool " + (pool.name || pool.id.slice(0, 8))),
    el("ul", {}, ...membersOf(pool.id).map(memberItem)));
  const listenerItem = (listener) => el("li", {}, link(["listener", listener.id], listener.protocol + ":" + listener.protocol_port + " " + listener.name),
    el("ul", {}, ...poolsOfListener(listener.id).map(poolItem)));
  const lbItem = (lb) => el("li", {}, link(["loadbalancer", lb.id], (lb.name || lb.id.slice(0, 8)) + " " + shown(lb.vip_address)),
    " ", statusBadge(lb.operating_status),
    el("ul", {}, ...listenersOf(lb.id).map(listenerItem), ...loosePoolsOf(lb.id).map(poolItem)));
  fill(byId("tree"), state.lbs.length ? el("ul", { class: "tree" }, ...state.lbs.map(lbItem)) : el("p", { text: "No load balancer yet." }));
  markCurrent();
  if (focused) {
    const again = Array.from(byId("tree").querySelectorAll("a")).find((anchor) => anchor.getAttribute("href") === focused);
    if (again) again.focus();
  }
}

function markCurrent() {
  for (const anchor of document.querySelectorAll("#tree a, .layout nav a")) {
    if (anchor.getAttribute("href") === (location.hash || "#/")) anchor.setAttribute("aria-current", "page");
    else anchor.removeAttribute("aria-current");
  }
}

// ---- forms ----

function field(label, input) {
  const inputId = "f-" + Math.random().toString(36).slice(2);
  input.id = inputId;
  return el("div", { class: "field" }, el("label", { for: inputId, text: label }), input);
}

function select(name, options, selected) {
  return el("select", { name }, ...options.map(([value, text]) => el("option", { value, selected: value === selected }, text)));
}

function actionForm(title, fields, submitText, action) {
  const heading = el("h3", { text: title });
  const form = el("form", { class: "action", method: "post", action: "/console" }, heading, ...fields, el("button", { type: "submit", text: submitText }));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearMessages();
    const button = form.querySelector("button[type=submit]");
    button.disabled = true;
    try {
      await action(new FormData(form), form);
    } catch (error) {
      showError(error);
    } finally {
      button.disabled = false;
    }
  });
  return form;
}

function deleteButton(what, path, whereAfter) {
  return el("button", {
    type: "button", class: "danger", text: "Delete " + what,
    onclick: async () => {
      if (!window.confirm("Delete " + what + "?")) return;
      clearMessages();
      try {
        await call("DELETE", path);
        notify("Deleted " + what + ".");
        await refresh();
        location.hash = whereAfter();
      } catch (error) {
        showError(error);
      }
    },
  });
}

const text = (data, name) => String(data.get(name) || "").trim();
const number = (data, name) => Number.parseInt(text(data, name), 10);
function optional(body, name, value) {
  if (value !== "" && !Number.isNaN(value)) body[name] = value;
  return body;
}

// ---- views ----

function heading(title, subtitle) {
  return el("header", { class: "view-head" }, el("h2", { tabindex: "-1", text: title }), subtitle ? el("p", { class: "subtitle", text: subtitle }) : null);
}

function overviewView() {
  const list = el("div");
  const subnetChoices = () => state.subnets.map((subnet) => [subnet.neutron_subnet_id, subnet.name + " (" + subnet.cidr + ")"]);
  const zoneChoices = () => state.zones.map((zone) => [zone.code, zone.code]);
  const form = actionForm("Create a load balancer", [
    field("Name", el("input", { name: "name", maxlength: "255" })),
    field("VIP subnet", select("subnet", subnetChoices())),
    field("Availability zone", select("zone", zoneChoices())),
    field("VIP address (optional)", el("input", { name: "vip_address", inputmode: "decimal" })),
  ], "Create load balancer", async (data) => {
    const body = { name: text(data, "name"), vip_subnet_cidr_id: text(data, "subnet"), availability_zone_list: [text(data, "zone")] };
    optional(body, "vip_address", text(data, "vip_address"));
    const made = (await call("POST", elb("loadbalancers"), { loadbalancer: body })).body.loadbalancer;
    notify("Created load balancer " + shown(made.name) + ".");
    await refresh();
    location.hash = "#/loadbalancer/" + id(made.id);
  });
  return {
    key: "overview",
    nodes: [heading("All load balancers"), list, form],
    update() {
      fill(list, table("Load balancers", ["name", "VIP", "provisioning", "operating", "listeners"], state.lbs.map((lb) => [
        link(["loadbalancer", lb.id], lb.name || lb.id), lb.vip_address, lb.provisioning_status, statusBadge(lb.operating_status), String(listenersOf(lb.id).length),
      ]), "No load balancer yet: create one below."));
    },
  };
}

function loadBalancerView(lbId) {
  const facts = el("div");
  const children = el("div");
  const form = actionForm("Add a listener", [
    field("Name", el("input", { name: "name", maxlength: "255" })),
    field("Protocol", select("protocol", [["HTTP", "HTTP"], ["TCP", "TCP"], ["UDP", "UDP"]], "HTTP")),
    field("Port", el("input", { name: "port", type: "number", min: "1", max: "65535", required: true })),
  ], "Add listener", async (data) => {
    const body = { loadbalancer_id: lbId, name: text(data, "name"), protocol: text(data, "protocol"), protocol_port: number(data, "port") };
    const made = (await call("POST", elb("listeners"), { listener: body })).body.listener;
    notify("Added listener " + made.protocol + ":" + made.protocol_port + ".");
    await refresh();
    location.hash = "#/listener/" + id(made.id);
  });
  return {
    key: "loadbalancer/" + lbId,
    nodes: [heading("Load balancer"), facts, children, form, el("p", {}, deleteButton("this load balancer", elb("loadbalancers/" + id(lbId)), () => "#/"))],
    update() {
      const lb = find(state.lbs, lbId);
      if (!lb) return gone(facts);
      fill(facts, definitionList([["name", lb.name], ["id", lb.id], ["VIP address", lb.vip_address], ["provisioning status", lb.provisioning_status],
        ["operating status", statusBadge(lb.operating_status)], ["availability zones", (lb.availability_zone_list || []).join(", ")]]));
      fill(children, table("Listeners", ["listener", "protocol", "port", "default pool"], listenersOf(lbId).map((listener) => [
        link(["listener", listener.id], listener.name || listener.id), listener.protocol, String(listener.protocol_port),
        listener.default_pool_id ? link(["pool", listener.default_pool_id], listener.default_pool_id.slice(0, 8)) : null,
      ]), "No listener yet."));
    },
  };
}

function listenerView(listenerId) {
  const facts = el("div");
  const children = el("div");
  const form = actionForm("Add a pool", [
    field("Name", el("input", { name: "name", maxlength: "255" })),
    field("Protocol", select("protocol", [["HTTP", "HTTP"], ["TCP", "TCP"], ["UDP", "UDP"]], "HTTP")),
    field("Algorithm", select("algorithm", [["ROUND_ROBIN", "round robin"], ["LEAST_CONNECTIONS", "least connections"], ["SOURCE_IP", "source IP"]], "ROUND_ROBIN")),
  ], "Add pool", async (data) => {
    const body = { listener_id: listenerId, name: text(data, "name"), protocol: text(data, "protocol"), lb_algorithm: text(data, "algorithm") };
    const made = (await call("POST", elb("pools"), { pool: body })).body.pool;
    notify("Added pool " + shown(made.name) + ".");
    await refresh();
    location.hash = "#/pool/" + id(made.id);
  });
  let after = "#/";
  return {
    key: "listener/" + listenerId,
    nodes: [heading("Listener"), facts, children, form,
      el("p", {}, deleteButton("this listener", elb("listeners/" + id(listenerId)), () => after))],
    update() {
      const listener = find(state.listeners, listenerId);
      if (!listener) return gone(facts);
      const lb = lbOfListener(listener);
      after = lb ? "#/loadbalancer/" + id(lb.id) : "#/";
      fill(facts, definitionList([["name", listener.name], ["id", listener.id], ["protocol", listener.protocol], ["port", String(listener.protocol_port)],
        ["load balancer", lb ? link(["loadbalancer", lb.id], lb.name || lb.id) : null]]));
      fill(children, table("Pools", ["pool", "protocol", "algorithm", "members"], poolsOfListener(listenerId).map((pool) => [
        link(["pool", pool.id], pool.name || pool.id), pool.protocol, pool.lb_algorithm, String(membersOf(pool.id).length),
      ]), "No pool yet."));
    },
  };
}

function reasonText(reason) {
  if (!reason) return null;
  return reason.reason_code + " (expected " + shown(reason.expected_response) + ", got " + shown(reason.healthcheck_response) + ")";
}

function trafficText(traffic) {
  if (!traffic) return null;
  return traffic.sessions_current + " open, " + traffic.sessions_total + " total, " + traffic.bytes_in + " B in, " + traffic.bytes_out + " B out";
}

async function trafficOf(poolId) {
  const answer = await call("GET", elb("pools/" + id(poolId) + "/elbd-member-traffic"));
  return new Map(answer.body.member_traffic.map((traffic) => [traffic.member_id, traffic]));
}

function monitorSection(poolId, container) {
  const pool = find(state.pools, poolId);
  const monitor = pool && pool.healthmonitor_id ? find(state.monitors, pool.healthmonitor_id) : null;
  if (monitor && container.dataset.monitor !== monitor.id) {
    fill(container, el("h3", { text: "Health monitor" }), definitionList([["type", monitor.type], ["delay", monitor.delay + " s"],
      ["timeout", monitor.timeout + " s"], ["retries up / down", monitor.max_retries + " / " + monitor.max_retries_down],
      ["URL path", monitor.url_path], ["expected codes", monitor.expected_codes]]),
    deleteButton("this health monitor", elb("healthmonitors/" + id(monitor.id)), () => "#/pool/" + id(poolId)));
    container.dataset.monitor = monitor.id;
  } else if (!monitor && container.dataset.monitor !== "none") {
    container.dataset.monitor = "none";
    fill(container, actionForm("Add a health monitor", [
      field("Type", select("type", [["HTTP", "HTTP"], ["TCP", "TCP"], ["UDP_CONNECT", "UDP"]], "HTTP")),
      field("Delay (s)", el("input", { name: "delay", type: "number", min: "1", max: "50", value: "5", required: true })),
      field("Timeout (s)", el("input", { name: "timeout", type: "number", min: "1", max: "50", value: "3", required: true })),
      field("Retries", el("input", { name: "max_retries", type: "number", min: "1", max: "10", value: "3", required: true })),
      field("URL path (HTTP)", el("input", { name: "url_path", value: "/" })),
    ], "Add health monitor", async (data) => {
      const body = { pool_id: poolId, type: text(data, "type"), delay: number(data, "delay"), timeout: number(data, "timeout"),
        max_retries: number(data, "max_retries") };
      if (body.type === "HTTP") optional(body, "url_path", text(data, "url_path"));
      await call("POST", elb("healthmonitors"), { healthmonitor: body });
      notify("Added a health monitor.");
      await refresh();
    }));
  }
}

function poolView(poolId) {
  const facts = el("div");
  const monitor = el("section", { "aria-label": "Health monitor" });
  const members = el("div");
  const subnetChoices = () => [["", "none (IP target)"], ...state.subnets.map((subnet) => [subnet.neutron_subnet_id, subnet.name + " (" + subnet.cidr + ")"])];
  const subnetSelect = select("subnet", subnetChoices(), (state.subnets[0] || {}).neutron_subnet_id);
  const form = actionForm("Add a member", [
    field("Name", el("input", { name: "name", maxlength: "255" })),
    field("Address", el("input", { name: "address", required: true, inputmode: "decimal" })),
    field("Port", el("input", { name: "port", type: "number", min: "1", max: "65535", required: true })),
    field("Weight", el("input", { name: "weight", type: "number", min: "0", max: "100", value: "1", required: true })),
    field("Subnet", subnetSelect),
  ], "Add member", async (data, formNode) => {
    const body = { name: text(data, "name"), address: text(data, "address"), protocol_port: number(data, "port"), weight: number(data, "weight") };
    optional(body, "subnet_cidr_id", text(data, "subnet"));
    const made = (await call("POST", elb("pools/" + id(poolId) + "/members"), { member: body })).body.member;
    notify("Added member " + made.address + ":" + made.protocol_port + ".");
    formNode.reset();
    await refresh();
  });
  let after = "#/";
  return {
    key: "pool/" + poolId,
    nodes: [heading("Pool"), facts, monitor, members, form, el("p", {}, deleteButton("this pool", elb("pools/" + id(poolId)), () => after))],
    async update() {
      const pool = find(state.pools, poolId);
      if (!pool) return gone(facts);
      const listener = find(state.listeners, ((pool.listeners || [])[0] || {}).id);
      after = listener ? "#/listener/" + id(listener.id) : "#/";
      fill(facts, definitionList([["name", pool.name], ["id", pool.id], ["protocol", pool.protocol], ["algorithm", pool.lb_algorithm],
        ["listener", listener ? link(["listener", listener.id], listener.name || listener.id) : null]]));
      monitorSection(poolId, monitor);
      const traffic = await trafficOf(poolId);
      fill(members, table("Members", ["member", "address", "weight", "operating status", "reason", "traffic"], membersOf(poolId).map((member) => [
        link(["member", poolId, member.id], member.name || member.id.slice(0, 8)), member.address + ":" + member.protocol_port, String(member.weight),
        statusBadge(member.operating_status), reasonText(member.reason), trafficText(traffic.get(member.id)),
      ]), "No member yet."));
    },
  };
}

function memberView(poolId, memberId) {
  const facts = el("div");
  const timeline = el("section", { "aria-labelledby": "timeline-heading" });
  const weight = actionForm("Change the weight", [
    field("New weight (0 to 100; 0 sends it no new connections)", el("input", { name: "weight", type: "number", min: "0", max: "100", required: true })),
  ], "Change weight", async (data) => {
    await call("PUT", elb("pools/" + id(poolId) + "/members/" + id(memberId)), { member: { weight: number(data, "weight") } });
    notify("Changed the weight.");
    await refresh();
  });
  return {
    key: "member/" + poolId + "/" + memberId,
    nodes: [heading("Member"), facts, weight, el("p", {}, deleteButton("this member", elb("pools/" + id(poolId) + "/members/" + id(memberId)), () => "#/pool/" + id(poolId))),
      timeline],
    async update() {
      const member = state.members.find((item) => item.id === memberId && item.pool_id === poolId);
      if (!member) return gone(facts);
      const [traffic, history] = await Promise.all([
        trafficOf(poolId), call("GET", elb("pools/" + id(poolId) + "/members/" + id(memberId) + "/elbd-health-timeline")),
      ]);
      const reason = member.reason || {};
      fill(facts, definitionList([["name", member.name], ["id", member.id], ["address", member.address + ":" + member.protocol_port],
        ["weight", String(member.weight)], ["operating status", statusBadge(member.operating_status)], ["reason", reason.reason_code],
        ["expected response", reason.expected_response], ["actual response", reason.healthcheck_response],
        ["traffic", trafficText(traffic.get(memberId))], ["pool", link(["pool", poolId], poolId.slice(0, 8))]]));
      fill(timeline, el("h3", { id: "timeline-heading", text: "Health timeline" }),
        table("Health transitions, newest first", ["time", "from", "to", "reason", "expected", "actual"], history.body.health_timeline.map((event) => [
          event.time, event.from_status, event.to_status, (event.reason || {}).reason_code, (event.reason || {}).expected_response,
          (event.reason || {}).healthcheck_response,
        ]), "No health transition yet (a member gets them once a health monitor checks it)."));
    },
  };
}

function gone(container) {
  fill(container, el("p", { class: "empty" }, "This resource no longer exists. ", link([], "All load balancers")));
}

function viewFor(hash) {
  const parts = hash.replace(/^#\/?/, "").split("/").filter(Boolean).map(decodeURIComponent);
  switch (parts[0]) {
    case "loadbalancer": return loadBalancerView(parts[1]);
    case "listener": return listenerView(parts[1]);
    case "pool": return poolView(parts[1]);
    case "member": return memberView(parts[1], parts[2]);
    default: return overviewView();
  }
}

async function showView() {
  view = viewFor(location.hash);
  const detail = byId("detail");
  fill(detail, ...view.nodes);
  markCurrent();
  try {
    await view.update();
  } catch (error) {
    handleFailure(error);
  }
  const title = detail.querySelector("h2");
  if (title) title.focus();
}

// ---- refreshing ----

async function refresh() {
  await loadLists();
  renderTree();
  if (view) await view.update();
  byId("refreshed").textContent = "Updated " + new Date().toLocaleTimeString();
}

function handleFailure(error) {
  if (error instanceof ApiError && error.status === 401) {
    endSession();
    showError(error);
    return;
  }
  showError(error);
}

function poll() {
  polling = window.setTimeout(async () => {
    try {
      await refresh();
    } catch (error) {
      handleFailure(error);
    }
    if (polling !== null) poll();
  }, POLL_MS);
}

// ---- signing in and out ----

async function signIn(event) {
  event.preventDefault();
  clearMessages();
  const name = byId("user-name").value.trim();
  const password = byId("password").value;
  const body = { auth: { identity: { methods: ["password"], password: { user: { name, password, domain: { name } } } }, scope: { project: { name } } } };
  try {
    const answer = await call("POST", "/v3/auth/tokens", body);
    sessionStorage.setItem("elbd.token", answer.headers.get("X-Subject-Token"));
    sessionStorage.setItem("elbd.project_id", answer.body.token.project.id);
    sessionStorage.setItem("elbd.user", answer.body.token.user.name);
    byId("password").value = "";
    await startSession();
  } catch (error) {
    showError(error);
  }
}

async function signOut() {
  clearMessages();
  const token = session().token;
  try {
    if (token) await call("DELETE", "/v3/auth/tokens", undefined, { "X-Subject-Token": token });
  } catch (_ignored) {
    // the token is forgotten here whatever the server said (it may have expired already)
  }
  endSession();
  notify("Signed out.");
}

function endSession() {
  for (const key of SESSION_KEYS) sessionStorage.removeItem(key);
  if (polling !== null) window.clearTimeout(polling);
  polling = null;
  view = null;
  treeShape = "";
  for (const list of Object.keys(state)) state[list] = [];
  fill(byId("tree"));
  fill(byId("detail"));
  byId("console-view").hidden = true;
  byId("sign-in-view").hidden = false;
  byId("sign-out").hidden = true;
  byId("who").hidden = true;
  byId("user-name").focus();
}

async function startSession() {
  byId("sign-in-view").hidden = true;
  byId("console-view").hidden = false;
  byId("sign-out").hidden = false;
  byId("who").hidden = false;
  byId("who").textContent = "Project " + session().user;
  try {
    await Promise.all([loadChoices(), loadLists()]);
    renderTree();
    await showView();
    poll();
  } catch (error) {
    handleFailure(error);
  }
}

document.addEventListener("DOMContentLoaded", () => {
  byId("sign-in-form").addEventListener("submit", signIn);
  byId("sign-out").addEventListener("click", signOut);
  window.addEventListener("hashchange", () => {
    if (session().token) {
      clearMessagesOnNavigation();
      showView();
    }
  });
  if (session().token) startSession();
  else byId("user-name").focus();
});

function clearMessagesOnNavigation() {
  byId("alert").textContent = "";
  byId("alert").classList.remove("visible");
}

// A workflow drawn as SVG: steps as nodes in layers (a step one layer right of its latest dependency), dependsOn
// as arrows; paint() colours each node with a step status.
import { svg } from "../api.js";

const W = 150, H = 52, GAP_X = 48, GAP_Y = 18, PAD = 12, ARC = 34;

export function layers(steps) {
  const byId = Object.fromEntries(steps.map((s) => [s.id, s]));
  const layer = {};
  const visit = (id, seen) => {
    if (layer[id] !== undefined) return layer[id];
    if (seen.has(id)) return 0; // a cycle: the definition is refused by the service anyway
    seen.add(id);
    const deps = (byId[id] && byId[id].dependsOn || []).filter((d) => byId[d]);
    layer[id] = deps.length ? 1 + Math.max(...deps.map((d) => visit(d, seen))) : 0;
    return layer[id];
  };
  steps.forEach((s) => visit(s.id, new Set()));
  return layer;
}

/** An <svg> of the steps; its nodes are g.node[data-step-id]. */
export function draw(steps, label) {
  const layer = layers(steps);
  const columns = [];
  steps.forEach((s) => (columns[layer[s.id]] = columns[layer[s.id]] || []).push(s));
  // an arrow that skips columns arcs above the boxes between: room for it on top
  const long = steps.some((s) => (s.dependsOn || []).some((d) => layer[d] !== undefined && layer[s.id] - layer[d] > 1));
  const top = PAD + (long ? ARC : 0);
  const pos = {};
  columns.forEach((column, x) => column.forEach((s, y) => {
    pos[s.id] = { x: PAD + x * (W + GAP_X), y: top + y * (H + GAP_Y) };
  }));
  const width = PAD * 2 + Math.max(1, columns.length) * (W + GAP_X) - GAP_X;
  const height = top + PAD + Math.max(1, ...columns.map((c) => c.length)) * (H + GAP_Y) - GAP_Y;
  const edges = [];
  steps.forEach((s) => (s.dependsOn || []).filter((d) => pos[d]).forEach((d) => {
    const a = pos[d], b = pos[s.id];
    const x1 = a.x + W, y1 = a.y + H / 2, x2 = b.x - 4, y2 = b.y + H / 2, mx = (x1 + x2) / 2;
    const path = layer[s.id] - layer[d] > 1
      ? `M${a.x + W / 2},${a.y} C${a.x + W / 2},${top - ARC} ${b.x + W / 2},${top - ARC} ${b.x + W / 2},${b.y - 4}`
      : `M${x1},${y1} C${mx},${y1} ${mx},${y2} ${x2},${y2}`;
    edges.push(svg("path", { class: "edge", "data-from": d, "data-to": s.id, "marker-end": "url(#arrow)", d: path }));
  }));
  const nodes = steps.map((s) => svg("g", { class: "node pending", "data-step-id": s.id,
    transform: `translate(${pos[s.id].x},${pos[s.id].y})` },
    svg("rect", { width: W, height: H, rx: 8 }),
    svg("text", { x: 10, y: 21, class: "node-name" }, clip(s.id, 18)),
    svg("text", { x: 10, y: 40, class: "node-status" }, (s.type || "step") + (s.approval ? " · approval" : ""))));
  return svg("svg", { id: "workflow-graph", viewBox: `0 0 ${width} ${height}`, role: "img", "aria-label": label,
    width, class: "graph-svg" },
  svg("defs", {}, svg("marker", { id: "arrow", viewBox: "0 0 10 10", refX: 9, refY: 5, markerWidth: 7, markerHeight: 7,
    orient: "auto-start-reverse" }, svg("path", { d: "M0,0 L10,5 L0,10 z", class: "arrow" }))),
  ...edges, ...nodes);
}

function clip(text, n) {
  return text.length > n ? text.substring(0, n - 1) + "…" : text;
}

/** statuses: stepId → started | succeeded | failed | skipped | waiting_approval | cancelled */
export function paint(graph, steps, statuses) {
  graph.querySelectorAll("g.node").forEach((node) => {
    const id = node.getAttribute("data-step-id");
    const status = statuses[id] || "pending";
    node.setAttribute("class", "node " + status);
    const step = steps.find((s) => s.id === id) || {};
    node.querySelector(".node-status").textContent = status === "pending"
      ? (step.type || "step") + (step.approval ? " · approval" : "")
      : status === "started" ? "running" : status.replace("_", " ");
  });
}

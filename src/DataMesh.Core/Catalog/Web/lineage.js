// The lineage graph: a layered layout computed here (upstream layers to the left of the product, downstream layers
// to the right, one column per hop) drawn as SVG. Every other product is a link (Tab reaches it, Enter opens it).

import { h, svg, productHref } from './dom.js';

const NODE_WIDTH = 220;
const NODE_HEIGHT = 46;
const COLUMN_GAP = 84;
const ROW_GAP = 18;
const PADDING = 12;
const MAX_LABEL = 28;

/**
 * Places the nodes of a lineage answer: layer -hops for upstream, 0 for the product, +hops for downstream; within a
 * layer, ordered by the mean row of their neighbours in the layer nearer the product (one barycentre sweep outwards),
 * then by id. Returns { nodes: [{ id, layer, row, x, y, side, hops }], edges, width, height }.
 */
export function layoutLineage(lineage) {
  const nodes = new Map();
  nodes.set(lineage.productId, { id: lineage.productId, layer: 0, side: 'self', hops: 0 });
  for (const node of lineage.nodes) {
    if (!nodes.has(node.productId)) {
      const layer = node.direction === 'upstream' ? -node.hops : node.hops;
      nodes.set(node.productId, { id: node.productId, layer, side: node.direction, hops: node.hops });
    }
  }
  const edges = lineage.edges.filter((e) => nodes.has(e.upstream) && nodes.has(e.downstream));
  const neighbours = new Map([...nodes.keys()].map((id) => [id, []]));
  for (const edge of edges) {
    neighbours.get(edge.upstream).push(edge.downstream);
    neighbours.get(edge.downstream).push(edge.upstream);
  }

  const layers = new Map();
  for (const node of nodes.values()) {
    if (!layers.has(node.layer)) {
      layers.set(node.layer, []);
    }
    layers.get(node.layer).push(node);
  }
  const order = [...layers.keys()].sort((a, b) => Math.abs(a) - Math.abs(b) || a - b);
  for (const layer of order) {
    const members = layers.get(layer);
    const inner = layer === 0 ? null : layer - Math.sign(layer);
    const score = (node) => {
      if (inner === null) {
        return 0;
      }
      const rows = neighbours.get(node.id).map((id) => nodes.get(id)).filter((n) => n.layer === inner).map((n) => n.row);
      return rows.length ? rows.reduce((a, b) => a + b, 0) / rows.length : Number.MAX_SAFE_INTEGER;
    };
    members.sort((a, b) => score(a) - score(b) || a.id.localeCompare(b.id));
    members.forEach((node, row) => { node.row = row; });
  }

  const layerKeys = [...layers.keys()].sort((a, b) => a - b);
  const minLayer = layerKeys[0];
  const tallest = Math.max(...[...layers.values()].map((m) => m.length));
  const height = PADDING * 2 + tallest * NODE_HEIGHT + (tallest - 1) * ROW_GAP;
  const width = PADDING * 2 + layerKeys.length * NODE_WIDTH + (layerKeys.length - 1) * COLUMN_GAP;
  for (const [layer, members] of layers) {
    const column = layerKeys.indexOf(layer);
    const used = members.length * NODE_HEIGHT + (members.length - 1) * ROW_GAP;
    const top = (height - used) / 2;
    for (const node of members) {
      node.x = PADDING + column * (NODE_WIDTH + COLUMN_GAP);
      node.y = top + node.row * (NODE_HEIGHT + ROW_GAP);
    }
  }
  return { nodes: [...nodes.values()], edges, width, height, minLayer };
}

function label(text) {
  return text.length > MAX_LABEL ? `${text.slice(0, MAX_LABEL - 1)}…` : text;
}

function edgePath(from, to) {
  const x1 = from.x + NODE_WIDTH;
  const y1 = from.y + NODE_HEIGHT / 2;
  const x2 = to.x;
  const y2 = to.y + NODE_HEIGHT / 2;
  const bend = Math.max(30, Math.abs(x2 - x1) / 2);
  return `M${x1},${y1} C${x1 + bend},${y1} ${x2 - bend},${y2} ${x2 - 6},${y2}`;
}

function nodeLabel(node) {
  if (node.side === 'self') {
    return `${node.id} (this product)`;
  }
  return `${node.id} (${node.side}, ${node.hops} hop${node.hops === 1 ? '' : 's'})`;
}

function drawNode(node) {
  const dot = node.id.indexOf('.');
  const domain = dot > 0 ? node.id.slice(0, dot) : '';
  const name = dot > 0 ? node.id.slice(dot + 1) : node.id;
  const body = [
    svg('title', null, nodeLabel(node)),
    svg('rect', { x: node.x, y: node.y, width: NODE_WIDTH, height: NODE_HEIGHT, rx: 8, ry: 8, class: 'node-box' }),
    svg('text', { x: node.x + 12, y: node.y + 19, class: 'node-name' }, label(name)),
    svg('text', { x: node.x + 12, y: node.y + 36, class: 'node-domain' }, `${label(domain)} · ${node.side === 'self' ? 'this product' : node.side}`),
  ];
  if (node.side === 'self') {
    return svg('g', { class: 'node node-self', 'data-product': node.id, 'aria-current': 'page', role: 'img', 'aria-label': nodeLabel(node) }, body);
  }
  return svg('a', { href: productHref(node.id), class: ['node', `node-${node.side}`], 'data-product': node.id, 'aria-label': nodeLabel(node) }, body);
}

/** The graph (SVG) and, under it, the same products as lists of links, grouped by side and hop. */
export function renderLineage(lineage) {
  const layout = layoutLineage(lineage);
  const byId = new Map(layout.nodes.map((n) => [n.id, n]));
  const titleId = `lineage-title-${Math.random().toString(36).slice(2, 8)}`;
  const graph = svg('svg', {
    class: 'lineage-graph',
    viewBox: `0 0 ${layout.width} ${layout.height}`,
    width: layout.width,
    height: layout.height,
    role: 'group',
    'aria-labelledby': titleId,
    'data-testid': 'lineage-graph',
  },
  svg('title', { id: titleId }, `Lineage of ${lineage.productId}: ${layout.nodes.length - 1} related product(s)`),
  svg('defs', null,
    svg('marker', { id: 'arrow', viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: 8, markerHeight: 8, orient: 'auto-start-reverse' },
      svg('path', { d: 'M0,0 L10,5 L0,10 z', class: 'arrow-head' }))),
  svg('g', { class: 'edges' }, layout.edges.map((edge) => svg('path', {
    d: edgePath(byId.get(edge.upstream), byId.get(edge.downstream)),
    class: ['edge', edge.observed ? 'edge-observed' : 'edge-declared'],
    'marker-end': 'url(#arrow)',
    'data-edge': `${edge.upstream}->${edge.downstream}`,
  }, svg('title', null, `${edge.upstream} → ${edge.downstream} (${[edge.declared && 'declared', edge.observed && 'observed', edge.status && edge.status !== 'current' && edge.status].filter(Boolean).join(', ')})`)))),
  svg('g', { class: 'nodes' }, [...layout.nodes].sort((a, b) => a.x - b.x || a.y - b.y).map(drawNode)));

  const side = (name) => {
    const members = layout.nodes.filter((n) => n.side === name).sort((a, b) => a.hops - b.hops || a.id.localeCompare(b.id));
    return h('div', { class: 'lineage-list' },
      h('h3', null, name === 'upstream' ? 'Upstream (reads from)' : 'Downstream (read by)'),
      members.length
        ? h('ul', null, members.map((n) => h('li', null, h('a', { href: productHref(n.id) }, n.id), ` · ${n.hops} hop${n.hops === 1 ? '' : 's'}`, versionStatus(lineage, n, name))))
        : h('p', { class: 'muted' }, name === 'upstream' ? 'None: this product reads landing files only.' : 'None: no product reads this one yet.'));
  };

  return h('div', { class: 'lineage' },
    h('div', { class: 'lineage-canvas' }, graph),
    h('p', { class: 'legend' },
      h('span', { class: 'legend-item legend-observed' }, 'observed in a release'),
      h('span', { class: 'legend-item legend-declared' }, 'declared in the spec only'),
      'Data flows left to right. Select a product to open it.'),
    h('div', { class: 'lineage-lists' }, side('upstream'), side('downstream')));
}

// A direct neighbour's declared range judged against its upstream's newest version (the catalog's edge status): a
// consumer pinned on an older version is "behind its upstream"; "unsatisfied" when nothing published is in its range.
function versionStatus(lineage, node, side) {
  if (node.hops !== 1) return null;
  const edge = lineage.edges.find((e) => side === 'downstream'
    ? e.upstream === lineage.productId && e.downstream === node.id
    : e.downstream === lineage.productId && e.upstream === node.id);
  if (!edge || !edge.status || edge.status === 'current') return null;
  const consumer = side === 'downstream' ? node.id : lineage.productId;
  const text = edge.status === 'behind'
    ? ` · ${consumer} is behind its upstream (reads ${edge.versions}, upstream at ${edge.upstreamVersion})`
    : ` · ${consumer} reads ${edge.versions}: nothing published in that range (upstream at ${edge.upstreamVersion})`;
  return h('span', { class: 'badge badge-warn', 'data-edge-status': edge.status }, text);
}

// The network picture: a force layout of /network, nodes by sector, edges by kind, zoom and drag.
import {forceSimulation, forceLink, forceManyBody, forceCenter, forceCollide} from 'd3-force';
import {select} from 'd3-selection';
import {zoom, zoomIdentity} from 'd3-zoom';
import {drag} from 'd3-drag';
import {schemeTableau10} from 'd3-scale-chromatic';
import {h, words} from './dom.js';
import {sectorName} from './reference.js';

export const SECTORS = ['civil_society', 'academia', 'government', 'ai_safety_institute',
  'industry', 'intergovernmental', 'philanthropy', 'media'];
const EDGE_KINDS = {
  research: {color: '#1f77b4', dash: null},
  mou: {color: '#2ca02c', dash: null},
  funding: {color: '#d62728', dash: null},
  network: {color: '#9467bd', dash: null},
  advisory: {color: '#8c564b', dash: null},
  dialogue: {color: '#e377c2', dash: null},
  'held dialogue': {color: '#8a8f96', dash: '4 3'},
};

/** The colour of a sector, the same on every page. */
export function sectorColor(sector) {
  const index = SECTORS.indexOf(sector);
  return schemeTableau10[index < 0 ? 9 : index];
}

/** An edge's kind: its first link kind, else the dialogues both sides took part in. */
function edgeKind(edge) {
  return edge.kinds && edge.kinds.length ? edge.kinds[0] : 'held dialogue';
}

const WIDTH = 800;
const HEIGHT = 520;

/** The first words of a long name (a prefix of it, so it stays part of the node's name). */
function shortName(name) {
  if (name.length <= 30) return name;
  const cut = name.slice(0, 30);
  return cut.slice(0, cut.lastIndexOf(' ') > 10 ? cut.lastIndexOf(' ') : 30);
}

/** A viewBox around the laid-out nodes, with room for labels. */
function fitted(nodes) {
  const xs = nodes.map((n) => n.x);
  const ys = nodes.map((n) => n.y);
  const [x0, x1, y0, y1] = [Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)];
  const pad = 30;
  const width = Math.max(x1 - x0 + 2 * pad + 120, 200);
  const height = Math.max(y1 - y0 + 2 * pad, width * 0.45);
  return `${x0 - pad} ${(y0 + y1) / 2 - height / 2} ${width} ${height}`;
}

/** An SVG network picture with its legend; `network` is a /network answer. */
export function networkPicture(network, centreId) {
  const nodes = network.nodes.map((n) => ({...n}));
  const links = network.edges.map((e) => ({...e, kind: edgeKind(e)}))
    .sort((a, b) => (b.kind === 'held dialogue') - (a.kind === 'held dialogue'));
  const dialogueOnly = (l) => l.kind === 'held dialogue';
  const simulation = forceSimulation(nodes)
    .force('link', forceLink(links).id((d) => d.id)
      .distance((l) => (dialogueOnly(l) ? 140 : 90))
      .strength((l) => (dialogueOnly(l) ? 0.05 : 0.5)))
    .force('charge', forceManyBody().strength(nodes.length > 40 ? -260 : -420))
    .force('center', forceCenter(WIDTH / 2, HEIGHT / 2))
    .force('collide', forceCollide(22))
    .stop();
  for (let i = 0; i < 300; i += 1) simulation.tick();

  const svg = select(h('svg:svg', {viewBox: fitted(nodes), role: 'group',
    'aria-label': `Network picture: ${nodes.length} organizations, ${links.length} ties`}));
  const layer = svg.append('g').attr('class', 'layer');
  const edge = layer.append('g').selectAll('line').data(links).join('line')
    .attr('stroke', (l) => EDGE_KINDS[l.kind]?.color || '#999')
    .attr('stroke-dasharray', (l) => EDGE_KINDS[l.kind]?.dash)
    .attr('stroke-width', (l) => (l.kind === 'held dialogue' ? 0.8 : Math.min(4, 1.2 + l.weight)))
    .attr('stroke-opacity', (l) => (l.kind === 'held dialogue' ? 0.35 : 0.85))
    .attr('data-kind', (l) => l.kind);
  const node = layer.append('g').selectAll('a').data(nodes).join('a')
    .attr('href', (n) => `/org/${encodeURIComponent(n.slug)}`)
    .attr('class', 'node')
    .attr('data-id', (n) => n.id)
    .attr('aria-label', (n) => `${n.name}, ${sectorName(n.sector)}, ${n.country}`);
  node.append('circle')
    .attr('r', (n) => (n.id === centreId ? 11 : n.depth === 1 ? 7 : 5))
    .attr('fill', (n) => sectorColor(n.sector))
    .attr('stroke', (n) => (n.id === centreId ? '#111' : '#fff'))
    .attr('stroke-width', (n) => (n.id === centreId ? 2.5 : 1));
  node.append('title').text((n) => `${n.name} · ${sectorName(n.sector)} · ${n.country}`);
  const label = node.filter((n) => n.depth <= 1 || nodes.length <= 30).append('text')
    .attr('class', 'node-label').attr('dx', 9).attr('dy', 3)
    .text((n) => shortName(n.name));
  label.filter((n) => shortName(n.name) !== n.name).append('tspan').attr('aria-hidden', 'true').text('…');

  const place = () => {
    edge.attr('x1', (l) => l.source.x).attr('y1', (l) => l.source.y)
      .attr('x2', (l) => l.target.x).attr('y2', (l) => l.target.y);
    node.attr('transform', (n) => `translate(${n.x},${n.y})`);
  };
  place();
  simulation.on('tick', place);
  node.call(drag()
    .on('start', (event, n) => {
      if (!event.active) simulation.alphaTarget(0.2).restart();
      n.fx = n.x;
      n.fy = n.y;
    })
    .on('drag', (event, n) => {
      n.fx = event.x;
      n.fy = event.y;
    })
    .on('end', (event, n) => {
      if (!event.active) simulation.alphaTarget(0);
      n.fx = null;
      n.fy = null;
    }));
  const zoomer = zoom().scaleExtent([0.3, 6]).on('zoom', (event) => layer.attr('transform', event.transform));
  svg.call(zoomer);
  const zoomBy = (k) => svg.call(zoomer.scaleBy, k);
  const controls = h('div', {class: 'actions zoom-controls'},
    h('button', {type: 'button', class: 'secondary', onclick: () => zoomBy(1.4)}, 'Zoom in'),
    h('button', {type: 'button', class: 'secondary', onclick: () => zoomBy(1 / 1.4)}, 'Zoom out'),
    h('button', {type: 'button', class: 'secondary', onclick: () => svg.call(zoomer.transform, zoomIdentity)}, 'Reset'));
  return h('div', {class: 'network-box'}, svg.node(), legend(nodes, links), controls);
}

function legend(nodes, links) {
  const sectors = SECTORS.filter((s) => nodes.some((n) => n.sector === s));
  const kinds = Object.keys(EDGE_KINDS).filter((k) => links.some((l) => l.kind === k));
  return h('div', {class: 'legends'},
    h('ul', {class: 'legend', 'aria-label': 'Sectors'}, sectors.map((s) =>
      h('li', {}, h('span', {class: 'swatch', dataset: {sector: s}}), sectorName(s)))),
    h('ul', {class: 'legend', 'aria-label': 'Ties'}, kinds.map((k) =>
      h('li', {}, h('svg:svg', {viewBox: '0 0 24 10', 'aria-hidden': 'true'},
        h('svg:line', {x1: 0, y1: 5, x2: 24, y2: 5, stroke: EDGE_KINDS[k].color, 'stroke-width': 3,
          'stroke-dasharray': EDGE_KINDS[k].dash})), k === 'mou' ? 'MoU' : words(k)))));
}

/** Colour the sector swatches (the policy allows no inline style attribute, only the CSSOM). */
export function paintSwatches(root) {
  for (const swatch of root.querySelectorAll('.swatch[data-sector]')) {
    swatch.style.background = sectorColor(swatch.dataset.sector);
  }
}

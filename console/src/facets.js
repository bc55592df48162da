// Facets with counts from /organizations/facets, each counted as if its own choice were open.
import {api} from './api.js';
import {regionsList, sectorName, topicName} from './reference.js';
import {h, uid} from './dom.js';
import {MULTI, filterParams, languageName} from './filters.js';

const SHOWN = 8;

/**
 * Counts for every facet under the current filters. A facet with values chosen is counted
 * without its own choice (so the other values keep their counts: OR within a facet).
 */
export async function facetCounts(state, signal) {
  const chosen = MULTI.filter((name) => state[name].length);
  const [all, open, ...own] = await Promise.all([
    api('/organizations/facets', {params: filterParams(state), signal}),
    api('/organizations', {
      params: {...filterParams(state, ['open']), open_to_dialogue: 'true', page_size: 1}, signal,
    }),
    ...chosen.map((name) =>
      api('/organizations/facets', {params: filterParams(state, [name]), signal})),
  ]);
  const counts = {...all.data, open: open.pagination ? open.pagination.total : 0};
  chosen.forEach((name, i) => {
    counts[name] = own[i].data[name];
  });
  return counts;
}

/** Every region with its kind and parent (cached for the page's life). */
export const regions = regionsList;

/** The facet panel: one fieldset per facet; `onToggle(name, value, on)` on every change. */
export function facetPanel(state, counts, allRegions, onToggle) {
  const box = (name, value, label, count) => {
    const id = uid('facet');
    const checked = name === 'open' ? state.open : state[name].includes(value);
    return h('li', {},
      h('input', {type: 'checkbox', id, checked, dataset: {facet: name, value},
        onchange: (event) => onToggle(name, value, event.target.checked)}),
      h('label', {for: id}, label, ' ', h('span', {class: 'count'}, `(${count})`)));
  };
  return [
    group('Open to dialogue', [box('open', 'true', 'Open to dialogue', counts.open)]),
    listFacet('Sector', counts.sector, state.sector, (v) => box('sector', v.value, sectorName(v.value), v.count)),
    regionFacet(counts.region, state.region, allRegions, box),
    listFacet('Country', counts.country, state.country,
      (v) => box('country', v.value, v.name || v.value, v.count)),
    listFacet('Topic', counts.topic, state.topic, (v) => box('topic', v.value, v.name || topicName(null, v.value), v.count)),
    listFacet('Language', counts.language, state.language,
      (v) => box('language', v.value, languageName(v.value), v.count)),
  ];
}

function group(legend, items, extra) {
  return h('fieldset', {class: 'facet'}, h('legend', {}, legend), h('ul', {}, items), extra);
}

/** A facet's values, the first few shown and the rest behind a button; chosen ones always. */
function listFacet(legend, values, chosen, item) {
  const present = new Set(values.map((v) => v.value));
  const all = [...values, ...chosen.filter((c) => !present.has(c)).map((value) => ({value, count: 0}))];
  if (!all.length) return null;
  const first = all.filter((v, i) => i < SHOWN || chosen.includes(v.value));
  const rest = all.filter((v) => !first.includes(v));
  const list = h('ul', {}, first.map(item));
  const fieldset = h('fieldset', {class: 'facet'}, h('legend', {}, legend), list);
  if (rest.length) {
    const more = h('button', {type: 'button', class: 'link', 'aria-expanded': 'false',
      onclick: () => {
        list.append(...rest.map(item));
        more.remove();
      }}, `Show ${rest.length} more`);
    fieldset.append(more);
  }
  return fieldset;
}

/** Regions as their tree (continents, subregions, intermediate), then the groupings. */
function regionFacet(values, chosen, allRegions, box) {
  const count = new Map(values.map((v) => [v.value, v.count]));
  const children = new Map();
  for (const region of allRegions) {
    if (!region.parent) continue;
    if (!children.has(region.parent)) children.set(region.parent, []);
    children.get(region.parent).push(region);
  }
  const branch = (code) => (children.get(code) || [])
    .filter((r) => count.get(r.code) || chosen.includes(r.code))
    .sort((a, b) => a.name.localeCompare(b.name))
    .map((r) => {
      const item = box('region', r.code, r.name, count.get(r.code) || 0);
      const below = branch(r.code);
      if (below.length) item.append(h('ul', {}, below));
      return item;
    });
  const groupings = allRegions
    .filter((r) => r.kind === 'grouping' && (count.get(r.code) || chosen.includes(r.code)))
    .sort((a, b) => (count.get(b.code) || 0) - (count.get(a.code) || 0))
    .map((r) => box('region', r.code, r.name, count.get(r.code) || 0));
  const tree = branch('world');
  if (!tree.length && !groupings.length) return null;
  return h('fieldset', {class: 'facet regions'}, h('legend', {}, 'Region'),
    h('ul', {class: 'tree'}, tree),
    groupings.length ? h('p', {class: 'sublegend'}, 'Groupings') : null,
    h('ul', {}, groupings));
}

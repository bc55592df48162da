// A world choropleth of organization counts by country for the directory's current filters.
import {geoEqualEarth, geoPath} from 'd3-geo';
import {feature} from 'topojson-client';
import {interpolateBlues} from 'd3-scale-chromatic';
import {api} from './api.js';
import {h, fill, problemBox, field} from './dom.js';
import {navigate} from './router.js';
import {readFilters, hrefOf, filterParams, toggled, countryName, filtered} from './filters.js';
import {regionsList, sectorName} from './reference.js';
import isoNumeric from './iso-numeric.json';

const WIDTH = 960;
const HEIGHT = 470;
let world = null;

/** The countries of world-atlas (served from this origin), with ISO alpha-2 codes. */
function countries() {
  world ||= fetch('/console-assets/countries-110m.json').then((r) => r.json()).then((topology) =>
    feature(topology, topology.objects.countries).features
      .map((f) => ({...f, code: isoNumeric[f.id] || null})));
  return world;
}

/** Draw the map page; returns the function that follows later URLs. */
export async function render(main, url) {
  let state = readFilters(url);
  let highlight = url.searchParams.get('highlight') || '';
  const mapBox = h('div', {class: 'map-box'});
  const status = h('p', {class: 'summary', role: 'status', 'aria-live': 'polite'});
  const chips = h('ul', {class: 'chips', 'aria-label': 'Filters in force'});
  const buttons = h('div', {});
  const select = h('select', {name: 'highlight'}, h('option', {value: ''}, 'None'));
  const go = (next, mark = highlight) => {
    const target = new URL(hrefOf('/map', next), location.href);
    if (mark) target.searchParams.set('highlight', mark);
    navigate(target.pathname + target.search);
  };
  select.addEventListener('change', () => go(state, select.value));
  fill(main,
    h('h1', {tabindex: -1}, 'Map'),
    h('p', {}, 'Organizations by headquarters country, for the filters of the ',
      h('a', {href: hrefOf('/', state), id: 'to-list'}, 'directory'), '. Choose a country to filter by it.'),
    chips,
    field('Highlight a region', select, 'Outlines the countries of a grouping or continent'),
    status, mapBox, h('h2', {}, 'Countries'), buttons);
  const regions = await regionsList().catch(() => []);
  for (const r of regions.filter((r) => r.kind === 'grouping' || r.kind === 'continent')
    .sort((a, b) => a.name.localeCompare(b.name))) {
    select.append(h('option', {value: r.code, selected: r.code === highlight}, r.name));
  }

  async function load() {
    status.textContent = 'Counting…';
    drawChips(chips, state, go);
    try {
      const [facets, shapes, members] = await Promise.all([
        api('/organizations/facets', {params: filterParams(state, ['country'])}).then((a) => a.data),
        countries(),
        highlight ? api(`/regions/${encodeURIComponent(highlight)}`).then((a) => a.data.countries) : [],
      ]);
      const counts = new Map(facets.country.map((c) => [c.value, c.count]));
      const chosen = new Set(state.country);
      fill(mapBox, drawMap(shapes, counts, chosen, new Set(members), (code) => go(toggled(state, 'country', code, !chosen.has(code)))));
      fill(buttons, countryButtons(facets.country, chosen, (code, on) => go(toggled(state, 'country', code, on))));
      const named = state.country.map(countryName).join(', ');
      status.textContent = `${facets.total} organizations in ${counts.size} countries` +
        (named ? ` for the other filters; chosen: ${named}` : '') +
        (highlight ? `; ${members.length} countries outlined` : '');
    } catch (error) {
      status.textContent = '';
      fill(mapBox, problemBox(error));
    }
  }

  await load();
  return (next) => {
    state = readFilters(next);
    highlight = next.searchParams.get('highlight') || '';
    select.value = highlight;
    main.querySelector('#to-list').href = hrefOf('/', state);
    load();
  };
}

function drawChips(chips, state, go) {
  const items = [];
  if (state.q) items.push(['q', state.q, `“${state.q}”`]);
  for (const name of ['sector', 'region', 'country', 'topic', 'language']) {
    for (const value of state[name]) items.push([name, value, name === 'country' ? countryName(value) : name === 'sector' ? sectorName(value) : value]);
  }
  if (state.open) items.push(['open', 'true', 'open to dialogue']);
  fill(chips, items.map(([name, value, label]) => h('li', {},
    h('button', {type: 'button', class: 'secondary', 'aria-label': `Remove the filter ${label}`,
      onclick: () => go(name === 'q' ? {...state, q: ''} : toggled(state, name, value, false))}, `${label} ✕`))));
  if (!filtered(state)) chips.append(h('li', {class: 'hint'}, 'No filter: the whole directory.'));
}

function drawMap(shapes, counts, chosen, members, onChoose) {
  const projection = geoEqualEarth().fitSize([WIDTH, HEIGHT], {type: 'FeatureCollection', features: shapes});
  const path = geoPath(projection);
  const max = Math.max(1, ...counts.values());
  const colour = (n) => (n ? interpolateBlues(0.25 + 0.75 * Math.log1p(n) / Math.log1p(max)) : '#f4f4f1');
  const svg = h('svg:svg', {viewBox: `0 0 ${WIDTH} ${HEIGHT}`, role: 'group',
    'aria-label': 'World map of organizations by country'});
  for (const shape of shapes) {
    const count = shape.code ? counts.get(shape.code) || 0 : 0;
    const name = shape.code ? countryName(shape.code) : shape.properties.name;
    const classes = ['country', members.has(shape.code) ? 'highlight' : '', chosen.has(shape.code) ? 'chosen' : ''];
    const element = h('svg:path', {d: path(shape), fill: colour(count), class: classes.join(' ').trim(),
      dataset: {code: shape.code || '', count}},
    h('svg:title', {}, `${name}: ${count} organization${count === 1 ? '' : 's'}`));
    if (shape.code) element.addEventListener('click', () => onChoose(shape.code));
    svg.append(element);
  }
  for (const element of svg.querySelectorAll('path.highlight, path.chosen')) svg.append(element);
  const ramp = [1, Math.ceil(max / 4), Math.ceil(max / 2), max].filter((v, i, all) => all.indexOf(v) === i);
  return [svg, h('div', {class: 'map-legend'}, 'Organizations:',
    h('span', {class: 'ramp'}, ramp.map((n) => {
      const swatch = h('span', {title: String(n)});
      swatch.style.background = colour(n);
      return swatch;
    })), ramp.map(String).join(' · '))];
}

function countryButtons(values, chosen, onToggle) {
  return h('ul', {class: 'country-buttons'}, values.map((c) => h('li', {},
    h('button', {type: 'button', class: 'secondary', 'aria-pressed': String(chosen.has(c.value)),
      dataset: {code: c.value}, onclick: () => onToggle(c.value, !chosen.has(c.value))},
    `${c.name || countryName(c.value)} (${c.count})`))));
}

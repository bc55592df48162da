// The roster builder: compose a balanced dialogue, see the roster and how its quotas held.
import {api} from './api.js';
import {h, fill, field, showProblem, markFields, uid, scrollBox} from './dom.js';
import {navigate} from './router.js';
import {countryName} from './filters.js';
import {topicTable, regionsList, topicName, sectorName} from './reference.js';
import {SECTORS} from './network.js';
import {invitePanel} from './invite.js';

const NUMBERS = ['size', 'min_countries', 'max_per_country', 'min_newcomers'];
const REGION_ROWS = 3;

/** The compose body a URL holds (the form's state), or null when it holds none. */
export function bodyOf(search) {
  if (!search.get('size')) return null;
  const body = {};
  for (const name of NUMBERS) {
    if (search.get(name)) body[name] = Number(search.get(name));
  }
  for (const name of ['topics', 'languages']) {
    if (search.getAll(name).length) body[name] = search.getAll(name);
  }
  for (const [key, value] of search) {
    const [group, code] = key.split('.');
    if (['sector_min', 'sector_max', 'region_min'].includes(group) && code && value !== '') {
      (body[group] ||= {})[code] = Number(value);
    }
  }
  if (search.get('rotation')) body.rotation = Number(search.get('rotation'));
  return body;
}

/** The query string of a compose body. */
function searchOf(body) {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(body)) {
    if (Array.isArray(value)) value.forEach((v) => search.append(name, v));
    else if (value && typeof value === 'object') Object.entries(value).forEach(([k, v]) => search.append(`${name}.${k}`, v));
    else search.append(name, value);
  }
  return `?${search}`;
}

/** Draw the roster builder; returns the function that follows later URLs. */
export async function render(main, url) {
  const [topics, regions] = await Promise.all([topicTable(), regionsList()]).catch(() => [new Map(), []]);
  const slot = h('div', {class: 'slot', 'aria-live': 'polite'});
  const output = h('div', {id: 'roster-output'});
  const form = composeForm(topics, regions, bodyOf(url.searchParams) || {size: 8});
  form.append(h('div', {class: 'actions'}, h('button', {type: 'submit'}, 'Compose'),
    h('span', {class: 'hint'}, 'Writes nothing: it proposes a roster.')), slot);
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    navigate(`/roster${searchOf(readForm(form))}`);
  });
  fill(main, h('h1', {tabindex: -1}, 'Roster builder'),
    h('p', {}, 'Compose a balanced dialogue from the directory: seats, topics to cover, and quotas by sector, region and country.'),
    form, output);

  async function compose(search) {
    const body = bodyOf(search);
    if (!body) return;
    writeForm(form, body);
    try {
      const answer = await api('/dialogues/compose', {method: 'POST', body});
      markFields(form, null);
      showProblem(slot, null);
      fill(output, rosterView(answer.data, topics, regions), invitePanel(body));
    } catch (error) {
      markFields(form, error);
      showProblem(slot, error);
      fill(output);
    }
  }
  await compose(url.searchParams);
  return (next) => compose(next.searchParams);
}

function number(name, label, hint) {
  return field(label, h('input', {type: 'number', name, min: 0, max: 200, inputmode: 'numeric'}), hint);
}

function composeForm(topics, regions, initial) {
  const topicBoxes = [...topics.values()].sort((a, b) => a.name.localeCompare(b.name)).map((t) => {
    const id = uid('topic');
    return h('li', {}, h('input', {type: 'checkbox', name: 'topics', value: t.slug, id}), h('label', {for: id}, ` ${t.name}`));
  });
  const quota = (sector, kind) => h('input', {type: 'number', name: `${kind}.${sector}`, min: 0, max: 200,
    'aria-label': `${kind === 'sector_min' ? 'At least' : 'At most'} from ${sectorName(sector)}`});
  const regionOptions = regions.filter((r) => r.kind !== 'world').sort((a, b) => a.name.localeCompare(b.name));
  const regionRow = (i) => h('tr', {},
    h('td', {}, h('select', {class: 'region-pick', 'aria-label': `Region ${i + 1}`, dataset: {row: i}},
      h('option', {value: ''}, '—'), regionOptions.map((r) => h('option', {value: r.code}, r.name)))),
    h('td', {}, h('input', {type: 'number', min: 0, max: 200, class: 'region-count', 'aria-label': `At least from region ${i + 1}`, dataset: {row: i}})));
  const form = h('form', {id: 'compose-form', novalidate: true},
    h('div', {class: 'form-grid'},
      number('size', 'Seats', 'From 2 to 200'),
      number('min_countries', 'At least this many countries'),
      number('max_per_country', 'At most per country'),
      number('min_newcomers', 'At least this many newcomers', 'No held dialogue in the last 24 months'),
      field('Rotation', h('input', {type: 'number', name: 'rotation', min: 0, max: 1, step: 0.1, inputmode: 'decimal'}),
        'From 0 to 1: how much recent participants yield to comparable newcomers'),
      field('Languages', h('input', {type: 'text', name: 'languages'}), 'ISO 639-1 codes separated by commas, e.g. en, fr')),
    h('fieldset', {class: 'plain'}, h('legend', {}, 'Topics to cover'), h('ul', {class: 'checks'}, topicBoxes)),
    h('fieldset', {class: 'plain'}, h('legend', {}, 'Seats by sector'), scrollBox(h('table', {id: 'sector-quotas'},
      h('thead', {}, h('tr', {}, h('th', {scope: 'col'}, 'Sector'), h('th', {scope: 'col'}, 'At least'), h('th', {scope: 'col'}, 'At most'))),
      h('tbody', {}, SECTORS.map((s) => h('tr', {}, h('th', {scope: 'row'}, sectorName(s)),
        h('td', {}, quota(s, 'sector_min')), h('td', {}, quota(s, 'sector_max')))))))),
    h('fieldset', {class: 'plain'}, h('legend', {}, 'Seats by region'), h('table', {id: 'region-quotas'},
      h('thead', {}, h('tr', {}, h('th', {scope: 'col'}, 'Region'), h('th', {scope: 'col'}, 'At least'))),
      h('tbody', {}, Array.from({length: REGION_ROWS}, (_, i) => regionRow(i))))),
    h('div', {id: 'compose-extra'}));
  writeForm(form, initial);
  return form;
}

/** The compose body the form holds. */
function readForm(form) {
  const body = {};
  for (const name of NUMBERS) {
    const input = form.elements[name];
    if (input && input.value !== '') body[name] = Number(input.value);
  }
  const topics = [...form.querySelectorAll('input[name="topics"]:checked')].map((i) => i.value);
  if (topics.length) body.topics = topics;
  const languages = form.elements.languages.value.split(',').map((v) => v.trim()).filter(Boolean);
  if (languages.length) body.languages = languages;
  for (const input of form.querySelectorAll('input[name^="sector_"]')) {
    if (input.value === '') continue;
    const [group, sector] = input.name.split('.');
    (body[group] ||= {})[sector] = Number(input.value);
  }
  for (const pick of form.querySelectorAll('.region-pick')) {
    const count = form.querySelector(`.region-count[data-row="${pick.dataset.row}"]`);
    if (pick.value && count.value !== '') (body.region_min ||= {})[pick.value] = Number(count.value);
  }
  if (form.elements.rotation.value !== '') body.rotation = Number(form.elements.rotation.value);
  return body;
}

/** Put a compose body back into the form (after back and forward, or a shared link). */
function writeForm(form, body) {
  for (const name of NUMBERS) if (form.elements[name]) form.elements[name].value = body[name] ?? '';
  for (const box of form.querySelectorAll('input[name="topics"]')) box.checked = (body.topics || []).includes(box.value);
  form.elements.languages.value = (body.languages || []).join(', ');
  for (const input of form.querySelectorAll('input[name^="sector_"]')) {
    const [group, sector] = input.name.split('.');
    input.value = body[group]?.[sector] ?? '';
  }
  const regions = Object.entries(body.region_min || {});
  for (const pick of form.querySelectorAll('.region-pick')) {
    const row = Number(pick.dataset.row);
    pick.value = regions[row]?.[0] || '';
    form.querySelector(`.region-count[data-row="${row}"]`).value = regions[row]?.[1] ?? '';
  }
  form.elements.rotation.value = body.rotation ?? '';
}

function rosterView(result, topics, regions) {
  const {roster, report} = result;
  const regionName = new Map(regions.map((r) => [r.code, r.name]));
  const label = (name) => {
    const [group, code] = name.split('.');
    if (!code) return name.replaceAll('_', ' ');
    const what = group.startsWith('sector') ? sectorName(code) : regionName.get(code) || code;
    return `${group.replaceAll('_', ' ')}: ${what}`;
  };
  return h('section', {'aria-labelledby': 'roster-title'},
    h('h2', {id: 'roster-title'}, `Roster: ${roster.length} organizations from ${report.countries} countries`),
    scrollBox(h('table', {id: 'roster-table'},
      h('thead', {}, h('tr', {}, ['Organization', 'Sector', 'Country', 'Recent dialogues', 'Adds topics', 'Fills'].map((c) => h('th', {scope: 'col'}, c)))),
      h('tbody', {}, roster.map((m) => h('tr', {dataset: {id: m.organization.id, sector: m.organization.sector, country: m.organization.country}},
        h('td', {}, h('a', {href: `/org/${m.organization.slug}`}, m.organization.name)),
        h('td', {}, sectorName(m.organization.sector)), h('td', {}, countryName(m.organization.country)),
        h('td', {}, m.recent_participations === undefined ? '—' : String(m.recent_participations)),
        h('td', {}, m.adds_topics.map((t) => topicName(topics, t)).join(', ')),
        h('td', {}, m.fills.map(label).join(', '))))))),
    h('h2', {}, 'Report'),
    h('p', {}, 'Topic coverage: ', h('meter', {min: 0, max: 1, value: report.topic_coverage, 'aria-label': 'Topic coverage'}),
      ` ${Math.round(report.topic_coverage * 100)}%`,
      report.uncovered_topics.length ? ` · not covered: ${report.uncovered_topics.map((t) => topicName(topics, t)).join(', ')}` : '',
      report.newcomers === undefined ? '' : ` · newcomers: ${report.newcomers} of ${report.size}`),
    scrollBox(h('table', {id: 'constraints-table'},
      h('thead', {}, h('tr', {}, ['Constraint', 'Asked', 'Roster', 'Held', 'How tightly'].map((c) => h('th', {scope: 'col'}, c)))),
      h('tbody', {}, report.constraints.map((c) => h('tr', {dataset: {name: c.name, satisfied: c.satisfied}},
        h('td', {}, label(c.name)), h('td', {}, String(c.target)), h('td', {}, String(c.actual)),
        h('td', {class: c.satisfied ? 'ok' : 'not-ok'}, c.satisfied ? 'Held' : 'Not met'),
        h('td', {}, tightness(c))))))),
    reservesView(result, regionName));
}

/** How much room a constraint left: exactly at its bound, or by how many seats. */
function tightness(c) {
  const slack = c.name.startsWith('max') || c.name.includes('_max') ? c.target - c.actual : c.actual - c.target;
  if (!c.satisfied) return `short by ${Math.abs(slack)}`;
  return slack === 0 ? 'exactly at the bound' : `${slack} to spare`;
}

function reservesView(result, regionName) {
  const reserves = result.reserves || [];
  if (!reserves.length) return null;
  const label = (name) => {
    const [group, code] = name.split('.');
    return code ? `${group.replaceAll('_', ' ')}: ${group.startsWith('sector') ? sectorName(code) : regionName.get(code) || code}` : name;
  };
  return [h('h2', {}, 'Reserves'),
    h('p', {}, 'Best first, for seats declined: each keeps the minimums named.'),
    scrollBox(h('table', {id: 'reserves'},
      h('thead', {}, h('tr', {}, ['Rank', 'Organization', 'Sector', 'Country', 'Keeps'].map((c) => h('th', {scope: 'col'}, c)))),
      h('tbody', {}, reserves.map((r) => h('tr', {},
        h('td', {}, String(r.rank)), h('td', {}, h('a', {href: `/org/${r.organization.slug}`}, r.organization.name)),
        h('td', {}, sectorName(r.organization.sector)), h('td', {}, countryName(r.organization.country)),
        h('td', {}, (r.keeps || []).map(label).join(', ') || '—'))))))];
}

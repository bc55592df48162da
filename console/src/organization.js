// An organization's page: its record, partners, network picture, history and matches.
import {api} from './api.js';
import {h, fill, problemBox, scrollBox} from './dom.js';
import {navigate} from './router.js';
import {countryName, languageName} from './filters.js';
import {topicTable, regionsList, topicName, sectorName} from './reference.js';
import {networkPicture, paintSwatches} from './network.js';
import {matchList} from './matches.js';
import {editForm, mayEdit} from './edit.js';

/** Draw the page of the organization named in the path. */
export async function render(main, url, [ref]) {
  const depth = url.searchParams.get('depth') === '2' ? 2 : 1;
  let answer;
  try {
    answer = await api(`/organizations/${encodeURIComponent(ref)}`);
  } catch (error) {
    fill(main, h('h1', {tabindex: -1}, 'Organization'), problemBox(error),
      h('p', {}, h('a', {href: '/'}, 'Back to the directory')));
    return null;
  }
  const org = answer.data;
  if (org.slug !== ref && String(org.id) !== ref) {
    navigate(`/org/${encodeURIComponent(org.slug)}${url.search}`, {replace: true});
  }
  document.title = `${org.name} · Partners console`;
  const [topics, regions] = await Promise.all([topicTable(), regionsList()]).catch(() => [null, []]);
  const regionName = new Map(regions.map((r) => [r.code, r.name]));
  const record = h('section', {'aria-labelledby': 'record-title'});
  const drawRecord = (current) => fill(record, recordView(current, topics, regionName));
  drawRecord(org);
  const sections = [
    section('partners', 'Partners', (box) => partners(box, org)),
    section('network', 'Network', (box) => network(box, org, depth, url)),
    section('matches', 'Whom to talk to', (box) => matches(box, org, topics)),
    section('dialogues', 'Dialogues', (box) => dialogues(box, org)),
    section('history', 'History', (box) => history(box, org)),
  ];
  fill(main,
    h('p', {class: 'crumbs'}, h('a', {href: '/'}, '← Directory')),
    h('h1', {tabindex: -1}, org.name, org.acronym ? h('span', {class: 'acronym'}, ` (${org.acronym})`) : null),
    h('nav', {'aria-label': 'On this page', class: 'toc'}, h('ul', {class: 'tags'},
      ['record', 'partners', 'network', 'matches', 'dialogues', 'history'].map((id) =>
        h('li', {}, h('a', {href: `#${id}-title`}, id === 'matches' ? 'Whom to talk to' : id[0].toUpperCase() + id.slice(1)))))),
    record,
    mayEdit(org) ? editForm(org, answer.etag, drawRecord) : null,
    sections.map((s) => s.element));
  await Promise.all(sections.map((s) => s.load()));
  return null;
}

function section(id, title, loader) {
  const box = h('div', {class: 'section-body'}, h('p', {class: 'summary'}, 'Loading…'));
  const element = h('section', {'aria-labelledby': `${id}-title`, id},
    h('h2', {id: `${id}-title`}, title), box);
  return {
    element,
    load: () => loader(box).catch((error) => fill(box, problemBox(error))),
  };
}

function recordView(org, topics, regionName) {
  const topicLinks = (slugs, facet) => h('ul', {class: 'tags'}, slugs.map((slug) =>
    h('li', {}, h('a', {href: `/?topic=${encodeURIComponent(slug)}`}, topicName(topics, slug)))));
  const regionLinks = (codes) => h('ul', {class: 'tags'}, codes.map((code) =>
    h('li', {}, h('a', {href: `/?region=${encodeURIComponent(code)}`}, regionName.get(code) || code))));
  const links = [
    org.website ? h('li', {}, h('a', {href: org.website, rel: 'noopener noreferrer'}, 'Website')) : null,
    ...Object.entries(org.external_ids || {}).map(([scheme, id]) => h('li', {}, externalLink(scheme, id))),
  ].filter(Boolean);
  return [
    h('h2', {id: 'record-title'}, 'Record'),
    org.description ? h('p', {class: 'lead'}, org.description) : null,
    h('dl', {class: 'record'},
      row('Sector', h('a', {href: `/?sector=${org.sector}`}, sectorName(org.sector))),
      row('Based in', [org.city, countryName(org.country)].filter(Boolean).join(', ')),
      org.founded_year ? row('Founded', String(org.founded_year)) : null,
      row('Open to dialogue', org.open_to_dialogue ? 'Yes' : 'No'),
      row('Languages', org.languages.map(languageName).join(', ') || '—'),
      org.contact_email ? row('Contact', h('a', {href: `mailto:${org.contact_email}`}, org.contact_email)) : null,
      row('Offers', org.offers.length ? topicLinks(org.offers, 'offers') : '—'),
      row('Seeks', org.seeks.length ? topicLinks(org.seeks, 'seeks') : '—'),
      row('Works in', org.operating_regions.length ? regionLinks(org.operating_regions) : '—'),
      row('Lies in', regionLinks(org.regions.filter((r) => !org.operating_regions.includes(r)))),
      links.length ? row('Links', h('ul', {class: 'tags'}, links)) : null,
      org.status !== 'active' ? row('Status', org.status) : null),
    h('h3', {class: 'names-title'}, 'Names'),
    scrollBox(h('table', {},
      h('caption', {class: 'visually-hidden'}, `Names of ${org.name}`),
      h('thead', {}, h('tr', {}, h('th', {scope: 'col'}, 'Name'), h('th', {scope: 'col'}, 'Language'),
        h('th', {scope: 'col'}, 'Kind'))),
      h('tbody', {}, (org.names || []).map((n) => h('tr', {},
        h('td', {lang: n.lang || null}, n.value), h('td', {}, n.lang ? languageName(n.lang) : '—'),
        h('td', {}, n.types.join(', '))))))),
  ];
}

function row(term, value) {
  return [h('dt', {}, term), h('dd', {}, value)];
}

const SCHEMES = {
  ror: (id) => `https://ror.org/${id}`,
  wikidata: (id) => `https://www.wikidata.org/wiki/${id}`,
  lei: (id) => `https://search.gleif.org/#/record/${id}`,
};

function externalLink(scheme, id) {
  const make = SCHEMES[scheme];
  const label = `${scheme.toUpperCase()}: ${id}`;
  return make ? h('a', {href: make(encodeURIComponent(id)), rel: 'noopener noreferrer'}, label) : h('span', {}, label);
}

async function partners(box, org) {
  const answer = await api(`/organizations/${org.id}/partners`, {params: {page_size: 100}});
  if (!answer.data.length) return fill(box, h('p', {}, 'No partners listed.'));
  const byKind = new Map();
  for (const item of answer.data) {
    const kind = item.partnership.kind;
    if (!byKind.has(kind)) byKind.set(kind, []);
    byKind.get(kind).push(item);
  }
  return fill(box, scrollBox(h('table', {id: 'partners-table'},
    h('caption', {class: 'visually-hidden'}, `Partners of ${org.name} by kind and status`),
    h('thead', {}, h('tr', {}, ['Kind', 'Partner', 'Status', 'Since'].map((c) => h('th', {scope: 'col'}, c)))),
    h('tbody', {}, [...byKind].sort().flatMap(([kind, items]) => items.map((item, i) => h('tr', {},
      i === 0 ? h('th', {scope: 'row', rowspan: items.length}, `${kind} (${items.length})`) : null,
      h('td', {}, h('a', {href: `/org/${item.organization.slug}`}, item.organization.name)),
      h('td', {}, item.partnership.status),
      h('td', {}, item.partnership.started_on || '—'))))))));
}

async function network(box, org, depth, url) {
  const answer = await api(`/organizations/${org.id}/network`, {params: {depth}});
  const other = depth === 1 ? 2 : 1;
  const switchTo = new URL(url);
  switchTo.searchParams.set('depth', other);
  fill(box,
    h('p', {class: 'actions'}, `Depth ${depth}: ${answer.data.nodes.length} organizations.`,
      h('a', {href: `${switchTo.pathname}${switchTo.search}#network-title`}, `Show depth ${other}`),
      answer.data.truncated ? h('span', {class: 'badge'}, 'cut to the closest') : null),
    networkPicture(answer.data, org.id));
  paintSwatches(box);
}

async function matches(box, org, topics) {
  const answer = await api(`/organizations/${org.id}/matches`, {params: {limit: 10}});
  fill(box, matchList(answer.data.matches, topics));
}

async function dialogues(box, org) {
  const answer = await api('/dialogues', {params: {organization: org.id, page_size: 50}});
  if (!answer.data.length) return fill(box, h('p', {}, 'No dialogue listed.'));
  const outcomes = await Promise.all(answer.data.map((d) => (d.status === 'held'
    ? api(`/dialogues/${d.id}/outcomes`).then((a) => a.data).catch(() => null) : null)));
  return fill(box, h('ul', {class: 'cards', id: 'dialogues-list'}, answer.data.map((d, i) => {
    const role = d.participants?.find((p) => p.organization.id === org.id)?.role;
    const outcome = outcomes[i];
    return h('li', {class: 'card', dataset: {dialogue: d.id}},
      h('h3', {}, d.title),
      h('p', {class: 'meta'}, [d.status, d.starts_on, d.city, d.country ? countryName(d.country) : null,
        d.virtual ? 'online' : null, role ? `as ${role}` : null, `${d.participants?.length || 0} participants`]
        .filter(Boolean).join(' · ')),
      outcome ? h('p', {class: 'outcome'}, `Outcomes: ${outcome.partnerships.total} links formed`
        + ` (${outcome.partnerships.cross_sector} across sectors), ${outcome.signals.recorded} signals recorded.`) : null);
  })));
}

async function history(box, org) {
  const answer = await api(`/organizations/${org.id}/history`, {params: {page_size: 20}});
  if (!answer.data.length) return fill(box, h('p', {}, 'No changes recorded.'));
  return fill(box, h('ol', {class: 'history'}, answer.data.map((event) => h('li', {},
    h('time', {datetime: event.at}, new Date(event.at).toLocaleString('en-GB')), ' — ',
    h('strong', {}, event.action), event.fields?.length ? `: ${event.fields.join(', ')}` : '',
    event.actor ? ` (by ${typeof event.actor === 'object' ? event.actor.name || event.actor.id : event.actor})` : ''))));
}


// Matches: each with its reasons, and its score as the sum of its components' contributions.
import {h} from './dom.js';
import {sectorName} from './reference.js';
import {countryName} from './filters.js';

const COMPONENTS = {
  reciprocity: 'Reciprocity',
  shared_focus: 'Shared focus',
  bridging: 'Bridging',
  network: 'Network',
  track_record: 'Track record',
};

const percent = (x) => `${Math.max(0, Math.min(100, x * 100)).toFixed(1)}%`;

/** Set widths through the CSSOM (the page's policy refuses style attributes). */
function sized(el, fraction) {
  el.style.width = percent(fraction);
  return el;
}

/** A list of matches as GET /organizations/{id}/matches or POST /matches answer them. */
export function matchList(matches) {
  if (!matches.length) return h('p', {}, 'No match found.');
  return h('ol', {class: 'matches', id: 'matches-list'}, matches.map(matchItem));
}

function matchItem(match) {
  const org = match.organization;
  const parts = Object.entries(match.components || {});
  const sum = parts.reduce((total, [, c]) => total + c.contribution, 0);
  return h('li', {class: 'match', dataset: {score: match.score}},
    h('h3', {}, h('a', {href: `/org/${encodeURIComponent(org.slug)}`}, org.name)),
    h('p', {class: 'meta'}, `${sectorName(org.sector)} · ${countryName(org.country)} · `,
      h('span', {class: 'score'}, `score ${match.score.toFixed(2)}`)),
    h('div', {class: 'bar', role: 'img',
      'aria-label': `Score ${match.score.toFixed(2)}: ${parts.map(([k, c]) => `${COMPONENTS[k] || k} ${c.contribution.toFixed(2)}`).join(', ')}`},
    parts.map(([name, c]) => sized(h('span', {class: `c-${COMPONENTS[name] ? name : 'other'}`, title: `${COMPONENTS[name] || name}: ${c.contribution.toFixed(3)}`}), c.contribution))),
    h('div', {class: 'components'}, parts.map(([name, c]) => [
      h('span', {}, h('span', {class: `swatch c-${COMPONENTS[name] ? name : 'other'}`}), COMPONENTS[name] || name),
      h('span', {class: 'mini', 'aria-hidden': 'true'}, sized(h('span', {class: `c-${COMPONENTS[name] ? name : 'other'}`}), c.value)),
      h('span', {class: 'contribution', dataset: {contribution: c.contribution}},
        `${c.value.toFixed(2)} × ${c.weight.toFixed(2)} = ${c.contribution.toFixed(3)}`),
    ]), h('span', {}, h('strong', {}, 'Score')), h('span', {}),
    h('span', {class: 'sum'}, h('strong', {}, `${sum.toFixed(3)}`))),
    h('ul', {class: 'reasons'}, (match.reasons || []).map((r) => h('li', {}, r))),
    match.introducers?.length ? h('p', {}, 'Who could introduce you: ',
      match.introducers.map((i, n) => [n ? ', ' : '', h('a', {href: `/org/${i.id}`}, i.name)])) : null);
}

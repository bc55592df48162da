// With an admin key: resolve a pasted column of names, and merge probable duplicates.
import {api, session} from './api.js';
import {h, fill, field, showProblem, problemBox, scrollBox} from './dom.js';
import {countryName} from './filters.js';

const MAX_NAMES = 1000;

/** Draw the admin tools. */
export async function render(main) {
  const duplicates = h('section', {'aria-labelledby': 'duplicates-title', id: 'duplicates'},
    h('h2', {id: 'duplicates-title'}, 'Probable duplicates'));
  fill(main, h('h1', {tabindex: -1}, 'Admin'),
    session.role === 'admin' ? null : h('p', {class: 'notice'}, 'These tools need an admin key: ', h('a', {href: '/account'}, 'give one'), '.'),
    resolver(), duplicates);
  await loadDuplicates(duplicates);
  return null;
}

/** Lines of "name", "name<TAB>CC" or "name | CC" as resolve queries. */
export function queriesOf(text) {
  return text.split(/\r?\n/).map((line) => line.trim()).filter(Boolean).map((line) => {
    const [name, country] = line.split(/\t| \| /).map((part) => part.trim());
    return country && /^[A-Za-z]{2}$/.test(country) ? {name, country: country.toUpperCase()} : {name: line};
  });
}

function resolver() {
  const slot = h('div', {class: 'slot', 'aria-live': 'polite'});
  const output = h('div', {id: 'resolve-output'});
  const names = h('textarea', {name: 'names', rows: 8, spellcheck: 'false'});
  const form = h('form', {id: 'resolve-form', novalidate: true},
    field('Names, one per line', names, 'Paste a column from a spreadsheet; a tab or " | " then a country code narrows a line to that country.'),
    h('button', {type: 'submit'}, 'Resolve'), slot);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const queries = queriesOf(names.value);
    if (!queries.length || queries.length > MAX_NAMES) {
      showProblem(slot, {problem: {title: 'Nothing to resolve', detail: `Paste from 1 to ${MAX_NAMES} names, one per line.`}});
      return;
    }
    try {
      const answer = await api('/organizations/resolve', {method: 'POST', body: {queries, limit: 3}, key: true});
      names.setAttribute('aria-invalid', 'false');
      showProblem(slot, null);
      fill(output, resolutions(answer.data.results));
    } catch (error) {
      names.setAttribute('aria-invalid', String(error.status === 422));
      showProblem(slot, error);
    }
  });
  return h('section', {'aria-labelledby': 'resolve-title'}, h('h2', {id: 'resolve-title'}, 'Resolve names'), form, output);
}

function resolutions(results) {
  const found = results.filter((r) => r.candidates.some((c) => c.chosen)).length;
  return [h('p', {role: 'status'}, `${found} of ${results.length} names resolved.`),
    scrollBox(h('table', {id: 'resolve-table'},
      h('thead', {}, h('tr', {}, ['Name given', 'Organization', 'Score', 'Matched on', 'Other candidates'].map((c) => h('th', {scope: 'col'}, c)))),
      h('tbody', {}, results.map((r) => {
        const chosen = r.candidates.find((c) => c.chosen);
        const others = r.candidates.filter((c) => c !== chosen);
        return h('tr', {dataset: {resolved: chosen ? chosen.organization.slug : ''}},
          h('td', {}, r.name),
          h('td', {}, chosen ? h('a', {href: `/org/${chosen.organization.slug}`}, chosen.organization.name) : h('span', {class: 'not-ok'}, 'No confident match')),
          h('td', {}, chosen ? chosen.score.toFixed(2) : '—'),
          h('td', {}, chosen ? chosen.matching_type : '—'),
          h('td', {}, others.map((c, i) => [i ? '; ' : '', h('a', {href: `/org/${c.organization.slug}`}, c.organization.name), ` (${c.score.toFixed(2)})`])));
      }))))];
}

async function loadDuplicates(section) {
  const body = h('div', {});
  section.append(body);
  if (!session.key) {
    fill(body, h('p', {}, 'Listed with an admin key.'));
    return;
  }
  try {
    const answer = await api('/organizations/duplicates', {params: {page_size: 50}, key: true});
    fill(body, answer.data.length ? answer.data.map(pair) : h('p', {}, 'No probable duplicate.'));
  } catch (error) {
    fill(body, problemBox(error));
  }
}

function pair(duplicate) {
  const [a, b] = duplicate.organizations;
  const slot = h('div', {class: 'slot', 'aria-live': 'polite'});
  const describe = (o) => [h('a', {href: `/org/${o.slug}`}, o.name), ` (${o.slug}, ${countryName(o.country)})`];
  const merge = (from, into) => {
    const button = h('button', {type: 'button', class: 'secondary', onclick: async () => {
      if (button.dataset.armed !== 'yes') {
        button.dataset.armed = 'yes';
        button.textContent = `Confirm: merge ${from.slug} into ${into.slug}`;
        return;
      }
      button.disabled = true;
      try {
        // A merge changes the duplicate: it is sent with the ETag of the duplicate as read now.
        const read = await api(`/organizations/${from.id}`, {key: true});
        const answer = await api(`/organizations/${from.id}/merge`, {method: 'POST', body: {into: into.id}, key: true, ifMatch: read.etag});
        const result = answer.data;
        fill(slot, h('p', {class: 'notice', role: 'status'},
          `Merged into ${result.survivor.name}: ${result.partnerships_moved.length} links moved, `
          + `${result.partnerships_closed.length} closed, ${result.dialogues.length} dialogues changed.`));
        box.querySelectorAll('button').forEach((x) => x.remove());
      } catch (error) {
        button.disabled = false;
        showProblem(slot, error);
      }
    }}, `Merge ${from.slug} into ${into.slug}`);
    return button;
  };
  const box = h('div', {class: 'pair', dataset: {pair: `${a.id} ${b.id}`}},
    h('p', {}, describe(a), ' and ', describe(b)),
    h('ul', {}, duplicate.evidence.map((e) => h('li', {}, `same ${e.kind}: ${e.value}`))),
    h('div', {class: 'actions'}, merge(b, a), merge(a, b)), slot);
  return box;
}


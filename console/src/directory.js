// The directory: search as you type, facets with counts, sorting and paging, all in the URL.
import {api} from './api.js';
import {h, fill, debounce, problemBox} from './dom.js';
import {sectorName} from './reference.js';
import {navigate} from './router.js';
import {readFilters, hrefOf, toggled, SORTS, PAGE_SIZE, filterParams, countryName, filtered} from './filters.js';
import {facetCounts, facetPanel, regions} from './facets.js';

let firstResults = false;

/** Draw the directory into `main`; returns the function that follows later URLs. */
export async function render(main, url) {
  let state = readFilters(url);
  let controller = null;
  let lastTyped = 0;
  const search = h('input', {type: 'search', id: 'q', name: 'q', value: state.q,
    autocomplete: 'off', placeholder: 'Name, acronym, city, description…'});
  const sort = h('select', {id: 'sort', name: 'sort'},
    h('option', {value: ''}, 'Default order'),
    SORTS.map(([value, label]) => h('option', {value, selected: value === state.sort}, label)));
  const summary = h('p', {id: 'summary', class: 'summary', role: 'status', 'aria-live': 'polite'});
  const facets = h('div', {class: 'facet-list'});
  const results = h('section', {class: 'results', 'aria-labelledby': 'results-title'},
    h('h2', {id: 'results-title', class: 'visually-hidden'}, 'Results'));
  const list = h('ol', {class: 'cards', id: 'results'});
  const pager = h('nav', {'aria-label': 'Pages', class: 'pager'});
  const problem = h('div', {class: 'slot'});
  results.append(problem, list, pager);

  const go = (next, replace = false) => navigate(hrefOf('/', next), {replace});
  const typed = debounce(() => {
    const now = Date.now();
    go({...state, q: search.value, page: 1}, now - lastTyped < 2000);
    lastTyped = now;
  }, 250);
  search.addEventListener('input', typed);
  sort.addEventListener('change', () => go({...state, sort: sort.value, page: 1}));

  fill(main,
    h('h1', {tabindex: -1}, 'Directory'),
    h('form', {role: 'search', class: 'searchbar', onsubmit: (e) => {
      e.preventDefault();
      go({...state, q: search.value, page: 1});
    }},
    h('div', {class: 'field grow'}, h('label', {for: 'q'}, 'Search organizations'), search),
    h('div', {class: 'field'}, h('label', {for: 'sort'}, 'Sort by'), sort)),
    summary,
    h('div', {class: 'layout'},
      h('details', {class: 'facets', open: window.matchMedia('(min-width: 48rem)').matches},
        h('summary', {}, 'Filters'), facets),
      results));

  async function load() {
    controller?.abort();
    controller = new AbortController();
    const signal = controller.signal;
    const params = {...filterParams(state), sort: state.sort || undefined, page: state.page, page_size: PAGE_SIZE};
    summary.textContent = 'Searching…';
    main.setAttribute('aria-busy', 'true');
    // The list first: the facets' counts are asked for once it has come (they cost more).
    const listing = api('/organizations', {params, signal});
    const counting = listing.catch(() => null).then(() => Promise.all([facetCounts(state, signal), regions()]));
    try {
      const answer = await listing;
      drawResults(list, pager, summary, state, answer);
      showProblem(problem, null);
      if (!firstResults) {
        firstResults = true;
        performance.mark('partners-first-results');
      }
    } catch (error) {
      if (error.name === 'AbortError') return;
      summary.textContent = '';
      showProblem(problem, error);
    }
    try {
      const [counts, allRegions] = await counting;
      drawFacets(facets, state, counts, allRegions, (name, value, on) => go(toggled(state, name, value, on)));
    } catch (error) {
      if (error.name !== 'AbortError') fill(facets, problemBox(error));
    } finally {
      if (!signal.aborted) main.removeAttribute('aria-busy');
    }
  }

  await load();
  return (next) => {
    state = readFilters(next);
    if (document.activeElement !== search) search.value = state.q;
    sort.value = state.sort;
    load();
  };
}

function showProblem(slot, error) {
  fill(slot, error ? problemBox(error) : null);
}

/** Redraw the facets, keeping the focus on the checkbox that had it. */
function drawFacets(facets, state, counts, allRegions, onToggle) {
  const focused = document.activeElement?.dataset || {};
  const key = focused.facet ? [focused.facet, focused.value] : null;
  fill(facets, facetPanel(state, counts, allRegions, onToggle));
  if (key) {
    const again = [...facets.querySelectorAll('input[data-facet]')]
      .find((input) => input.dataset.facet === key[0] && input.dataset.value === key[1]);
    again?.focus();
  }
}

function drawResults(list, pager, summary, state, answer) {
  const total = answer.pagination?.total ?? answer.data.length;
  const pages = answer.pagination?.total_pages || 1;
  summary.textContent = total === 1 ? '1 organization' : `${total.toLocaleString('en')} organizations` +
    (filtered(state) ? ' match' : '') + (pages > 1 ? ` · page ${state.page} of ${pages}` : '');
  fill(list, answer.data.map(card));
  if (!answer.data.length) list.append(h('li', {class: 'empty'}, 'No organization matches these filters.'));
  const link = (page, label, rel) => h('a', {href: hrefOf('/', {...state, page}), rel}, label);
  fill(pager,
    state.page > 1 ? link(state.page - 1, '← Previous', 'prev') : null,
    pages > 1 ? h('span', {}, `Page ${state.page} of ${pages}`) : null,
    state.page < pages ? link(state.page + 1, 'Next →', 'next') : null,
    h('a', {href: hrefOf('/map', {...state, page: 1}), class: 'aside-link'}, 'Show these on the map'));
}

/** One organization in the list. */
export function card(org) {
  const description = org.description || '';
  return h('li', {class: 'card'},
    h('h3', {}, h('a', {href: `/org/${encodeURIComponent(org.slug)}`}, org.name),
      org.acronym ? h('span', {class: 'acronym'}, ` (${org.acronym})`) : null),
    h('p', {class: 'meta'},
      h('span', {class: `sector sector-${org.sector}`}, sectorName(org.sector)), ' · ',
      [org.city, countryName(org.country)].filter(Boolean).join(', '),
      org.open_to_dialogue ? h('span', {class: 'badge'}, 'Open to dialogue') : null),
    description ? h('p', {class: 'description'},
      description.length > 220 ? `${description.slice(0, 220)}…` : description) : null);
}

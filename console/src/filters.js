// The directory's filters as they live in the URL, shared by the list and the map.
import {query} from './api.js';

export const MULTI = ['sector', 'region', 'country', 'topic', 'language'];
export const SORTS = [
  ['name', 'Name, A to Z'],
  ['-name', 'Name, Z to A'],
  ['-updated_at', 'Recently updated'],
  ['-created_at', 'Recently added'],
];
export const PAGE_SIZE = 20;

const regionNames = new Intl.DisplayNames(['en'], {type: 'region'});
const languageNames = new Intl.DisplayNames(['en'], {type: 'language'});

/** A country's English name from its ISO code. */
export function countryName(code) {
  try {
    return regionNames.of(code) || code;
  } catch {
    return code;
  }
}

/** A language's English name from its ISO 639-1 code. */
export function languageName(code) {
  try {
    return languageNames.of(code) || code;
  } catch {
    return code;
  }
}

/** The filters, sort and page a URL holds. */
export function readFilters(url) {
  const search = url.searchParams;
  const state = {q: search.get('q') || '', sort: search.get('sort') || '', page: 1};
  for (const name of MULTI) state[name] = search.getAll(name);
  state.open = search.get('open_to_dialogue') === 'true';
  const page = Number.parseInt(search.get('page') || '1', 10);
  state.page = Number.isFinite(page) && page > 0 ? page : 1;
  return state;
}

/** The API parameters of a state, leaving out the facets named in `without`. */
export function filterParams(state, without = []) {
  const params = {q: state.q.trim()};
  for (const name of MULTI) if (!without.includes(name)) params[name] = state[name];
  if (state.open && !without.includes('open')) params.open_to_dialogue = 'true';
  return params;
}

/** The console URL of a state on a page of the console ('/' or '/map'). */
export function hrefOf(path, state) {
  const params = filterParams(state);
  if (state.sort) params.sort = state.sort;
  if (state.page > 1) params.page = state.page;
  return path + query(params);
}

/** A copy of a state with one value of a facet switched on or off, back on page 1. */
export function toggled(state, name, value, on) {
  const next = {...state, page: 1};
  if (name === 'open') {
    next.open = on;
  } else {
    const values = state[name].filter((v) => v !== value);
    next[name] = on ? [...values, value] : values;
  }
  return next;
}

/** True when any filter is set. */
export function filtered(state) {
  return Boolean(state.q.trim() || state.open || MULTI.some((name) => state[name].length));
}

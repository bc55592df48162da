// Every call to /api/v1 goes through here: keys, ETags, idempotency keys, problem documents.

const BASE = '/api/v1';
const KEY = 'partners-console-key';
const ORG = 'partners-console-organization';
const ROLE = 'partners-console-role';

/** An answer that was not 2xx (or a network failure), carrying its problem document. */
export class ApiError extends Error {
  constructor(status, problem, retryAfter) {
    super(problem?.title || `HTTP ${status}`);
    this.status = status;
    this.problem = problem;
    this.retryAfter = retryAfter;
  }
}

/** The key the user gave in this tab (sessionStorage only), and what it is for. */
export const session = {
  get key() { return sessionStorage.getItem(KEY) || ''; },
  get organization() { return sessionStorage.getItem(ORG) || ''; },
  get role() { return sessionStorage.getItem(ROLE) || ''; },
  save(key, organization, role) {
    sessionStorage.setItem(KEY, key);
    sessionStorage.setItem(ORG, organization || '');
    sessionStorage.setItem(ROLE, role || '');
    window.dispatchEvent(new Event('partners-key'));
  },
  forget() {
    for (const name of [KEY, ORG, ROLE]) sessionStorage.removeItem(name);
    window.dispatchEvent(new Event('partners-key'));
  },
};

/** A query string from an object; arrays repeat the parameter, empty values are left out. */
export function query(params) {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(params || {})) {
    for (const v of [].concat(value)) {
      if (v !== undefined && v !== null && v !== '') search.append(name, String(v));
    }
  }
  const text = search.toString();
  return text ? `?${text}` : '';
}

/**
 * Call the API. Options: method, body (JSON), params, key (true: the session's key, or a
 * string), ifMatch, signal. Resolves {data, status, headers, etag, pagination}; rejects with
 * ApiError for any non-2xx answer, with the problem document and Retry-After.
 */
export async function api(path, options = {}) {
  const {method = 'GET', body, params, key, ifMatch, signal} = options;
  const headers = {Accept: 'application/json'};
  const secret = key === true ? session.key : key;
  if (secret) headers.Authorization = `Bearer ${secret}`;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (ifMatch) headers['If-Match'] = ifMatch;
  if (method === 'POST') headers['Idempotency-Key'] = crypto.randomUUID();
  let response;
  try {
    response = await fetch(`${BASE}${path}${query(params)}`, {
      method, headers, signal, body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (error) {
    if (error.name === 'AbortError') throw error;
    throw new ApiError(0, {title: 'The server could not be reached', detail: String(error)});
  }
  const data = await readBody(response);
  if (!response.ok) {
    const problem = data && typeof data === 'object' ? data : {title: response.statusText};
    throw new ApiError(response.status, problem, response.headers.get('Retry-After'));
  }
  const pagination = response.headers.get('X-Pagination');
  return {
    data,
    status: response.status,
    headers: response.headers,
    etag: response.headers.get('ETag'),
    pagination: pagination ? JSON.parse(pagination) : null,
  };
}

async function readBody(response) {
  if (response.status === 204) return null;
  const text = await response.text();
  if (!text) return null;
  try {
    return JSON.parse(text);
  } catch {
    return {title: response.statusText, detail: text.slice(0, 300)};
  }
}

const cache = new Map();
/** A GET answer kept for the page's life (reference data: regions, topics, countries). */
export function cached(path, params) {
  const id = path + query(params);
  if (!cache.has(id)) {
    cache.set(id, api(path, {params}).then((r) => r.data).catch((e) => {
      cache.delete(id);
      throw e;
    }));
  }
  return cache.get(id);
}

/** Every page of a list (reference data, at most a few hundred items). */
export async function allPages(path, params = {}) {
  const items = [];
  for (let page = 1; ; page += 1) {
    const answer = await api(path, {params: {...params, page, page_size: 100}});
    items.push(...answer.data);
    if (!answer.pagination || page >= answer.pagination.total_pages) return items;
  }
}

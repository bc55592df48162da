// Small DOM helpers: build elements, show problems beside what caused them.

/** Build an element: h('a', {href: '/x', class: 'y', onclick: f}, 'text', child, [children]). */
export function h(tag, attrs = {}, ...children) {
  const svg = tag.startsWith('svg:');
  const el = svg
    ? document.createElementNS('http://www.w3.org/2000/svg', tag.slice(4))
    : document.createElement(tag);
  let initial;
  for (const [name, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (name === 'value' && !svg) {
      initial = value;
    } else if (name.startsWith('on') && typeof value === 'function') {
      el.addEventListener(name.slice(2), value);
    } else if (name === 'dataset') {
      Object.assign(el.dataset, value);
    } else if (!svg && name in el && typeof value !== 'string') {
      el[name] = value;
    } else {
      el.setAttribute(name, value === true ? '' : String(value));
    }
  }
  append(el, children);
  if (initial !== undefined) el.value = initial;
  return el;
}

function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

/** Replace an element's children. */
export function fill(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

let counter = 0;
/** A fresh id for label/aria wiring. */
export function uid(prefix = 'id') {
  counter += 1;
  return `${prefix}-${counter}`;
}

/** A problem document shown as an alert: title, detail, field errors and Retry-After. */
export function problemBox(error) {
  const problem = error && error.problem ? error.problem : null;
  const title = problem?.title || error?.message || 'Something went wrong';
  const box = h('div', {class: 'problem', role: 'alert'},
    h('strong', {class: 'problem-title'}, problem?.status ? `${problem.status} ${title}` : title));
  if (problem?.detail) box.append(h('p', {class: 'problem-detail'}, problem.detail));
  const fields = problem?.errors ? flattenErrors(problem.errors) : [];
  if (fields.length) {
    box.append(h('ul', {class: 'problem-fields'},
      fields.map(([field, message]) => h('li', {}, field ? `${field}: ${message}` : message))));
  }
  if (error?.retryAfter) {
    box.append(h('p', {class: 'problem-retry'}, `Retry after ${error.retryAfter} s.`));
  }
  return box;
}

/** [[field path, message], …] from a problem's `errors` (nested objects, lists of strings). */
export function flattenErrors(errors, prefix = '') {
  if (Array.isArray(errors)) {
    if (errors.every((e) => typeof e === 'string')) return errors.map((e) => [prefix, e]);
    return errors.flatMap((e, i) => flattenErrors(e, prefix ? `${prefix}.${i}` : String(i)));
  }
  if (errors && typeof errors === 'object') {
    return Object.entries(errors).flatMap(([k, v]) => {
      const path = k === '_schema' ? prefix : prefix ? `${prefix}.${k}` : k;
      return flattenErrors(v, path);
    });
  }
  return [[prefix, String(errors)]];
}

/** Put a problem (or nothing) into a slot beside an action; returns the slot. */
export function showProblem(slot, error) {
  fill(slot, error ? problemBox(error) : null);
  return slot;
}

/** Mark the inputs a 422 names as invalid (by name or dotted path), and clear the others. */
export function markFields(form, error) {
  const paths = flattenErrors(error?.problem?.errors || {}).map(([path]) => path).filter(Boolean);
  for (const input of form.querySelectorAll('[name]')) {
    const name = input.name;
    const named = paths.some((p) => p === name || p.startsWith(`${name}.`) || name.startsWith(`${p}.`));
    input.setAttribute('aria-invalid', String(named));
  }
}

/** A label with its control, wired by id. */
export function field(label, control, hint) {
  control.id ||= uid('field');
  const hintEl = hint ? h('small', {id: `${control.id}-hint`, class: 'hint'}, hint) : null;
  if (hintEl) control.setAttribute('aria-describedby', hintEl.id);
  return h('div', {class: 'field'}, h('label', {for: control.id}, label), control, hintEl);
}

/** Words for a snake_case or kebab-case value: civil_society -> Civil society. */
export function words(value) {
  const text = String(value ?? '').replace(/[_-]+/g, ' ');
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** Wait for `ms` after the last call before running `fn`. */
export function debounce(fn, ms) {
  let timer;
  return (...args) => {
    clearTimeout(timer);
    timer = setTimeout(() => fn(...args), ms);
  };
}

/** A table that may scroll sideways on a phone, reachable by keyboard to scroll it. */
export function scrollBox(table) {
  const caption = table.querySelector('caption')?.textContent;
  return h('div', {class: 'table-wrap', tabindex: 0, role: 'region',
    'aria-label': caption || table.id?.replaceAll('-', ' ') || 'Table'}, table);
}

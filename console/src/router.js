// The console's pages live in the URL: path and query hold the whole state.

const listeners = [];

/** Run `fn(url)` on every navigation (links, back and forward, navigate()). */
export function onNavigate(fn) {
  listeners.push(fn);
}

/** Go to a URL of the console: push it (or replace it) and show it. */
export function navigate(href, {replace = false} = {}) {
  const url = new URL(href, location.href);
  if (url.href === location.href && !replace) return;
  history[replace ? 'replaceState' : 'pushState'](null, '', url.pathname + url.search + url.hash);
  emit();
}

function emit() {
  for (const fn of listeners) fn(new URL(location.href));
}

/** The current query as {name: [values]}. */
export function currentParams() {
  const params = {};
  for (const [name, value] of new URLSearchParams(location.search)) {
    (params[name] ||= []).push(value);
  }
  return params;
}

/** Follow same-origin links inside the console without reloading the page. */
export function start() {
  document.addEventListener('click', (event) => {
    const link = event.target.closest('a[href]');
    if (!link || event.defaultPrevented || event.button !== 0) return;
    if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    const url = new URL(link.href, location.href);
    const outside = url.origin !== location.origin || link.target || link.hasAttribute('download');
    if (outside || /^\/(api|docs|redoc|console-assets)\b/.test(url.pathname)) return;
    event.preventDefault();
    navigate(url.href);
  });
  window.addEventListener('popstate', emit);
  emit();
}

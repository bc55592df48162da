// The console: a header, a key indicator and the page the URL names.
import {h, fill} from './dom.js';
import {session} from './api.js';
import {start, onNavigate} from './router.js';
import * as directory from './directory.js';

// The directory is in the first script; the other pages (and d3's layout, map and zoom
// code they use) load when first visited.
const ROUTES = [
  [/^\/$/, async () => directory, 'Directory'],
  [/^\/org\/(.+)$/, () => import('./organization.js'), 'Organization'],
  [/^\/map$/, () => import('./map.js'), 'Map'],
  [/^\/roster$/, () => import('./roster.js'), 'Roster builder'],
  [/^\/account$/, () => import('./account.js'), 'Your key'],
  [/^\/admin$/, () => import('./admin.js'), 'Admin'],
];

const NAV = [
  ['/', 'Directory'],
  ['/map', 'Map'],
  ['/roster', 'Roster builder'],
  ['/account', 'Your key'],
  ['/admin', 'Admin'],
];

const main = document.getElementById('main');
const nav = document.getElementById('nav');
let current = null;

function drawNav(path) {
  fill(nav, h('ul', {}, NAV.map(([href, label]) => {
    const here = href === '/' ? path === '/' : path.startsWith(href);
    return h('li', {}, h('a', {href, 'aria-current': here ? 'page' : null}, label));
  })));
  const roles = {admin: 'an admin key', organization: `the key of ${session.organization}`, convener: 'a convener\'s key'};
  fill(document.getElementById('key-state'), session.key ? `Using ${roles[session.role] || 'a key'}` : 'No key (public reads)');
}

async function show(url) {
  drawNav(url.pathname);
  const route = ROUTES.find(([pattern]) => pattern.test(decodeURI(url.pathname)));
  if (!route) {
    current = null;
    fill(main, h('h1', {tabindex: -1}, 'Not found'), h('p', {}, h('a', {href: '/'}, 'Back to the directory')));
    return;
  }
  const [pattern, load, title] = route;
  const view = await load();
  const match = decodeURI(url.pathname).match(pattern);
  if (current && current.view === view && current.path === url.pathname && current.update) {
    current.update(url);
    return;
  }
  document.title = `${title} · Partners console`;
  const instance = {view, path: url.pathname, update: null};
  current = instance;
  fill(main);
  instance.update = await view.render(main, url, match.slice(1));
  if (current === instance) {
    const heading = main.querySelector('h1');
    if (heading && document.activeElement === document.body) heading.focus({preventScroll: true});
  }
}

onNavigate((url) => {
  show(url).catch((error) => console.warn(error));
});
window.addEventListener('partners-key', () => drawNav(location.pathname));
start();

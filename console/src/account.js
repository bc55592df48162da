// The key of this tab (sessionStorage only) and, with an organization's key, its inbox.
import {api, session} from './api.js';
import {h, fill, field, showProblem, problemBox} from './dom.js';
import {sectorName} from './reference.js';
import {invitationsInbox} from './invite.js';

const ROLES = {admin: 'an admin key', organization: 'an organization key', convener: 'a convener\'s key'};

/** Draw the key form, or the key in use and what it opens. */
export async function render(main) {
  const body = h('div', {});
  fill(main, h('h1', {tabindex: -1}, 'Your key'), body);
  const redraw = () => (session.key ? inUse(body, redraw) : keyForm(body, redraw));
  await redraw();
  return null;
}

/** Ask the API what a key is: 401 when wrong or revoked; admin when it may list keys. */
async function check(key) {
  await api('/organizations', {params: {page_size: 1}, key});
  try {
    await api('/keys', {params: {page_size: 1}, key});
    return 'admin';
  } catch (error) {
    if (error.status === 403) return 'organization';
    throw error;
  }
}

function keyForm(body, redraw) {
  const keySlot = h('div', {class: 'slot'});
  const orgSlot = h('div', {class: 'slot'});
  const keyInput = h('input', {type: 'password', name: 'key', autocomplete: 'off', spellcheck: 'false', required: true});
  const orgInput = h('input', {type: 'text', name: 'organization', autocomplete: 'off'});
  const form = h('form', {id: 'key-form', novalidate: true},
    field('API key', keyInput, 'Kept in this tab only (sessionStorage), sent only to this server.'), keySlot,
    field('Your organization', orgInput, 'Its slug or id, for an organization key (org:write); leave empty for an admin or a convener\'s key.'), orgSlot,
    h('button', {type: 'submit'}, 'Use this key'));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    showProblem(keySlot, null);
    showProblem(orgSlot, null);
    const key = keyInput.value.trim();
    let role;
    try {
      role = await check(key);
      keyInput.setAttribute('aria-invalid', 'false');
    } catch (error) {
      keyInput.setAttribute('aria-invalid', 'true');
      showProblem(keySlot, error);
      return;
    }
    let organization = '';
    if (orgInput.value.trim()) {
      try {
        organization = (await api(`/organizations/${encodeURIComponent(orgInput.value.trim())}`)).data.slug;
      } catch (error) {
        orgInput.setAttribute('aria-invalid', 'true');
        showProblem(orgSlot, error);
        return;
      }
    }
    // A key that is not admin acts for the organization named, else as a convener's.
    session.save(key, organization, role === 'admin' ? 'admin' : organization ? 'organization' : 'convener');
    redraw();
  });
  fill(body, h('p', {}, 'Reads are public. A key lets you act: an organization\'s key answers its proposals and invitations and edits its record; a convener\'s key invites rosters to dialogues; an admin key does all of it and also resolves names and merges duplicates.'), form);
}

async function inUse(body, redraw) {
  const org = session.organization;
  fill(body,
    h('p', {}, `Using ${ROLES[session.role] || 'a key'} (${session.key.slice(0, 12)}…)`,
      org ? [' for ', h('a', {href: `/org/${org}`}, org)] : '', '. ',
      h('button', {type: 'button', class: 'secondary', onclick: () => {
        session.forget();
        redraw();
      }}, 'Forget this key')),
    org ? h('p', {}, h('a', {href: `/org/${org}#edit-title`}, 'Edit your record')) : null,
    session.role === 'admin' ? h('p', {}, h('a', {href: '/admin'}, 'Resolve names and merge duplicates')) : null,
    ['admin', 'convener'].includes(session.role) ? h('p', {}, h('a', {href: '/roster'}, 'Compose a roster and invite it')) : null);
  if (org) await inbox(body, org);
}

/** Proposals to and from the organization, and its invitations. */
async function inbox(body, ref) {
  const box = h('section', {'aria-labelledby': 'inbox-title', id: 'inbox'}, h('h2', {id: 'inbox-title'}, 'Inbox'));
  body.append(box);
  try {
    const org = (await api(`/organizations/${encodeURIComponent(ref)}`)).data;
    const answer = await api('/partnerships', {params: {organization: org.id, status: 'proposed', page_size: 100}});
    const toUs = answer.data.filter((p) => p.partner.id === org.id);
    const fromUs = answer.data.filter((p) => p.proposer.id === org.id);
    box.append(
      h('h3', {}, `Proposals to you (${toUs.length})`),
      toUs.length ? h('ul', {class: 'cards', id: 'proposals'}, toUs.map((p) => proposal(p, p.proposer, true))) : h('p', {}, 'None waiting.'),
      h('h3', {}, `Proposals you sent (${fromUs.length})`),
      fromUs.length ? h('ul', {class: 'cards'}, fromUs.map((p) => proposal(p, p.partner, false))) : h('p', {}, 'None waiting.'),
      await invitationsInbox(org));
  } catch (error) {
    box.append(problemBox(error));
  }
}

function proposal(link, other, answerable) {
  const slot = h('div', {class: 'slot', 'aria-live': 'polite'});
  const act = (verb) => async (event) => {
    const buttons = event.target.parentElement.querySelectorAll('button');
    buttons.forEach((b) => { b.disabled = true; });
    try {
      const answer = await api(`/partnerships/${link.id}/${verb}`, {method: 'POST', key: true});
      fill(slot, h('p', {class: 'notice', role: 'status'}, `${verb === 'accept' ? 'Accepted' : 'Declined'}: the link is now ${answer.data.status}.`));
      buttons.forEach((b) => b.remove());
    } catch (error) {
      buttons.forEach((b) => { b.disabled = false; });
      showProblem(slot, error);
    }
  };
  return h('li', {class: 'card', dataset: {partnership: link.id}},
    h('h4', {}, h('a', {href: `/org/${other.slug}`}, other.name)),
    h('p', {class: 'meta'}, `${link.kind} · ${sectorName(other.sector)} · proposed ${link.created_at.slice(0, 10)}`),
    link.description ? h('p', {}, link.description) : null,
    answerable ? h('div', {class: 'actions'},
      h('button', {type: 'button', onclick: act('accept')}, `Accept ${link.kind} with ${other.name}`),
      h('button', {type: 'button', class: 'secondary', onclick: act('decline')}, 'Decline')) : null,
    slot);
}

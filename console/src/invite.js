// Invitations to dialogues: a convener invites a composed roster; an organization answers.
import {api, session} from './api.js';
import {h, fill, field, showProblem, problemBox} from './dom.js';
import {countryName} from './filters.js';

/** True when this tab's key may invite (admin, or a key given without an organization). */
function mayConvene() {
  return Boolean(session.key) && ['admin', 'convener'].includes(session.role);
}

/** Invite the roster a compose request builds to a planned dialogue (a convener's key). */
export function invitePanel(body) {
  const section = h('section', {'aria-labelledby': 'invite-title', id: 'invite'}, h('h2', {id: 'invite-title'}, 'Invite this roster'));
  if (!mayConvene()) {
    section.append(h('p', {}, 'With a convener\'s key (', h('a', {href: '/account'}, 'give one'), ') you can invite this roster to a planned dialogue.'));
    return section;
  }
  const slot = h('div', {class: 'slot', 'aria-live': 'polite'});
  const dialogue = h('select', {name: 'dialogue', required: true}, h('option', {value: ''}, 'Loading…'));
  const message = h('textarea', {name: 'message', rows: 3, maxlength: 1000});
  const output = h('div', {id: 'invite-output'});
  const form = h('form', {id: 'invite-form', novalidate: true},
    field('Dialogue', dialogue, 'A planned dialogue; the roster\'s size becomes its capacity'),
    field('Message to every organization invited', message),
    h('button', {type: 'submit'}, 'Invite this roster'), slot);
  api('/dialogues', {params: {status: 'planned', page_size: 100}}).then((answer) => {
    fill(dialogue, h('option', {value: ''}, 'Choose a dialogue'),
      answer.data.map((d) => h('option', {value: d.id}, `${d.title} (${d.starts_on || 'no date'})`)));
  }).catch((error) => showProblem(slot, error));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (!dialogue.value) {
      dialogue.setAttribute('aria-invalid', 'true');
      showProblem(slot, {problem: {title: 'Which dialogue?', detail: 'Choose the dialogue to invite the roster to.'}});
      return;
    }
    try {
      const answer = await api(`/dialogues/${dialogue.value}/invitations`, {method: 'POST', key: true,
        body: {compose: body, message: message.value}});
      dialogue.setAttribute('aria-invalid', 'false');
      showProblem(slot, null);
      fill(output, h('p', {class: 'notice', role: 'status'}, `${answer.data.invitations.length} organizations invited.`),
        h('ul', {id: 'invited'}, answer.data.invitations.map((i) => h('li', {dataset: {invitation: i.id, organization: i.organization.id}},
          h('a', {href: `/org/${i.organization.slug}`}, i.organization.name), ` · ${i.status}`))));
    } catch (error) {
      showProblem(slot, error);
    }
  });
  section.append(form, output);
  return section;
}

/** The organization's open invitations, to accept or decline, and those it accepted. */
export async function invitationsInbox(org) {
  const box = h('div', {id: 'invitations'});
  try {
    const [open, accepted] = await Promise.all(['invited', 'accepted'].map((status) =>
      api(`/organizations/${org.id}/invitations`, {params: {status, page_size: 100}, key: true}).then((a) => a.data)));
    const titles = await dialogueTitles([...open, ...accepted]);
    fill(box,
      h('h3', {}, `Invitations (${open.length})`),
      open.length ? h('ul', {class: 'cards', id: 'invitations-open'}, open.map((i) => invitation(i, titles, ['accept', 'decline'])))
        : h('p', {}, 'No invitation waiting.'),
      h('h3', {}, `Dialogues you accepted (${accepted.length})`),
      accepted.length ? h('ul', {class: 'cards', id: 'invitations-accepted'}, accepted.map((i) => invitation(i, titles, ['decline'])))
        : h('p', {}, 'None.'));
  } catch (error) {
    fill(box, h('h3', {}, 'Invitations'), problemBox(error));
  }
  return box;
}

async function dialogueTitles(items) {
  const ids = [...new Set(items.map((i) => i.dialogue_id))];
  const dialogues = await Promise.all(ids.map((id) => api(`/dialogues/${id}`).then((a) => a.data).catch(() => null)));
  return new Map(dialogues.filter(Boolean).map((d) => [d.id, d]));
}

function invitation(item, titles, verbs) {
  const dialogue = titles.get(item.dialogue_id);
  const slot = h('div', {class: 'slot', 'aria-live': 'polite'});
  const reply = h('input', {type: 'text', name: 'answer', maxlength: 1000});
  const act = (verb) => async (event) => {
    const buttons = event.target.parentElement.querySelectorAll('button');
    buttons.forEach((b) => { b.disabled = true; });
    try {
      const answer = await api(`/dialogues/${item.dialogue_id}/invitations/${item.id}/${verb}`,
        {method: 'POST', key: true, body: {message: reply.value}});
      fill(slot, h('p', {class: 'notice', role: 'status'}, `Done: the invitation is now ${answer.data.status}.`));
      buttons.forEach((b) => b.remove());
    } catch (error) {
      buttons.forEach((b) => { b.disabled = false; });
      showProblem(slot, error);
    }
  };
  const title = dialogue ? dialogue.title : `Dialogue ${item.dialogue_id}`;
  return h('li', {class: 'card', dataset: {invitation: item.id}},
    h('h4', {}, title),
    h('p', {class: 'meta'}, [dialogue?.starts_on, dialogue?.city, dialogue?.country ? countryName(dialogue.country) : null,
      dialogue?.virtual ? 'online' : null].filter(Boolean).join(' · '),
    item.expires_at && item.status === 'invited' ? ` · answer by ${item.expires_at.slice(0, 10)}` : ''),
    item.message ? h('p', {}, h('q', {}, item.message)) : null,
    field(`Your message with the answer (${title})`, reply),
    h('div', {class: 'actions'}, verbs.map((verb) => h('button', {type: 'button', class: verb === 'accept' ? null : 'secondary',
      onclick: act(verb)}, verb === 'accept' ? `Accept: ${title}` : `Decline: ${title}`))),
    slot);
}


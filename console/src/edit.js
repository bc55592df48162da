// Editing an organization's own record with the ETag it was read with (412 after another edit).
import {api, session} from './api.js';
import {h, field, showProblem, markFields} from './dom.js';

/** True when this tab's key may edit the organization: admin, or its own key. */
export function mayEdit(org) {
  if (!session.key) return false;
  if (session.role === 'admin') return true;
  return [org.slug, String(org.id)].includes(session.organization);
}

const list = (value) => value.split(',').map((v) => v.trim()).filter(Boolean);
const TEXT = ['name', 'acronym', 'city', 'website', 'description'];

function values(org) {
  return {
    name: org.name, acronym: org.acronym || '', city: org.city || '', website: org.website || '',
    description: org.description || '', languages: org.languages.join(', '),
    offers: org.offers.join(', '), seeks: org.seeks.join(', '), open_to_dialogue: org.open_to_dialogue,
  };
}

/** The fields that differ from what was read, as a PATCH body. */
function changes(form, read) {
  const body = {};
  for (const name of TEXT) {
    const value = form.elements[name].value.trim();
    if (value !== read[name]) body[name] = value || (name === 'name' || name === 'description' ? value : null);
  }
  for (const name of ['languages', 'offers', 'seeks']) {
    const value = list(form.elements[name].value);
    if (value.join(', ') !== read[name]) body[name] = value;
  }
  if (form.elements.open_to_dialogue.checked !== read.open_to_dialogue) {
    body.open_to_dialogue = form.elements.open_to_dialogue.checked;
  }
  return body;
}

/** Put read values into the form, but for the fields named in `kept` (what the user typed). */
function writeValues(form, read, kept) {
  for (const [name, value] of Object.entries(read)) {
    if (kept.includes(name)) continue;
    const input = form.elements[name];
    if (input.type === 'checkbox') input.checked = value;
    else input.value = value;
  }
}

/** The edit form; `onSaved(org)` redraws the record after a save. */
export function editForm(org, etag, onSaved) {
  let read = values(org);
  let tag = etag;
  const slot = h('div', {class: 'slot', 'aria-live': 'polite'});
  const input = (name, label, hint) => field(label,
    h('input', {type: name === 'website' ? 'url' : 'text', name, value: read[name]}), hint);
  const form = h('form', {id: 'edit-form', novalidate: true},
    h('div', {class: 'form-grid'},
      input('name', 'Name'), input('acronym', 'Acronym'), input('city', 'City'), input('website', 'Website'),
      input('languages', 'Languages', 'ISO 639-1 codes, separated by commas'),
      input('offers', 'Offers', 'topic slugs, separated by commas'),
      input('seeks', 'Seeks', 'topic slugs, separated by commas')),
    field('Description', h('textarea', {name: 'description', value: read.description})),
    h('div', {class: 'field'}, h('label', {}, h('input', {type: 'checkbox', name: 'open_to_dialogue',
      checked: read.open_to_dialogue}), ' Open to dialogue')),
    h('div', {class: 'actions'}, h('button', {type: 'submit'}, 'Save changes'),
      h('span', {class: 'hint'}, 'Saved with If-Match: a change made meanwhile by someone else is not overwritten.')),
    slot);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const body = changes(form, read);
    if (!Object.keys(body).length) {
      showProblem(slot, null).append(h('p', {class: 'notice'}, 'Nothing changed.'));
      return;
    }
    try {
      const answer = await api(`/organizations/${org.id}`, {method: 'PATCH', body, key: true, ifMatch: tag});
      tag = answer.etag;
      read = values(answer.data);
      markFields(form, null);
      showProblem(slot, null).append(h('p', {class: 'notice', role: 'status'}, 'Saved.'));
      onSaved(answer.data);
    } catch (error) {
      markFields(form, error);
      showProblem(slot, error);
      if (error.status === 412) slot.append(reloadButton(org, slot, (fresh, freshTag) => {
        const mine = changes(form, read);
        tag = freshTag;
        read = values(fresh);
        writeValues(form, read, Object.keys(mine));
        onSaved(fresh);
      }));
    }
  });
  return h('section', {'aria-labelledby': 'edit-title', id: 'edit'},
    h('h2', {id: 'edit-title'}, 'Edit this record'), form);
}

/** After a 412: read the record again; the form keeps what was typed, to be saved over it. */
function reloadButton(org, slot, onFresh) {
  return h('button', {type: 'button', class: 'secondary', onclick: async () => {
    try {
      const answer = await api(`/organizations/${org.id}`, {key: true});
      onFresh(answer.data, answer.etag);
      showProblem(slot, null).append(h('p', {class: 'notice', role: 'status'},
        'The record above is the latest version. The fields you changed keep what you typed; the others now show the latest values. Save to apply your changes to it.'));
    } catch (error) {
      showProblem(slot, error);
    }
  }}, 'Load the latest version, keep my changes');
}

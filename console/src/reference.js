// Reference data every page names things with: topics and regions, fetched once.
import {allPages} from './api.js';
import {words} from './dom.js';

let topics = null;
let regionList = null;

/** Topic slug -> topic, for names. */
export async function topicTable() {
  topics ||= allPages('/topics').then((items) => new Map(items.map((t) => [t.slug, t])))
    .catch((error) => {
      topics = null;
      throw error;
    });
  return topics;
}

/** Every region (M49 tree and groupings). */
export async function regionsList() {
  regionList ||= allPages('/regions').catch((error) => {
    regionList = null;
    throw error;
  });
  return regionList;
}

/** A topic's name from the table, else its slug in words. */
export function topicName(table, slug) {
  return table?.get(slug)?.name || words(slug);
}

/** Sector labels as people write them. */
export function sectorName(sector) {
  return sector === 'ai_safety_institute' ? 'AI safety institute' : words(sector);
}

// Invitations to dialogues (when the API offers them): inviting a roster, answering in the inbox.

/** Nothing yet: invitations are not in this API version. */
export function invitePanel() {
  return null;
}

/** Nothing yet: invitations are not in this API version. */
export async function invitationsInbox() {
  return null;
}

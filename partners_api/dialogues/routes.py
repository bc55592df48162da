"""Routes of /dialogues and their participants.

The roster composition route, /dialogues/compose, joins this blueprint from
partners_api.matching.routes.
"""

from __future__ import annotations

from flask import url_for
from flask.views import MethodView

from partners_api.api.bases import Blueprint
from partners_api.api.links import etag_links, link
from partners_api.api.pagination import page_of
from partners_api.changes.schemas import ChangeEventSchema
from partners_api.db import get_session
from partners_api.dialogues import service
from partners_api.dialogues.schemas import (
    DialogueCreateSchema,
    DialoguePatchSchema,
    DialogueQueryArgsSchema,
    DialogueSchema,
    ParticipantPutSchema,
    ParticipantSchema,
)
from partners_api.keys import auth
from partners_api.organizations import service as organizations

blp = Blueprint(
    "dialogues",
    __name__,
    url_prefix="/api/v1/dialogues",
    description="Dialogues (convenings): their topics, dates, place and participants.",
)


BY_ID = {"dialogue_id": "$response.body#/id"}
GET = {"GetDialogue": link("getDialogue", "Read it again.", BY_ID)}
WRITE = etag_links(BY_ID, updateDialogue="Change", deleteDialogue="Delete")
PARTICIPANTS = {
    "SetDialogueParticipant": link("setDialogueParticipant", "Add a participant.", BY_ID),
}
PARTICIPANT = {
    "path.dialogue_id": "$request.path.dialogue_id",
    "path.org_id": "$request.path.org_id",
}


def dialogue_etag(dialogue) -> dict:
    """The data an ETag of a dialogue is computed from."""
    return {"dialogue": dialogue.id, "version": dialogue.version}


@blp.route("")
class DialogueViews(MethodView):
    """The list of dialogues."""

    @blp.arguments(DialogueQueryArgsSchema, location="query")
    @blp.response(200, DialogueSchema(many=True))
    @blp.paginate()
    @blp.doc(operationId="listDialogues")
    def get(self, args, pagination_parameters):
        """List dialogues

        Filter by topic (topics below included), status and participating organization.
        """
        dialogues = page_of(
            pagination_parameters, service.list_dialogues, session=get_session(), **args
        )
        return dialogues

    @blp.etag
    @blp.arguments(DialogueCreateSchema)
    @blp.response(201, DialogueSchema)
    @blp.errors(403)
    @blp.doc(operationId="createDialogue")
    @blp.links(201, **GET, **WRITE, **PARTICIPANTS)
    def post(self, data):
        """Create a dialogue

        Admin only. Add participants with PUT /dialogues/{id}/participants/{org_id}.
        """
        principal = auth.require_admin()
        dialogue = service.create_dialogue(get_session(), data=data, actor_key_id=principal.key_id)
        blp.set_etag(dialogue_etag(dialogue))
        return dialogue, {
            "Location": url_for("dialogues.DialogueByIdViews", dialogue_id=dialogue.id)
        }


@blp.route("/<int:dialogue_id>")
@blp.etag
class DialogueByIdViews(MethodView):
    """One dialogue."""

    @blp.response(200, DialogueSchema)
    @blp.errors(404)
    @blp.doc(operationId="getDialogue")
    @blp.links(200, **WRITE, **PARTICIPANTS)
    def get(self, dialogue_id):
        """Get a dialogue

        Its topics, dates, place and participants with their roles.
        """
        dialogue = service.get_dialogue(get_session(), dialogue_id=dialogue_id)
        blp.set_etag(dialogue_etag(dialogue))
        return dialogue

    @blp.arguments(DialoguePatchSchema)
    @blp.response(200, DialogueSchema)
    @blp.errors(403, 404)
    @blp.doc(operationId="updateDialogue")
    @blp.links(200, **GET, **WRITE)
    def patch(self, data, dialogue_id):
        """Update a dialogue

        Admin only, with `If-Match`.
        """
        principal = auth.require_admin()
        session = get_session()
        dialogue = service.get_dialogue(session, dialogue_id=dialogue_id)
        blp.check_etag(dialogue_etag(dialogue))
        service.update_dialogue(
            session, dialogue=dialogue, data=data, actor_key_id=principal.key_id
        )
        blp.set_etag(dialogue_etag(dialogue))
        return dialogue

    @blp.response(204)
    @blp.errors(403, 404)
    @blp.doc(operationId="deleteDialogue")
    def delete(self, dialogue_id):
        """Delete a dialogue

        Admin only, with `If-Match`; its participation records go with it.
        """
        principal = auth.require_admin()
        session = get_session()
        dialogue = service.get_dialogue(session, dialogue_id=dialogue_id)
        blp.check_etag(dialogue_etag(dialogue))
        service.delete_dialogue(session, dialogue=dialogue, actor_key_id=principal.key_id)


@blp.route("/<int:dialogue_id>/history")
class DialogueHistoryViews(MethodView):
    """The change events of one dialogue."""

    @blp.response(200, ChangeEventSchema(many=True))
    @blp.paginate()
    @blp.errors(404)
    @blp.doc(operationId="listDialogueHistory")
    def get(self, dialogue_id, pagination_parameters):
        """List a dialogue's changes

        Newest first: its own changes (participants joining and leaving) and those of its
        invitations (created, accepted, declined, withdrawn, expired).
        """
        session = get_session()
        dialogue = service.get_dialogue(session, dialogue_id=dialogue_id)
        return page_of(pagination_parameters, service.history, session=session, dialogue=dialogue)


@blp.route("/<int:dialogue_id>/participants/<int:org_id>")
class ParticipantViews(MethodView):
    """One organization's part in a dialogue."""

    @blp.arguments(ParticipantPutSchema)
    @blp.response(200, ParticipantSchema)
    @blp.alt_response(201, schema=ParticipantSchema, description="Added.", success=True)
    @blp.errors(403, 404)
    @blp.doc(operationId="setDialogueParticipant")
    @blp.links(
        200,
        RemoveDialogueParticipant=link(
            "removeDialogueParticipant", "Remove this participant again.", PARTICIPANT
        ),
    )
    @blp.links(
        201,
        RemoveDialogueParticipant=link(
            "removeDialogueParticipant", "Remove this participant again.", PARTICIPANT
        ),
    )
    def put(self, data, dialogue_id, org_id):
        """Add a participant or change its role

        Admin, or the organization's own key for itself. 201 when added, 200 when the
        role changed or was already so. No `If-Match` needed: the call is idempotent.
        """
        session = get_session()
        principal = auth.require_key()
        dialogue = service.get_dialogue(session, dialogue_id=dialogue_id)
        organization = organizations.get_organization(session, ref=org_id)
        participant, added = service.set_participant(
            session,
            dialogue=dialogue,
            organization=organization,
            role=data["role"],
            principal=principal,
        )
        return participant, 201 if added else 200

    @blp.response(204)
    @blp.errors(403, 404)
    @blp.doc(operationId="removeDialogueParticipant")
    def delete(self, dialogue_id, org_id):
        """Remove a participant

        Admin, or the organization's own key for itself.
        """
        session = get_session()
        principal = auth.require_key()
        dialogue = service.get_dialogue(session, dialogue_id=dialogue_id)
        service.remove_participant(
            session, dialogue=dialogue, organization_id=org_id, principal=principal
        )

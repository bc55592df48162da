"""Routes of a dialogue's invitations, their answers and refills, and an organization's inbox."""

from __future__ import annotations

from flask import url_for
from flask.views import MethodView

from partners_api.api.bases import Blueprint
from partners_api.api.links import link
from partners_api.api.pagination import page_of
from partners_api.convening import refill, service
from partners_api.convening.schemas import (
    AnswerSchema,
    InvitationBatchSchema,
    InvitationCreateSchema,
    InvitationQueryArgsSchema,
    InvitationSchema,
    RefillReportSchema,
    RefillSchema,
)
from partners_api.db import get_session
from partners_api.dialogues import invitations
from partners_api.dialogues import service as dialogues
from partners_api.errors import Forbidden
from partners_api.keys import auth
from partners_api.organizations import service as organizations

blp = Blueprint(
    "invitations",
    __name__,
    url_prefix="/api/v1",
    description="Invitations to dialogues: conveners invite organizations (one by one or "
    "from a composed roster), each answers with its own key, and refills invite the "
    "ranked reserves into declined seats while keeping every quota.",
)

BY_ID = {
    "dialogue_id": "$response.body#/dialogue_id",
    "invitation_id": "$response.body#/id",
}
IN_DIALOGUE = {"dialogue_id": "$request.path.dialogue_id"}
ANSWERS = {
    "AcceptInvitation": link("acceptInvitation", "The invited organization accepts.", BY_ID),
    "DeclineInvitation": link("declineInvitation", "The invited organization declines.", BY_ID),
    "WithdrawInvitation": link("withdrawInvitation", "The convener withdraws it.", BY_ID),
}


def invitation_etag(invitation) -> dict:
    """The data an ETag of an invitation is computed from (its status as of now included)."""
    return {
        "invitation": invitation.id,
        "version": invitation.version,
        "status": invitations.status_of(invitation),
    }


@blp.route("/dialogues/<int:dialogue_id>/invitations")
class DialogueInvitationViews(MethodView):
    """The invitations of one dialogue."""

    @blp.arguments(InvitationQueryArgsSchema, location="query")
    @blp.response(200, InvitationSchema(many=True))
    @blp.paginate()
    @blp.errors(403, 404)
    @blp.doc(operationId="listDialogueInvitations")
    def get(self, args, dialogue_id, pagination_parameters):
        """List a dialogue's invitations

        Conveners (`dialogues:convene`) and admins; by id, filtered by status as of now.
        """
        auth.require_convener()
        session = get_session()
        dialogues.get_dialogue(session, dialogue_id=dialogue_id)
        return page_of(
            pagination_parameters,
            invitations.list_invitations,
            session=session,
            dialogue_id=dialogue_id,
            **args,
        )

    @blp.arguments(InvitationCreateSchema)
    @blp.response(201, InvitationBatchSchema)
    @blp.errors(403, 404, 409)
    @blp.doc(operationId="createInvitations")
    @blp.links(
        201,
        ListDialogueInvitations=link("listDialogueInvitations", "Follow the answers.", IN_DIALOGUE),
        GetInvitation=link(
            "getInvitation",
            "Read the first invitation.",
            {**IN_DIALOGUE, "invitation_id": "$response.body#/invitations/0/id"},
        ),
        RefillInvitations=link(
            "refillInvitations", "Invite reserves into declined seats.", IN_DIALOGUE
        ),
    )
    def post(self, data, dialogue_id):
        """Invite organizations to a dialogue

        Conveners and admins. Either `organization_ids`, or `compose`: a body of POST
        /dialogues/compose whose roster is invited; the dialogue then keeps the request
        and the ranked reserves for refills, and takes the roster's size as its
        capacity if it had none. Unanswered invitations expire at `expires_at` (default:
        the start of the dialogue's first day). Refused: a dialogue not planned (409
        `dialogue_not_planned`) or begun (409 `dialogue_started`); unknown ids (422
        `unknown_value` naming them); archived organizations (422
        `organization_archived`) or not open to dialogue (422 `not_open_to_dialogue`);
        organizations already invited (409 `already_invited`) or that declined (409
        `declined_before`); an infeasible compose (422 `infeasible`). Nothing is written
        when anything is refused.
        """
        principal = auth.require_convener()
        session = get_session()
        dialogue = dialogues.get_dialogue(session, dialogue_id=dialogue_id)
        made = service.create_invitations(
            session, dialogue=dialogue, data=data, principal=principal
        )
        location = url_for("invitations.DialogueInvitationViews", dialogue_id=dialogue_id)
        return made, {"Location": location}


@blp.route("/dialogues/<int:dialogue_id>/invitations/<int:invitation_id>")
@blp.etag
class InvitationByIdViews(MethodView):
    """One invitation."""

    @blp.response(200, InvitationSchema)
    @blp.errors(403, 404)
    @blp.doc(operationId="getInvitation")
    @blp.links(200, **ANSWERS)
    def get(self, dialogue_id, invitation_id):
        """Get an invitation

        Conveners, admins, and the invited organization's own key.
        """
        principal = auth.require_key()
        session = get_session()
        invitation = invitations.get_invitation(
            session, dialogue_id=dialogue_id, invitation_id=invitation_id
        )
        if not (
            principal.is_convener or principal.can_write_organization(invitation.organization_id)
        ):
            raise Forbidden("Only conveners and the invited organization may read it.")
        blp.set_etag(invitation_etag(invitation))
        return invitation


def _answer(dialogue_id: int, invitation_id: int, action: str, message: str = ""):
    session = get_session()
    principal = auth.require_key()
    dialogue = dialogues.lock_dialogue(session, dialogue_id=dialogue_id)
    invitation = invitations.get_invitation(
        session, dialogue_id=dialogue_id, invitation_id=invitation_id
    )
    return service.answer(
        session,
        dialogue=dialogue,
        invitation=invitation,
        action=action,
        message=message,
        principal=principal,
    )


@blp.route("/dialogues/<int:dialogue_id>/invitations/<int:invitation_id>/accept")
class InvitationAcceptViews(MethodView):
    """Accepting an invitation."""

    @blp.arguments(AnswerSchema)
    @blp.response(200, InvitationSchema)
    @blp.errors(403, 404, 409)
    @blp.doc(operationId="acceptInvitation")
    def post(self, data, dialogue_id, invitation_id):
        """Accept an invitation

        The invited organization's own key (`org:write` bound to it) or admin; another
        organization's key gets 403 `not_invitee`. The organization becomes a participant
        in the same transaction. Only from `invited`, else 409: `invitation_answered`
        when already answered, `invitation_expired`, `invitation_withdrawn`, or
        `invitation_changed` when another answer won the race. Also 409 `dialogue_full`
        past the dialogue's capacity, `dialogue_not_planned`, `dialogue_started`.
        """
        return _answer(dialogue_id, invitation_id, "accept", data["message"])


@blp.route("/dialogues/<int:dialogue_id>/invitations/<int:invitation_id>/decline")
class InvitationDeclineViews(MethodView):
    """Declining an invitation."""

    @blp.arguments(AnswerSchema)
    @blp.response(200, InvitationSchema)
    @blp.errors(403, 404, 409)
    @blp.doc(operationId="declineInvitation")
    def post(self, data, dialogue_id, invitation_id):
        """Decline an invitation

        The invited organization's own key or admin. From `invited`, or from `accepted`
        (the organization leaves the participants); else 409: `invitation_answered`,
        `invitation_expired`, `invitation_withdrawn`, or `invitation_changed` when
        another answer won the race.
        """
        return _answer(dialogue_id, invitation_id, "decline", data["message"])


@blp.route("/dialogues/<int:dialogue_id>/invitations/<int:invitation_id>/withdraw")
class InvitationWithdrawViews(MethodView):
    """Withdrawing an invitation."""

    @blp.response(200, InvitationSchema)
    @blp.errors(403, 404, 409)
    @blp.doc(operationId="withdrawInvitation")
    def post(self, dialogue_id, invitation_id):
        """Withdraw an invitation

        Conveners and admins. From `invited` or `accepted` (the organization leaves the
        participants); else 409: `invitation_answered` (declined), `invitation_expired`,
        `invitation_withdrawn`, or `invitation_changed` when another answer won the race.
        """
        auth.require_convener()
        return _answer(dialogue_id, invitation_id, "withdraw")


@blp.route("/dialogues/<int:dialogue_id>/invitations/refill")
class RefillViews(MethodView):
    """Refilling open seats from the reserves."""

    @blp.arguments(RefillSchema)
    @blp.response(200, RefillReportSchema)
    @blp.errors(403, 404, 409)
    @blp.doc(operationId="refillInvitations")
    def post(self, data, dialogue_id):
        """Invite reserves into open seats

        Conveners and admins. Seats are open while live invitations (invited, accepted)
        and seated participants are fewer than the capacity. Each goes to the best ranked
        reserve of the stored compose request, not invited before, after which every
        quota of that request can still be met; the report says which quotas each
        reserve keeps and where every quota stands. 409 `not_composed` for a dialogue
        not invited through compose, `dialogue_not_planned`, `dialogue_started`; 422
        `no_feasible_reserve` naming the quota no reserve can keep (nothing is written).
        """
        principal = auth.require_convener()
        session = get_session()
        dialogue = dialogues.lock_dialogue(session, dialogue_id=dialogue_id)
        return refill.refill(
            session,
            dialogue=dialogue,
            message=data["message"],
            expires_at=data.get("expires_at"),
            principal=principal,
        )


@blp.route("/organizations/<org_ref:ref>/invitations")
class InboxViews(MethodView):
    """An organization's invitations."""

    redirects_merged = True  # reads of a merged organization answer 308

    @blp.arguments(InvitationQueryArgsSchema, location="query")
    @blp.response(200, InvitationSchema(many=True))
    @blp.paginate()
    @blp.errors(403, 404)
    @blp.doc(operationId="listOrganizationInvitations")
    def get(self, args, ref, pagination_parameters):
        """List an organization's invitations

        Its inbox: the organization's own key, conveners and admins. By id, filtered by
        status as of now (`status=invited` lists those awaiting an answer).
        """
        principal = auth.require_key()
        session = get_session()
        organization = organizations.get_organization(session, ref=ref)
        if not (principal.is_convener or principal.can_write_organization(organization.id)):
            raise Forbidden("Only the organization's own key and conveners may read its inbox.")
        return page_of(
            pagination_parameters,
            invitations.list_invitations,
            session=session,
            organization_id=organization.id,
            **args,
        )

"""Routes of a dialogue's outcomes: the summary and the private would-meet-again signals.

They join the dialogues blueprint, so their URLs and tag stay under /api/v1/dialogues;
create_app imports this module before it registers that blueprint.
"""

from __future__ import annotations

from flask.views import MethodView

from partners_api.api.links import link
from partners_api.api.pagination import page_of
from partners_api.db import get_session
from partners_api.dialogues import outcomes, service
from partners_api.dialogues.routes import blp
from partners_api.dialogues.schemas import (
    OutcomeSignalPutSchema,
    OutcomeSignalSchema,
    OutcomesSchema,
)
from partners_api.keys import auth

SIGNAL = {
    "path.dialogue_id": "$request.path.dialogue_id",
    "path.from_id": "$request.path.from_id",
    "path.to_id": "$request.path.to_id",
}


def signal_etag(signal) -> dict:
    """The data an ETag of a signal is computed from."""
    return {"outcome_signal": signal.id, "version": signal.version}


@blp.route("/<int:dialogue_id>/outcomes")
class DialogueOutcomeViews(MethodView):
    """What came of a dialogue."""

    @blp.response(200, OutcomesSchema)
    @blp.errors(404)
    @blp.doc(operationId="getDialogueOutcomes")
    def get(self, dialogue_id):
        """Get the outcomes of a dialogue

        The partnerships that came out of it (`origin_dialogue_id`), counted by kind, by
        status, by pair of sectors, across sectors and across continents, with the links
        themselves; and its would-work-together-again signals: how many were recorded, for
        everyone; how many say yes and no, and every signal, for conveners (admin or
        `dialogues:convene`); the signals of its own pairs for a participant's key.
        """
        session = get_session()
        dialogue = service.get_dialogue(session, dialogue_id=dialogue_id)
        return outcomes.summary(session, dialogue=dialogue, principal=auth.current_principal())


@blp.route("/<int:dialogue_id>/outcomes/signals")
class OutcomeSignalViews(MethodView):
    """The signals of a dialogue that the caller may read."""

    @blp.response(200, OutcomeSignalSchema(many=True))
    @blp.paginate()
    @blp.errors(404)
    @blp.doc(operationId="listOutcomeSignals")
    def get(self, dialogue_id, pagination_parameters):
        """List a dialogue's signals

        Every signal for conveners (admin or `dialogues:convene`); for an organization's
        key, those it recorded or that are about it; none without a key. By id.
        """
        session = get_session()
        service.get_dialogue(session, dialogue_id=dialogue_id)
        return page_of(
            pagination_parameters,
            outcomes.visible_signals,
            session=session,
            dialogue_id=dialogue_id,
            principal=auth.current_principal(),
        )


@blp.route("/<int:dialogue_id>/outcomes/signals/<int:from_id>/<int:to_id>")
class OutcomeSignalByPairViews(MethodView):
    """What one participant says of another after a held dialogue."""

    @blp.etag
    @blp.response(200, OutcomeSignalSchema)
    @blp.errors(404)
    @blp.doc(operationId="getOutcomeSignal")
    def get(self, dialogue_id, from_id, to_id):
        """Get a signal

        Only conveners (admin or `dialogues:convene`) and the keys of the two
        organizations may read it; everyone else gets 404, whether or not it exists.
        """
        signal = outcomes.get_signal(
            get_session(),
            dialogue_id=dialogue_id,
            from_id=from_id,
            to_id=to_id,
            principal=auth.current_principal(),
        )
        blp.set_etag(signal_etag(signal))
        return signal

    @blp.arguments(OutcomeSignalPutSchema)
    @blp.response(200, OutcomeSignalSchema)
    @blp.alt_response(201, schema=OutcomeSignalSchema, description="Recorded.", success=True)
    @blp.errors(403, 404, 409)
    @blp.doc(operationId="recordOutcomeSignal")
    @blp.links(200, GetOutcomeSignal=link("getOutcomeSignal", "Read it again.", SIGNAL))
    @blp.links(201, GetOutcomeSignal=link("getOutcomeSignal", "Read it again.", SIGNAL))
    def put(self, data, dialogue_id, from_id, to_id):
        """Record whether you would work together again

        After a held dialogue, a participant organization (`from_id`, with its own key, or
        admin) says whether it would work with another participant (`to_id`) again, with
        an optional private note. One signal per dialogue and pair: a PUT replaces it
        whole and is idempotent (201 when recorded, 200 when replaced or unchanged), so
        no `If-Match` is needed; of two concurrent PUTs the later one stands. Refused:
        a dialogue not held (409 `dialogue_not_held`), a recorder that did not take part
        (403 `recorder_not_participant`), a subject that did not (422
        `subject_not_participant`), a signal about oneself (422 `self_signal`).
        """
        session = get_session()
        principal = auth.require_key()
        dialogue = service.get_dialogue(session, dialogue_id=dialogue_id)
        signal, created = outcomes.record_signal(
            session,
            dialogue=dialogue,
            from_id=from_id,
            to_id=to_id,
            data=data,
            principal=principal,
        )
        return signal, 201 if created else 200

"""Route of /changes: the feed of every write."""

from __future__ import annotations

from flask.views import MethodView
from marshmallow import fields, validate

from partners_api.api.bases import Blueprint
from partners_api.api.schemas import QueryArgsSchema, Schema
from partners_api.changes import service
from partners_api.changes.schemas import ChangeEventSchema
from partners_api.db import get_session

blp = Blueprint(
    "changes",
    __name__,
    url_prefix="/api/v1/changes",
    description="Every write, in commit order, for clients that follow the directory.",
)


class ChangesQueryArgsSchema(QueryArgsSchema):
    """Where to read from and how much."""

    since = fields.String(
        validate=validate.Length(max=200),
        metadata={
            "description": "The `next_cursor` of the previous answer; from the start when left out."
        },
    )
    limit = fields.Integer(load_default=100, validate=validate.Range(min=1, max=1000))


class ChangesSchema(Schema):
    """A page of the feed."""

    events = fields.List(fields.Nested(ChangeEventSchema))
    next_cursor = fields.String(
        metadata={
            "description": "Pass as `since` to read on; the "
            "same cursor comes back while nothing new has happened.",
            "example": "1234",
        }
    )


@blp.route("")
class ChangeViews(MethodView):
    """The changes feed."""

    @blp.arguments(ChangesQueryArgsSchema, location="query")
    @blp.response(200, ChangesSchema)
    @blp.doc(operationId="listChanges")
    def get(self, args):
        """Read the changes feed

        Events in commit order after the cursor. Paging with `next_cursor` never skips
        or repeats an event, also while writes go on.
        """
        events, cursor = service.feed(get_session(), since=args.get("since"), limit=args["limit"])
        return {"events": events, "next_cursor": cursor}

"""Routes of /exports and /imports."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator

from flask import Response, current_app, request, stream_with_context, url_for
from flask.views import MethodView
from sqlalchemy.orm import Session

from partners_api.api.bases import Blueprint
from partners_api.api.problems import PROBLEM_MIMETYPE, ProblemSchema, problem_example
from partners_api.db import database, get_session, utcnow
from partners_api.errors import ProblemError
from partners_api.exports import dialogues, formats, imports, outcomes, service
from partners_api.exports.schemas import (
    DialogueExportArgsSchema,
    DialogueRecordSchema,
    GraphSchema,
    ImportArgsSchema,
    ImportReportSchema,
    InvitationExportArgsSchema,
    InvitationRecordSchema,
    NetworkExportArgsSchema,
    OrganizationExportArgsSchema,
    OrganizationRecordSchema,
    OutcomeSignalRecordSchema,
    PartnershipExportArgsSchema,
    PartnershipRecordSchema,
    SignalExportArgsSchema,
)
from partners_api.keys import auth

blp = Blueprint(
    "exports",
    __name__,
    url_prefix="/api/v1",
    description="Streamed exports for analysts, and bulk imports for admins.",
)

MEDIA_TYPES = {
    "csv": "text/csv",
    "json": "application/json",
    "ndjson": "application/x-ndjson",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "graphml": "application/graphml+xml",
    "gexf": "application/gexf+xml",
}


class TooLarge(ProblemError):
    """More rows than one export or import may hold."""

    status, code = 413, "too_many_rows"


def _download(
    name: str, extension: str, make_chunks: Callable[[Session], Iterable[bytes]]
) -> Response:
    """A streamed attachment whose file name carries today's date.

    The stream reads through a session of its own, opened when the first chunk is asked
    for and closed after the last: the request's session ends before streaming starts.
    """

    def chunks() -> Iterator[bytes]:
        with database().session() as session:
            yield from make_chunks(session)

    filename = f"partners-{name}-{utcnow().date().isoformat()}.{extension}"
    response = Response(stream_with_context(chunks()), mimetype=MEDIA_TYPES[extension])
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "no-store"
    return response


def _file_doc(*extensions: str, json_schema) -> dict:
    """The 200 of an export: a file in each format; the JSON one described by its schema."""
    binary = {"schema": {"type": "string", "format": "binary"}}
    return {
        "responses": {
            200: {
                "description": "The file, streamed, as an attachment named with today's date.",
                "headers": {
                    "Content-Disposition": {
                        "description": "attachment, with the file's name.",
                        "schema": {"type": "string"},
                        "example": 'attachment; filename="partners-organizations-2025-03-04.csv"',
                    }
                },
                "content": {
                    MEDIA_TYPES[e]: {"schema": json_schema} if e == "json" else binary
                    for e in extensions
                },
            }
        }
    }


@blp.route("/exports/organizations")
class OrganizationExportViews(MethodView):
    """The directory as a file."""

    @blp.arguments(OrganizationExportArgsSchema, location="query")
    @blp.doc(
        **_file_doc(
            "csv", "json", "ndjson", "xlsx", json_schema=OrganizationRecordSchema(many=True)
        )
    )
    @blp.errors(413, 422)
    @blp.doc(operationId="exportOrganizations")
    def get(self, args):
        """Export organizations

        Every filter of the organization list applies. CSV is RFC 4180 in UTF-8 with one
        header row, lists joined with ';' and text that a spreadsheet would run as a
        formula prefixed with a quote. Contact e-mails only for admin and read:contacts.
        """
        export_format = args.pop("format")
        session = get_session()
        count = service.count_organizations(session, filters=args)
        if count > current_app.config["EXPORT_MAX_ROWS"]:
            raise TooLarge(
                f"{count} organizations match; narrow the filters to at most "
                f"{current_app.config['EXPORT_MAX_ROWS']}."
            )
        principal = auth.current_principal()
        contacts = principal.is_admin or "read:contacts" in principal.scopes

        def produce(stream: Session) -> Iterable[bytes]:
            return service.organization_file(stream, export_format, filters=args, contacts=contacts)

        return _download("organizations", export_format, produce)


@blp.route("/exports/partnerships")
class PartnershipExportViews(MethodView):
    """The links as a file."""

    @blp.arguments(PartnershipExportArgsSchema, location="query")
    @blp.doc(**_file_doc("csv", "json", "ndjson", json_schema=PartnershipRecordSchema(many=True)))
    @blp.doc(operationId="exportPartnerships")
    def get(self, args):
        """Export partnerships

        Every link with both organizations' ids and slugs; filters `kind`, `status`.
        """
        export_format = args.pop("format")

        def produce(stream: Session) -> Iterable[bytes]:
            return service.partnership_file(stream, export_format, **args)

        return _download("partnerships", export_format, produce)


@blp.route("/exports/network")
class NetworkExportViews(MethodView):
    """The network as a graph file."""

    @blp.arguments(NetworkExportArgsSchema, location="query")
    @blp.doc(**_file_doc("graphml", "gexf", "json", json_schema=GraphSchema))
    @blp.doc(operationId="exportNetwork")
    def get(self, args):
        """Export the network

        Active organizations as nodes (slug, name, sector, country, continent); one edge
        per tied pair, weighted 1 per active link and 0.5 per held dialogue both attended.
        Opens in Gephi (GEXF, GraphML), networkx and igraph.
        """
        writer = {
            "graphml": formats.graphml_chunks,
            "gexf": formats.gexf_chunks,
            "json": formats.graph_json_chunks,
        }[args["format"]]
        return _download(
            "network",
            args["format"],
            lambda stream: writer(service.network_nodes(stream), service.network_edges(stream)),
        )


@blp.route("/exports/dialogues")
class DialogueExportViews(MethodView):
    """The dialogues as a file."""

    @blp.arguments(DialogueExportArgsSchema, location="query")
    @blp.doc(**_file_doc("csv", "json", "ndjson", json_schema=DialogueRecordSchema(many=True)))
    @blp.doc(operationId="exportDialogues")
    def get(self, args):
        """Export dialogues

        Every dialogue with its topics, participants (with roles), its invitations
        counted by status, how many partnerships came out of it and how many
        would-work-together-again signals were recorded; filter `status`. In JSON and
        NDJSON, conveners (`dialogues:convene`) and admins also get each dialogue's
        invitations and outcome signals in full.
        """
        export_format = args.pop("format")
        convener = auth.current_principal().is_convener

        def produce(stream: Session) -> Iterable[bytes]:
            return dialogues.dialogue_file(
                stream, export_format, invitations=convener, signals=convener, **args
            )

        return _download("dialogues", export_format, produce)


@blp.route("/exports/invitations")
class InvitationExportViews(MethodView):
    """The invitations as a file."""

    @blp.arguments(InvitationExportArgsSchema, location="query")
    @blp.doc(**_file_doc("csv", "json", "ndjson", json_schema=InvitationRecordSchema(many=True)))
    @blp.errors(403)
    @blp.doc(operationId="exportInvitations")
    def get(self, args):
        """Export invitations

        Conveners and admins: every invitation to every dialogue, with both messages and
        its status as of now; filter `status`.
        """
        auth.require_convener()
        export_format = args.pop("format")

        def produce(stream: Session) -> Iterable[bytes]:
            return dialogues.invitation_file(stream, export_format, **args)

        return _download("invitations", export_format, produce)


@blp.route("/exports/outcome-signals")
class OutcomeSignalExportViews(MethodView):
    """The private would-work-together-again signals as a file."""

    @blp.arguments(SignalExportArgsSchema, location="query")
    @blp.doc(**_file_doc("csv", "json", "ndjson", json_schema=OutcomeSignalRecordSchema(many=True)))
    @blp.errors(403)
    @blp.doc(operationId="exportOutcomeSignals")
    def get(self, args):
        """Export outcome signals

        Conveners and admins: every signal a participant of a held dialogue recorded
        about another, with both organizations' ids and slugs.
        """
        auth.require_convener()
        export_format = args["format"]
        return _download(
            "outcome-signals",
            export_format,
            lambda stream: outcomes.signal_file(stream, export_format),
        )


@blp.route("/exports/datapackage.json")
class DataPackageViews(MethodView):
    """The descriptor of the CSV exports."""

    @blp.doc(
        responses={
            200: {
                "description": "A Frictionless tabular data package.",
                "content": {
                    "application/json": {
                        "schema": {"type": "object"},
                        "example": {
                            "profile": "tabular-data-package",
                            "name": "partners-api-directory",
                            "resources": [
                                {
                                    "name": "partnerships",
                                    "path": "https://partners.example/api/v1/exports/"
                                    "partnerships?format=csv",
                                    "profile": "tabular-data-resource",
                                    "format": "csv",
                                    "schema": {
                                        "fields": [{"name": "id", "type": "integer"}],
                                        "primaryKey": ["id"],
                                    },
                                }
                            ],
                        },
                    }
                },
            }
        }
    )
    @blp.doc(operationId="getDataPackage")
    def get(self):
        """Describe the CSV exports

        A Frictionless data-package descriptor: each CSV export as a resource with its
        URL and a table schema (fields, types, primary key).
        """
        return {
            "profile": "tabular-data-package",
            "name": "partners-api-directory",
            "title": "Partners API directory",
            "licenses": [{"name": "CC-BY-4.0"}],
            "resources": _resources(),
        }


def _resources() -> list[dict]:
    """Each CSV export as a data-package resource."""
    return [
        _resource(
            "organizations",
            service.ORGANIZATION_COLUMNS,
            url_for("exports.OrganizationExportViews", format="csv", _external=True),
            omit={"contact_email"},
        ),
        _resource(
            "partnerships",
            service.PARTNERSHIP_COLUMNS,
            url_for("exports.PartnershipExportViews", format="csv", _external=True),
        ),
        _resource(
            "dialogues",
            dialogues.DIALOGUE_COLUMNS,
            url_for("exports.DialogueExportViews", format="csv", _external=True),
        ),
        {
            **_resource(
                "invitations",
                dialogues.INVITATION_COLUMNS,
                url_for("exports.InvitationExportViews", format="csv", _external=True),
            ),
            "description": "Needs a key with the dialogues:convene or admin scope.",
        },
        {
            **_resource(
                "outcome_signals",
                outcomes.SIGNAL_COLUMNS,
                url_for("exports.OutcomeSignalExportViews", format="csv", _external=True),
            ),
            "description": "Private: needs a key with the dialogues:convene or admin scope.",
        },
    ]


def _resource(name: str, columns, path: str, omit: frozenset | set = frozenset()) -> dict:
    fields = [
        {
            "name": c,
            "type": t,
            "description": d,
            **({"format": "any"} if t in ("date", "datetime") else {}),
        }
        for c, t, d in columns
        if c not in omit
    ]
    return {
        "name": name,
        "path": path,
        "profile": "tabular-data-resource",
        "format": "csv",
        "mediatype": "text/csv",
        "encoding": "utf-8",
        "dialect": {"delimiter": ",", "lineTerminator": "\r\n", "header": True},
        "schema": {
            "fields": fields,
            "primaryKey": ["id"],
            "trueValues": ["true"],
            "falseValues": ["false"],
        },
    }


@blp.route("/imports/organizations")
class OrganizationImportViews(MethodView):
    """Bulk upsert of organizations."""

    accepted_types = ("text/csv",)
    body_limit_setting = "IMPORT_MAX_BYTES"

    @blp.arguments(ImportArgsSchema, location="query")
    @blp.response(200, ImportReportSchema)
    @blp.alt_response(422, schema=ImportReportSchema, description="Errors; nothing written.")
    @blp.doc(
        requestBody={
            "required": True,
            "content": {
                "application/json": {"schema": OrganizationRecordSchema(many=True)},
                "text/csv": {
                    "schema": {"type": "string"},
                    "example": "slug,name,sector,country\r\n"
                    "masakhane,Masakhane,civil_society,ZA\r\n",
                },
            },
        },
        responses={
            422: {
                "description": "Rows in error (the import report; nothing written), or "
                "parameters that are not valid (a problem document).",
                "content": {
                    PROBLEM_MIMETYPE: {"schema": ProblemSchema, "example": problem_example(422)}
                },
            }
        },
    )
    @blp.errors(403, 413)  # its body is read by hand, not declared to flask-smorest
    @blp.doc(operationId="importOrganizations")
    def post(self, args):
        """Import organizations

        Admin only. A JSON array of organization objects, or `text/csv` in the export's
        own columns. Rows are matched by `slug`: new ones are created, others updated.
        With `dry_run=true` every row is checked and the report says what would happen.
        A new row that is probably an organization already there (its name resolves to
        one of the same country) is an error naming it, unless `allow_duplicate=true`.
        Any error makes a 422 with every error by row and field, and nothing is written.
        """
        principal = auth.require_admin()
        rows = imports.read_rows(
            request.get_data(), request.mimetype, limit=current_app.config["IMPORT_MAX_ROWS"]
        )
        report = imports.import_organizations(
            get_session(),
            rows=rows,
            dry_run=args["dry_run"],
            allow_duplicate=args["allow_duplicate"],
            actor_key_id=principal.key_id,
        )
        return report, 422 if report["errors"] else 200

"""OpenAPI links from a response to the operations its values feed."""

from __future__ import annotations

from collections.abc import Mapping

IF_MATCH_FROM_ETAG = {"header.If-Match": "$response.header.ETag"}


def link(operation_id: str, description: str, parameters: Mapping[str, str]) -> dict:
    """An OpenAPI link to an operation, with runtime expressions for its parameters."""
    return {"operationId": operation_id, "description": description, "parameters": parameters}


def etag_links(parameters: Mapping[str, str], **verbs: str) -> dict[str, dict]:
    """Links, named after their operations, to the writes that take the ETag just given.

    `etag_links(BY_ID, updateTopic="Change")` links to updateTopic, "Change it, ...".
    """
    return {
        operation_id[0].upper() + operation_id[1:]: link(
            operation_id,
            f"{verb} it, with the ETag just given.",
            {**parameters, **IF_MATCH_FROM_ETAG},
        )
        for operation_id, verb in verbs.items()
    }

"""Pagination: the X-Pagination and Link headers of a list, and fetching one page."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

import marshmallow as ma
from flask import request
from flask_smorest.pagination import PaginationParameters

from partners_api.api.schemas import Schema


class PaginationMetadataSchema(Schema):
    """The X-Pagination header of a list."""

    total = ma.fields.Integer(metadata={"description": "Items in all pages.", "example": 105})
    total_pages = ma.fields.Integer(metadata={"description": "Pages.", "example": 6})
    page = ma.fields.Integer(metadata={"description": "This page.", "example": 2})
    page_size = ma.fields.Integer(metadata={"description": "Items per page.", "example": 20})
    first_page = ma.fields.Integer(metadata={"description": "The first page.", "example": 1})
    last_page = ma.fields.Integer(metadata={"description": "The last page.", "example": 6})
    previous_page = ma.fields.Integer(
        metadata={"description": "The page before, if any.", "example": 1}
    )
    next_page = ma.fields.Integer(metadata={"description": "The page after, if any.", "example": 3})


def pagination_header_doc() -> dict[str, Any]:
    """X-Pagination holds JSON: its spec header, described as JSON content with an example."""
    return {
        "description": "Pagination metadata, as a JSON object.",
        "content": {
            "application/json": {
                "schema": PaginationMetadataSchema,
                "example": {
                    name: field.metadata["example"]
                    for name, field in PaginationMetadataSchema().fields.items()
                },
            }
        },
    }


class PaginationHeadersMixin:
    """Blueprint pagination: X-Pagination with first/last/previous/next pages, and Link."""

    DEFAULT_PAGINATION_PARAMETERS = {"page": 1, "page_size": 20, "max_page_size": 100}

    def _document_pagination_metadata(self, spec, resp_doc) -> None:
        super()._document_pagination_metadata(spec, resp_doc)
        resp_doc["headers"]["Link"] = {
            "description": "RFC 8288 links to the first, prev, next and last pages.",
            "schema": {"type": "string"},
        }

    @staticmethod
    def _make_pagination_metadata(page: int, page_size: int, item_count: int) -> dict:
        total_pages = (item_count + page_size - 1) // page_size
        meta = {
            "total": item_count,
            "total_pages": total_pages,
            "page": page,
            "page_size": page_size,
        }
        if total_pages:
            meta.update(first_page=1, last_page=total_pages)
            if page > 1:
                meta["previous_page"] = min(page - 1, total_pages)
            if page < total_pages:
                meta["next_page"] = page + 1
        return meta

    def _set_pagination_metadata(self, page_params: PaginationParameters, result, headers):
        headers = dict(headers or {})
        meta = self._make_pagination_metadata(
            page_params.page, page_params.page_size, page_params.item_count
        )
        headers[self.PAGINATION_HEADER_NAME] = json.dumps(meta)
        links = _link_header(meta)
        if links:
            headers["Link"] = links
        return result, headers


def page_of(pagination_parameters: PaginationParameters, fetch, **filters) -> list:
    """Fetch one page with a service's list function and record the total for the headers."""
    items, total = fetch(
        page=pagination_parameters.page, page_size=pagination_parameters.page_size, **filters
    )
    pagination_parameters.item_count = total
    return items


def _link_header(meta: Mapping[str, int]) -> str:
    """Build the Link header (first, prev, next, last) for the current request."""
    relations = {
        "first": "first_page",
        "prev": "previous_page",
        "next": "next_page",
        "last": "last_page",
    }
    # The arguments as given, `page` in its place (or last) with the page of each link.
    before, after, seen = [], [], False
    for k, values in request.args.lists():
        if k == "page":
            seen = True
            continue
        (after if seen else before).extend(
            f"{quote(k, safe='')}={quote(v, safe='')}" for v in values
        )
    head, tail = "&".join(before), "&".join(after)
    parts = []
    for rel, key in relations.items():
        if key in meta:
            query = "&".join(filter(None, (head, f"page={meta[key]}", tail)))
            parts.append(f'<{request.base_url}?{query}>; rel="{rel}"')
    return ", ".join(parts)

"""Routes of /topics."""

from __future__ import annotations

from flask import url_for
from flask.views import MethodView

from partners_api.api.bases import Blueprint
from partners_api.api.links import etag_links, link
from partners_api.api.pagination import page_of
from partners_api.db import get_session
from partners_api.keys import auth
from partners_api.topics import service
from partners_api.topics.schemas import (
    TopicCreateSchema,
    TopicPatchSchema,
    TopicQueryArgsSchema,
    TopicSchema,
)

blp = Blueprint(
    "topics",
    __name__,
    url_prefix="/api/v1/topics",
    description="The expertise taxonomy: a tree of topics that organizations offer and seek.",
)


BY_SLUG = {"slug": "$response.body#/slug"}
GET = {"GetTopic": link("getTopic", "Read it again.", BY_SLUG)}
WRITE = etag_links(BY_SLUG, updateTopic="Change", deleteTopic="Delete")


def topic_etag(topic) -> dict:
    """The data an ETag of a topic is computed from."""
    return {"topic": topic.id, "version": topic.version}


@blp.route("")
class TopicViews(MethodView):
    """The list of topics."""

    @blp.arguments(TopicQueryArgsSchema, location="query")
    @blp.response(200, TopicSchema(many=True))
    @blp.paginate()
    @blp.doc(operationId="listTopics")
    def get(self, args, pagination_parameters):
        """List topics

        Ordered by slug; each names its parent, so the tree can be rebuilt.
        """
        topics = page_of(pagination_parameters, service.list_topics, session=get_session(), **args)
        return topics

    @blp.etag
    @blp.arguments(TopicCreateSchema)
    @blp.response(201, TopicSchema)
    @blp.errors(403, 409)
    @blp.doc(operationId="createTopic")
    @blp.links(201, **GET, **WRITE)
    def post(self, data):
        """Create a topic

        Admin only.
        """
        principal = auth.require_admin()
        topic = service.create_topic(get_session(), data=data, actor_key_id=principal.key_id)
        blp.set_etag(topic_etag(topic))
        return topic, {"Location": url_for("topics.TopicBySlugViews", slug=topic.slug)}


@blp.route("/<code:slug>")
@blp.etag
class TopicBySlugViews(MethodView):
    """One topic."""

    @blp.response(200, TopicSchema)
    @blp.errors(404)
    @blp.doc(operationId="getTopic")
    @blp.links(200, **WRITE)
    def get(self, slug):
        """Get a topic

        Its name, description and parent in the taxonomy.
        """
        topic = service.get_topic(get_session(), slug=slug)
        blp.set_etag(topic_etag(topic))
        return topic

    @blp.arguments(TopicPatchSchema)
    @blp.response(200, TopicSchema)
    @blp.errors(403, 404)
    @blp.doc(operationId="updateTopic")
    @blp.links(200, **GET, **WRITE)
    def patch(self, data, slug):
        """Update a topic

        Admin only; needs the topic's current ETag in `If-Match`.
        """
        principal = auth.require_admin()
        session = get_session()
        topic = service.get_topic(session, slug=slug)
        blp.check_etag(topic_etag(topic))
        topic = service.update_topic(session, topic=topic, data=data, actor_key_id=principal.key_id)
        blp.set_etag(topic_etag(topic))
        return topic

    @blp.response(204)
    @blp.errors(403, 404, 409)
    @blp.doc(operationId="deleteTopic")
    def delete(self, slug):
        """Delete a topic

        Admin only, with `If-Match`; refused with 409 while an organization offers or
        seeks it or while topics lie below it.
        """
        principal = auth.require_admin()
        session = get_session()
        topic = service.get_topic(session, slug=slug)
        blp.check_etag(topic_etag(topic))
        service.delete_topic(session, topic=topic, actor_key_id=principal.key_id)

"""Search over what the caller may see (tasks with their report notes, decisions, meetings, risks)."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.response import Response

from portal.core.api.common import ApiView
from projects.search import clean_query, search


class SearchPartSerializer(serializers.Serializer):
    text = serializers.CharField()
    match = serializers.BooleanField(help_text="A word that matched the query (shown highlighted).")


def _parts(pieces) -> list[dict]:
    return [{"text": text, "match": match} for text, match in pieces]


class SearchHitSerializer(serializers.Serializer):
    title = serializers.SerializerMethodField()
    url = serializers.CharField(help_text="The page of the item.")
    project = serializers.SlugField(source="project.slug")
    title_parts = serializers.SerializerMethodField()
    snippet_parts = serializers.SerializerMethodField()

    def get_title(self, hit) -> str:
        return "".join(text for text, _match in hit.title)

    @extend_schema_field(SearchPartSerializer(many=True))
    def get_title_parts(self, hit):
        return _parts(hit.title)

    @extend_schema_field(SearchPartSerializer(many=True))
    def get_snippet_parts(self, hit):
        return _parts(hit.snippet)


class SearchGroupSerializer(serializers.Serializer):
    kind = serializers.CharField(help_text="tasks, decisions, meetings, risks, …")
    label = serializers.CharField()
    more = serializers.BooleanField(help_text="More items matched than are listed; narrow the query.")
    hits = SearchHitSerializer(many=True)


class SearchOutputSerializer(serializers.Serializer):
    query = serializers.CharField()
    groups = SearchGroupSerializer(many=True)


class SearchView(ApiView):
    @extend_schema(
        operation_id="search",
        tags=["search"],
        description="Full-text search over the projects the caller may see; client people never find internal items.",
        parameters=[OpenApiParameter("q", str, description="Words to find (quotes for a phrase, -word to exclude).")],
        responses=SearchOutputSerializer,
    )
    def get(self, request):
        text = clean_query(request.query_params.get("q"))
        groups = search(user=request.user, text=text)
        return Response(SearchOutputSerializer({"query": text, "groups": groups}).data)

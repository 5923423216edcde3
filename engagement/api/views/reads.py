"""Read-only: the caller's own digests and a project's engagement health (staff only)."""

from __future__ import annotations

from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework.response import Response

from engagement.api import filters
from engagement.api.serializers import reads as s
from engagement.models import Digest, HealthSnapshot
from engagement.selectors import core as selectors
from portal.core.api.common import ApiView
from projects.permissions import project_access


class DigestListView(ApiView):
    """The caller's own weekly digests, newest first."""

    queryset = Digest.objects.none()
    ordering_fields = ["iso_week", "created_at"]

    @extend_schema(operation_id="digests_list", tags=["digests"], responses=s.DigestListOutputSerializer(many=True))
    def get(self, request):
        return self.page(selectors.digests_for_user(request.user), s.DigestListOutputSerializer)


class DigestDetailView(ApiView):
    """One of the caller's own digests, as e-mailed."""

    @extend_schema(operation_id="digests_retrieve", tags=["digests"], responses=s.DigestOutputSerializer)
    def get(self, request, pk: int):
        digest = selectors.digests_for_user(request.user).filter(pk=pk).select_related("message").first()
        if digest is None:
            raise Http404
        return Response(s.DigestOutputSerializer(digest).data)


class HealthListView(ApiView):
    """Weekly engagement-health snapshots of the project and of each client person (team only)."""

    queryset = HealthSnapshot.objects.none()
    filterset_class = filters.HealthSnapshotFilter
    ordering_fields = ["iso_year", "iso_week", "score"]

    @extend_schema(operation_id="health_snapshots_list", tags=["health"], responses=s.HealthSnapshotOutputSerializer(many=True))
    def get(self, request, slug: str):
        access = project_access(user=request.user, slug=slug)
        return self.page(selectors.health_history(access), s.HealthSnapshotOutputSerializer)

"""Reads on communities: every read is checked against who asks."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Q, QuerySet
from django.http import Http404

from copkit.communities.models import Community


def _is_staff(user: AbstractBaseUser | AnonymousUser) -> bool:
    return bool(getattr(user, "is_program_staff", False))


def community_list_for(*, user: AbstractBaseUser | AnonymousUser) -> QuerySet[Community]:
    """The communities ``user`` may see: their own, plus shared ones for program staff."""
    if not user.is_authenticated:
        return Community.objects.none()
    visible = Q(owner=user)
    if _is_staff(user):
        visible |= Q(shared_with_staff=True)
    return Community.objects.filter(visible).select_related("owner")


def community_get_for(*, user: AbstractBaseUser | AnonymousUser, slug: str) -> Community:
    """Return community ``slug`` if ``user`` may see it; else 404 (existence stays private)."""
    community = community_list_for(user=user).filter(slug=slug).first()
    if community is None:
        raise Http404("No such community.")
    return community

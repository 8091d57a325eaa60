"""Permission helpers every view uses: one place that says who may do what."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

from copkit.accounts.models import Role

View = TypeVar("View", bound=Callable[..., HttpResponse])


def role_required(*roles: str) -> Callable[[View], View]:
    """Require a signed-in user with one of ``roles`` (program staff always pass).

    Anonymous users are sent to the sign-in page; signed-in users without the role get 403.
    """

    def decorator(view: View) -> View:
        @login_required
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            user = request.user
            if not (
                getattr(user, "is_program_staff", False) or getattr(user, "role", None) in roles
            ):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped  # type: ignore[return-value]

    return decorator


staff_required = role_required(Role.STAFF)
facilitator_required = role_required(Role.FACILITATOR, Role.STAFF)

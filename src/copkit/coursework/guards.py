"""Permission guards shared by the coursework views: who is asking, and may they."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from copkit.academy.models import Cohort, Enrollment
from copkit.accounts.models import User
from copkit.coursework import selectors
from copkit.coursework.selectors import Access


def request_user(request: HttpRequest) -> User:
    """The signed-in user of a request that ``login_required`` already checked."""
    return request.user  # type: ignore[return-value]


def require_access(request: HttpRequest, cohort: Cohort, minimum: Access) -> Access:
    """The user's access to ``cohort``; 403 when it is below ``minimum``."""
    access = selectors.cohort_access(user=request_user(request), cohort=cohort)
    if access < minimum:
        raise PermissionDenied
    return access


def require_enrollment(request: HttpRequest, cohort: Cohort) -> Enrollment:
    """The user's own enrollment in ``cohort``; 403 when they have none."""
    enrollment = selectors.learner_enrollment(user=request_user(request), cohort=cohort)
    if enrollment is None:
        raise PermissionDenied
    return enrollment

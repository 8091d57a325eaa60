"""Post to a cohort's Slack channel through its incoming webhook, with retries and back-off.

Uses :class:`slack_sdk.webhook.WebhookClient` with its retry handlers: connection errors and
server errors (500/503) are retried with exponential back-off and jitter, rate limits (429)
after the server's ``Retry-After``. The webhook URL is a secret: the client gets a silenced
logger (slack_sdk logs request URLs at debug and info level), and error messages are scrubbed
of the URL before they are logged or stored.
"""

from __future__ import annotations

import logging
import random
from typing import Any

from django.conf import settings
from slack_sdk.http_retry import (
    BackoffRetryIntervalCalculator,
    ConnectionErrorRetryHandler,
    Jitter,
    RateLimitErrorRetryHandler,
)
from slack_sdk.http_retry.builtin_handlers import ServerErrorRetryHandler
from slack_sdk.webhook import WebhookClient

from copkit.errors import CopkitError

__all__ = ["SlackPostError", "slack_post"]

logger = logging.getLogger("copkit.coursework.slack")
# slack_sdk's own logger would print the URL; it gets one that says nothing.
# It is made outside logging's registry on purpose: a later logging.config.dictConfig (Django
# runs one at every setup) resets the level and propagation of every registered child logger
# of "copkit", which would let the URL through to the root handlers again.
_transport_logger = logging.Logger("copkit.coursework.slack.transport", logging.CRITICAL + 1)
_transport_logger.addHandler(logging.NullHandler())
_transport_logger.propagate = False


class SlackPostError(CopkitError):
    """Slack did not accept a message after the retries."""


class _ProportionalJitter(Jitter):
    """Full jitter scaled to the back-off: sleep between 1x and 1.5x the interval (slack_sdk's
    default adds up to a whole second whatever the interval)."""

    def recalculate(self, duration: float) -> float:
        return duration * (1 + 0.5 * random.random())  # noqa: S311 - not cryptographic


def _retry_handlers() -> list[Any]:
    retries = int(getattr(settings, "COPKIT_SLACK_RETRIES", 3))
    backoff = float(getattr(settings, "COPKIT_SLACK_BACKOFF", 0.5))
    calculator = BackoffRetryIntervalCalculator(
        backoff_factor=backoff, jitter=_ProportionalJitter()
    )
    return [
        ConnectionErrorRetryHandler(max_retry_count=retries, interval_calculator=calculator),
        ServerErrorRetryHandler(max_retry_count=retries, interval_calculator=calculator),
        RateLimitErrorRetryHandler(max_retry_count=retries),
    ]


def _scrub(message: str, url: str) -> str:
    return message.replace(url, "<webhook URL>") if url else message


def slack_post(*, url: str, text: str, blocks: list[dict[str, Any]] | None = None) -> None:
    """Send one message to an incoming webhook, or raise :class:`SlackPostError`.

    The error message never contains the URL.
    """
    client = WebhookClient(
        url,
        timeout=int(getattr(settings, "COPKIT_SLACK_TIMEOUT", 10)),
        logger=_transport_logger,
        retry_handlers=_retry_handlers(),
    )
    try:
        response = client.send(text=text, blocks=blocks)
    except Exception as exc:  # any transport failure (DNS, refused, TLS, timeout)
        message = _scrub(f"could not reach Slack: {type(exc).__name__}: {exc}", url)
        logger.warning("Slack post failed: %s", message)
        raise SlackPostError(message) from None
    if response.status_code != 200 or response.body.strip() != "ok":
        message = _scrub(
            f"Slack answered {response.status_code}: {response.body.strip()[:200]}", url
        )
        logger.warning("Slack post failed: %s", message)
        raise SlackPostError(message)

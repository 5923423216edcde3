"""Celery task of the inbox: one service call."""

from __future__ import annotations

from celery import shared_task

from portal.core.jobs import periodic_job


@shared_task(name="conversations.sync_awaiting", acks_late=True, ignore_result=True)
@periodic_job("conversations.sync_awaiting")
def sync_awaiting() -> None:
    """Open and settle the inbox lines of decisions and reports awaiting people (reports fall due with time)."""
    from conversations.inbox import awaiting_sync

    awaiting_sync()

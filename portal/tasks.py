from celery import shared_task
from django.core.management import call_command


@shared_task(name="portal.tasks.clear_expired_sessions")
def clear_expired_sessions() -> None:
    # Anonymous senders get a session too (CSRF lives there): keep the table small.
    call_command("clearsessions")


@shared_task(name="portal.tasks.heartbeat")
def heartbeat(name: str) -> None:
    """Run on each queue by its worker: the queue has a live worker (portal.heartbeats)."""
    from portal import heartbeats

    heartbeats.record(name)

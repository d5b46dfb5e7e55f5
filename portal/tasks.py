from celery import shared_task
from django.core.management import call_command


@shared_task(name="portal.tasks.clear_expired_sessions")
def clear_expired_sessions() -> None:
    # Anonymous senders get a session too (CSRF lives there): keep the table small.
    call_command("clearsessions")

import gc
import os

# The safeguarding rules first, before Django: compiling them briefly needs about 10 MB
# of parsing that is freed at once, and Django's own loading then reuses that memory
# instead of growing the worker (a 9 MB lower peak). Triage imports nothing of Django.
from feedback import triage

triage.warm_up()

from django.core.wsgi import get_wsgi_application  # noqa: E402

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
application = get_wsgi_application()

# What a young person's first postcard needs, made as the worker starts rather than in
# their request (a new worker's first postcard took seconds): the safeguarding rules
# (above; a quarter of a second), the bank holidays the clocks count, and the templates of
# the postcard journey, kept by the cached template loader. The WSGI entry point is part
# of the composition root, so it may reach into the apps.
from django.template.loader import get_template  # noqa: E402
from django.utils import timezone  # noqa: E402

from feedback import workdays  # noqa: E402

workdays.warm_up(timezone.localdate())
for _name in ("feedback/submit.html", "feedback/check.html", "feedback/sent.html"):
    get_template(_name)

# Everything loaded so far lives as long as the worker: move it out of the garbage
# collector's sight, so its full collections stop walking some 100,000 objects that can
# never be garbage (a third of a millisecond a postcard; the Python documentation's
# advice for long-lived servers, gc.freeze).
gc.collect()
gc.freeze()

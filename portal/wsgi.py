import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
application = get_wsgi_application()

# Compile the safeguarding rules as the worker starts (a quarter of a second), not in
# the first young person's request. The WSGI entry point is part of the composition root.
from feedback import triage  # noqa: E402

triage.warm_up()

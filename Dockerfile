# One image for web, worker and beat.
FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /app
RUN useradd --create-home --uid 1000 portal
# The runtime lock (make lock): every package pinned with its hashes, so pip installs
# exactly what was reviewed or refuses.
COPY requirements.txt ./
RUN pip install --no-cache-dir --require-hashes -r requirements.txt
COPY . .
# The translations' .mo files are not in git: compiled here with GNU gettext's msgfmt,
# which is removed again (the running image only reads the .mo files).
RUN apt-get update && apt-get install -y --no-install-recommends gettext \
    && if [ -d locale ]; then PORTAL_EMBEDDED=1 python manage.py compilemessages --ignore=.venv; fi \
    && apt-get purge -y --auto-remove gettext && rm -rf /var/lib/apt/lists/*
RUN PORTAL_EMBEDDED=1 STATIC_MANIFEST=1 python manage.py collectstatic --noinput \
    && mkdir -p /app/var && chown -R portal /app/var
USER portal
EXPOSE 8000
CMD ["gunicorn", "portal.wsgi", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-", "--access-logformat", "%(h)s \"%(m)s %(U)s\" %(s)s %(L)ss"]

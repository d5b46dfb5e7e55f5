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
# portal/gunicorn_conf.py: bind, workers, no access log (the portal logs each request by
# its view, never its path), and /metrics across the workers when PROMETHEUS_MULTIPROC_DIR is set.
CMD ["gunicorn", "-c", "python:portal.gunicorn_conf", "portal.wsgi"]

# The two commands: `make run` and `make test`. Everything else is what they need.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PORT ?= 8000
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: run test install browser-deps gettext-deps messages compilemessages assets bank-holidays lint format migrate seed bench clean backup restore lock

# requirements-dev.txt is the whole lock (the runtime pins and the tools), every package
# with its hashes: pip refuses anything else (make lock writes it).
$(STAMP): requirements.txt requirements-dev.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --require-hashes -r requirements-dev.txt
	touch $(STAMP)

install: $(STAMP) compilemessages

# Embedded defaults: SQLite, Celery on kombu's filesystem transport, no servers.
# DEBUG is off, as in production, so a newcomer sees the real error pages;
# WhiteNoise serves the static files.
run: export PORTAL_EMBEDDED := 1
run: export DEBUG ?= 0
run: export SITE_URL ?= http://127.0.0.1:$(PORT)
# As the image does: hashed names, gzip and Brotli copies, served compressed by WhiteNoise.
run: export STATIC_MANIFEST := 1
run: install staticfiles/staticfiles.json
	mkdir -p var/broker
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_demo
	@echo ""
	@echo "  Your Voice is at http://127.0.0.1:$(PORT)/   (Ctrl-C stops the web server, worker and beat)"
	@echo ""
	$(BIN)/python manage.py run_embedded --port $(PORT)

# Collected again only when a static file or an installed package changed: compressing
# the admin's and DRF's files as well as the portal's takes about ten seconds.
staticfiles/staticfiles.json: $(STAMP) $(shell find static -type f)
	@echo "Collecting and compressing the static files (gzip and Brotli)"
	PORTAL_EMBEDDED=1 STATIC_MANIFEST=1 $(BIN)/python manage.py collectstatic --noinput -v 0

# Debian's Chromium for browser tests, and axe-core and Lighthouse from the npm lock file.
browser-deps:
	@if ! command -v chromium >/dev/null 2>&1; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "Installing Debian's chromium for the browser tests"; \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
	      || echo "Could not install chromium: browser tests will be skipped"; \
	  else echo "chromium is missing and cannot be installed here: browser tests will be skipped"; fi; \
	fi
	@if command -v npm >/dev/null 2>&1 && { [ ! -f node_modules/axe-core/axe.min.js ] || [ ! -d node_modules/lighthouse ]; }; then \
	  npm ci --no-audit --no-fund --silent || echo "Could not install axe-core and Lighthouse: browser tests will be skipped"; \
	fi

# Languages (settings.LANGUAGES): English as written, Welsh and Arabic from the catalogues in
# locale/<code>/LC_MESSAGES/django.po. `make messages` extracts every marked string into them
# (the scripts have no strings of their own: GOV.UK's components take theirs from data-i18n
# attributes in the templates, so there is no djangojs domain). Git ignores the compiled .mo
# files: `make install` (so `make run` and `make test`) builds them with GNU gettext's msgfmt,
# Debian's gettext installed here as chromium is for the browser tests.
LANGUAGE_CODES := cy ar
I18N_IGNORE := --ignore=.venv --ignore=.venv-audit --ignore=node_modules --ignore=var \
  --ignore=staticfiles --ignore=static --ignore=bench --ignore=tests --ignore=.git
gettext-deps:
	@if ! command -v msgfmt >/dev/null 2>&1; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "Installing Debian's gettext to compile the translations"; \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq gettext >/dev/null) \
	      || echo "Could not install gettext: pages will be in English only"; \
	  else echo "msgfmt (GNU gettext) is missing and cannot be installed here: pages will be in English only"; fi; \
	fi

messages: $(STAMP) gettext-deps
	mkdir -p $(addprefix locale/,$(LANGUAGE_CODES))
	PORTAL_EMBEDDED=1 $(BIN)/python manage.py makemessages $(addprefix -l ,$(LANGUAGE_CODES)) \
	  --domain django --add-location file --no-obsolete $(I18N_IGNORE)

compilemessages: $(STAMP) gettext-deps
	@if [ -d locale ] && command -v msgfmt >/dev/null 2>&1; then \
	  PORTAL_EMBEDDED=1 $(BIN)/python manage.py compilemessages $(I18N_IGNORE); fi

# Rebuild the committed CSS and JS from static/src with GOV.UK Frontend, sass and esbuild
# (pinned in package-lock.json). Only needed after changing static/src: `make run` uses the
# committed files and needs no node. The hash lets a test notice sources changed without a rebuild.
ASSET_SOURCES = $(sort $(wildcard static/src/*)) package-lock.json
assets:
	@if [ ! -x node_modules/.bin/sass ] || [ ! -x node_modules/.bin/esbuild ] || [ ! -d node_modules/govuk-frontend ]; then \
	  npm ci --no-audit --no-fund --silent; fi
	node_modules/.bin/sass --load-path=node_modules --no-source-map --style=compressed --quiet-deps \
	  static/src/portal.scss static/css/portal.css
	node_modules/.bin/esbuild static/src/portal.js --bundle --minify --format=esm --target=es2020 \
	  --legal-comments=none --log-level=warning --outfile=static/js/portal.js
	sha256sum $(ASSET_SOURCES) > static/build.sha256

# Rewrite feedback/bank_holidays.json from the holidays library (after upgrading it, or when
# a test says the table and the library disagree, as when a one-off bank holiday is proclaimed).
bank-holidays: install
	$(BIN)/python -c "from feedback import workdays; workdays.write_table()"

test: install browser-deps
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

bench: install
	$(BIN)/python -m bench.pages
	$(BIN)/python -m bench.submit
	$(BIN)/python -m bench.routing
	$(BIN)/python -m bench.queue

# The locks: requirements.in (what the code imports) and requirements-dev.in (the tools)
# compiled by pip-tools into requirements.txt and requirements-dev.txt, every package pinned
# with its hashes. A pin already in a lock stays as it is (pip-compile keeps it), so this
# only adds and removes; `make lock LOCK_ARGS=--upgrade-package=NAME` moves one package.
LOCK := CUSTOM_COMPILE_COMMAND="make lock" $(BIN)/pip-compile --quiet --generate-hashes \
  --strip-extras --allow-unsafe --no-emit-index-url --no-emit-find-links $(LOCK_ARGS)
lock: $(STAMP)
	$(LOCK) --output-file requirements.txt requirements.in
	$(LOCK) --output-file requirements-dev.txt requirements-dev.in

# Backups (README, Production): a custom-format pg_dump of DATABASE_URL into BACKUP_DIR
# (var/backups) with its checksum; a restore into a new database, then migrate --check.
# The keys are not in the dump: keep SECRET_KEY, MFA_ENCRYPTION_KEY and CODE_HASH_KEY apart.
backup:
	bin/backup

restore:
	bin/restore "$(FILE)" "$(TARGET_DATABASE_URL)"

clean:
	rm -rf $(VENV) var db.sqlite3 node_modules

FROM python:3.12-slim-bookworm
RUN apt-get update && apt-get install -y --no-install-recommends \
        libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core gettext \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY pyproject.toml ./
COPY . .
RUN pip install --no-cache-dir . && python manage.py compilemessages --ignore=.venv \
    && DJANGO_SETTINGS_MODULE=caseflow.settings.prod SECRET_KEY=build python manage.py collectstatic --noinput
ENV DJANGO_SETTINGS_MODULE=caseflow.settings.prod
RUN useradd --system caseflow
USER caseflow
EXPOSE 8000
# gunicorn with gthread workers (caseflow/gunicorn.py); WEB_CONCURRENCY and GUNICORN_THREADS size it.
CMD ["gunicorn", "caseflow.wsgi", "-c", "python:caseflow.gunicorn"]

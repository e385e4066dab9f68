# syntax=docker/dockerfile:1
# Image of the smart-city progress portal: the same image runs web (gunicorn),
# worker (celery worker) and beat (celery beat); see docker-compose.yml.

FROM python:3.11-slim AS build
ENV PIP_DISABLE_PIP_VERSION_CHECK=1
RUN python -m venv /opt/venv
COPY requirements.txt /tmp/requirements.txt
RUN /opt/venv/bin/pip install --no-cache-dir -r /tmp/requirements.txt

FROM python:3.11-slim
ENV PATH=/opt/venv/bin:$PATH \
    DJANGO_SETTINGS_MODULE=smartcity_portal.settings \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    STATIC_ROOT=/app/var/staticfiles \
    MEDIA_ROOT=/app/var/media
RUN groupadd --system --gid 10001 portal \
    && useradd --system --uid 10001 --gid portal --home-dir /app --no-create-home \
       --shell /usr/sbin/nologin portal
COPY --from=build /opt/venv /opt/venv
WORKDIR /app
# The code stays owned by root (read-only for the app); only var/ is writable.
COPY . .
RUN mkdir -p /app/var/staticfiles /app/var/media && chown -R portal:portal /app/var
USER portal
EXPOSE 8000
# Sends the first ALLOWED_HOSTS name as Host, and X-Forwarded-Proto so that
# SECURE_SSL_REDIRECT does not answer the check with a redirect.
HEALTHCHECK --interval=30s --timeout=10s --start-period=60s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request as u; h = (os.environ.get('ALLOWED_HOSTS') or '127.0.0.1').split(',')[0].strip().lstrip('.*') or '127.0.0.1'; u.urlopen(u.Request('http://127.0.0.1:8000/healthz', headers={'Host': h, 'X-Forwarded-Proto': 'https'}), timeout=5)"]
CMD ["gunicorn", "smartcity_portal.wsgi:application", "-c", "smartcity_portal/gunicorn.conf.py"]

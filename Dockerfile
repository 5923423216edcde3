# Rapport: one image for web (gunicorn), worker and beat. See docker-compose.yml.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_SETTINGS_MODULE=portal.settings.production \
    PORT=8000

WORKDIR /app
RUN groupadd --system rapport && useradd --system --gid rapport --home /app rapport

COPY requirements.txt ./
RUN pip install -r requirements.txt

COPY --chown=rapport:rapport . .
# Static files are collected at build time; the secret is a throwaway used only for this step.
RUN SECRET_KEY=collectstatic-only python manage.py collectstatic --noinput -v 0 \
    && mkdir -p var/media && chown -R rapport:rapport var

USER rapport
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=10s --start-period=30s --retries=3 CMD ["python", "bin/healthcheck.py", "web"]
CMD ["sh", "-c", "python manage.py migrate --noinput && exec gunicorn portal.wsgi:application --bind 0.0.0.0:${PORT} --workers ${WEB_CONCURRENCY:-3} --timeout 30 --access-logfile -"]

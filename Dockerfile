# A slim image that serves rnn-unfolded on port 8000 as a non-root user.
FROM python:3.11.7-slim-bookworm

# WEB_CONCURRENCY: uvicorn's worker processes (one per core of a 2-core host), each with its own
# computation slots and answer cache; nothing is shared, so containers scale the same way.
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    WEB_CONCURRENCY=2 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /srv/rnn-unfolded

# Dependencies in their own layer, at the exact versions of the lock file: rebuilt only when it
# changes, and two builds a month apart install the same code.
COPY requirements.lock ./
RUN pip install --no-cache-dir --no-deps -r requirements.lock

COPY core ./core
COPY app ./app
COPY templates ./templates
COPY static ./static
COPY docs/MATH.md ./docs/MATH.md
COPY experiment/checkpoints ./experiment/checkpoints

RUN useradd --system --uid 10001 --no-create-home app
USER 10001

EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=3s --start-period=5s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/api/v1/health', timeout=2)"]
CMD ["python", "-m", "uvicorn", "app.main:app", "--host", "0.0.0.0", "--port", "8000", "--timeout-keep-alive", "30"]

"""Static files under a name that changes with their content, so browsers and CDNs may keep
them for a year: /static/<id>/js/main.js, where <id> is a hash of every file under static/.
A release that changes any file gets a new id, and the page (never cached without asking)
points to it. The plain /static/... path stays for links from elsewhere, revalidated each time."""

import hashlib
from pathlib import Path

from fastapi.staticfiles import StaticFiles

REVALIDATE = "no-cache"


def content_id(directory: Path) -> str:
    """12 hex digits of a hash over every file's path and bytes under ``directory``."""
    digest = hashlib.sha256()
    for path in sorted(p for p in directory.rglob("*") if p.is_file()):
        digest.update(path.relative_to(directory).as_posix().encode() + b"\0")
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


class CachedStaticFiles(StaticFiles):
    """StaticFiles with one Cache-Control for every file it serves."""

    def __init__(self, *, cache_control: str, **kwargs):
        super().__init__(**kwargs)
        self.cache_control = cache_control

    def file_response(self, *args, **kwargs):
        response = super().file_response(*args, **kwargs)
        response.headers["Cache-Control"] = self.cache_control
        return response

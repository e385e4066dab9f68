"""Which code renders the pages: part of the key of every cached page and dashboard section.

Cached HTML is kept while the data it shows is unchanged (``indicators.results.selectors``);
a deploy that changes a template, a translation or a view must not go on serving pages
rendered by the code before it. ``PORTAL_RELEASE`` names the release where the deploy
sets it; otherwise the sizes and times of the files that shape a page are hashed, once
per process.
"""
import hashlib
import os
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHAPES_A_PAGE = (".html", ".mo", ".py")
NOT_CODE = {".venv", "var", "tests", "node_modules", ".git", "test-artifacts", "backups"}


@cache
def code_version():
    release = os.environ.get("PORTAL_RELEASE", "").strip()
    if release:
        return release
    digest = hashlib.sha1()
    for folder, subfolders, files in os.walk(ROOT):
        subfolders[:] = sorted(name for name in subfolders if name not in NOT_CODE)
        for name in sorted(files):
            if name.endswith(SHAPES_A_PAGE):
                stat = (Path(folder) / name).stat()
                digest.update(f"{folder}/{name}:{stat.st_size}:{stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()[:12]

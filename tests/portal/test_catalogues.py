"""Both catalogues are complete: every translatable word of the source is translated.

The messages are extracted again from a copy of the source, as `make messages`
would, and merged into a copy of the committed catalogues: a word added to the
code without a translation shows up as an empty or fuzzy entry.
"""
import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest

ROOT = Path(__file__).resolve().parents[2]
SOURCES = ("provinces", "programmes", "indicators", "smartcity_portal", "templates", "locale", "manage.py")


@pytest.fixture(scope="module")
def fresh_catalogues(tmp_path_factory):
    if not shutil.which("msgmerge"):
        pytest.skip("gettext is not installed (apt-get install -y gettext); .ci/run installs it.")
    copy = tmp_path_factory.mktemp("catalogues")
    for name in SOURCES:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, copy / name, ignore=shutil.ignore_patterns("__pycache__", "*.mo"))
        else:
            shutil.copy(source, copy / name)
    subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "vi", "-l", "en", "--no-location", "--no-obsolete"],
        cwd=copy, check=True, capture_output=True,
        env={"PATH": "/usr/bin:/bin", "DJANGO_SETTINGS_MODULE": "smartcity_portal.settings", "PYTHONPATH": str(copy),
             "SECRET_KEY": "catalogue-test", "DEBUG": "1"},
    )
    return {lang: polib.pofile(copy / "locale" / lang / "LC_MESSAGES" / "django.po") for lang in ("vi", "en")}


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_every_translatable_word_is_translated(fresh_catalogues, lang):
    catalogue = fresh_catalogues[lang]
    untranslated = [e.msgid for e in catalogue if not e.obsolete and not e.translated()]
    fuzzy = [e.msgid for e in catalogue if not e.obsolete and "fuzzy" in e.flags]
    assert not untranslated, f"{len(untranslated)} untranslated in {lang}: {untranslated[:10]}"
    assert not fuzzy, f"{len(fuzzy)} fuzzy in {lang}: {fuzzy[:10]}"


def test_the_committed_catalogues_are_those_the_source_gives(fresh_catalogues):
    committed = polib.pofile(ROOT / "locale" / "vi" / "LC_MESSAGES" / "django.po")
    wanted = {(e.msgctxt, e.msgid) for e in fresh_catalogues["vi"] if not e.obsolete}
    present = {(e.msgctxt, e.msgid) for e in committed if not e.obsolete}
    assert wanted <= present, f"run `make messages`: missing {sorted(m for _, m in wanted - present)[:10]}"

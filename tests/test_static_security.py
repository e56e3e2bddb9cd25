"""Static checks: dangerous calls never appear in the project's code.

User text rendered as HTML, pickle, and Keras's unsafe loading are how a classroom
server gets owned; this test fails the moment one of them shows up.
"""

from __future__ import annotations

import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
FORBIDDEN = {
    r"allow_pickle\s*=\s*True": "numpy.load must never unpickle",
    r"safe_mode\s*=\s*False": "Keras models load with safe_mode on",
    r"\bpickle\.loads?\(": "no pickle.load: metadata is JSON",
    r"\bcloudpickle\b": "no pickle.load: metadata is JSON",
    r"\beval\(": "no eval of strings",
}


def _sources():
    for folder in ("core", "pages", "ui", "bench"):
        yield from sorted((REPO / folder).rglob("*.py"))
    yield REPO / "app.py"


def test_no_forbidden_calls():
    problems = []
    for path in _sources():
        if not path.exists():
            continue
        for lineno, line in enumerate(path.read_text("utf-8").splitlines(), 1):
            for pattern, why in FORBIDDEN.items():
                if re.search(pattern, line):
                    problems.append(f"{path.relative_to(REPO)}:{lineno}: {why}: {line.strip()}")
    assert not problems, "\n".join(problems)


def test_unsafe_html_only_in_the_escaping_helper():
    """``unsafe_allow_html=True`` may only appear in functions whose docstring promises escaping."""
    problems = []
    for path in _sources():
        if not path.exists():
            continue
        source = path.read_text("utf-8")
        for match in re.finditer(r"unsafe_allow_html\s*=\s*True", source):
            start = source.rfind("\ndef ", 0, match.start())
            function = source[start : match.start()]
            if "html.escape" not in function and "escape" not in function.lower():
                line = source.count("\n", 0, match.start()) + 1
                problems.append(f"{path.relative_to(REPO)}:{line}: unsafe_allow_html without escaping")
    assert not problems, "\n".join(problems)


def test_server_settings_for_serving_a_classroom():
    import tomllib

    settings = tomllib.loads((REPO / ".streamlit" / "config.toml").read_text("utf-8"))
    server = settings["server"]
    assert server["enableXsrfProtection"] is True and server["enableCORS"] is True
    assert 0 < server["maxUploadSize"] <= 200 and 0 < server["maxMessageSize"] <= 200
    assert server["fileWatcherType"] == "none" and server["runOnSave"] is False
    assert settings["client"]["showErrorDetails"] == "none"


def test_keras_is_pinned_past_the_safe_mode_bypasses():
    requirements = (REPO / "requirements.txt").read_text("utf-8")
    assert re.search(r"^keras>=3\.14\.1\b", requirements, re.M)
    import keras

    assert tuple(int(p) for p in keras.__version__.split(".")[:3]) >= (3, 14, 1)

"""The import rule's second half, which import-linter does not check: no module takes another's _private name.

(The layers, the forbidden imports and the circles are import-linter contracts in pyproject.toml,
run by `lint-imports` in .ci/run; this test also runs lint-imports, so `pytest` alone keeps the rule.)
"""

from __future__ import annotations

import ast
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "xlpromo"


def _module(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _private_imports(source: str, here: str) -> list[str]:
    """``from a.b import _x`` in module ``here``, and ``from a._b import …`` from outside package ``a``
    (import-linter's private_modules rule, kept here so one test shows both)."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0 and node.module.startswith("xlpromo"):
            for alias in node.names:
                if alias.name.startswith("_") and not alias.name.startswith("__"):
                    found.append(f"{here}: from {node.module} import {alias.name}")
            parts = node.module.split(".")
            first = next((i for i, p in enumerate(parts) if p.startswith("_") and not p.startswith("__")), None)
            parent = ".".join(parts[:first]) if first is not None else None  # a private module's own package
            if parent is not None and not (here + ".").startswith(parent + "."):
                found.append(f"{here}: from {node.module} import …")
        elif isinstance(node, ast.ImportFrom) and node.level:
            for alias in node.names:
                if alias.name.startswith("_") and not alias.name.startswith("__"):
                    found.append(f"{here}: from {'.' * node.level}{node.module or ''} import {alias.name}")
    return found


def test_no_module_imports_a_private_name_of_another() -> None:
    found = [hit for path in sorted(PACKAGE.rglob("*.py"))
             for hit in _private_imports(path.read_text(encoding="utf-8"), _module(path))]
    assert found == []


def test_the_private_import_check_sees_them() -> None:
    """The check above can fail: private names and private modules from elsewhere are caught, a package's own not."""
    source = ("from xlpromo.model.parse import _missing\nfrom xlpromo.ooxml._kernel import patch\n"
              "from xlpromo.engine._inner import ok\nfrom xlpromo._version import v\nfrom . import _sibling\n")
    assert _private_imports(source, "xlpromo.engine.probe") == [
        "xlpromo.engine.probe: from xlpromo.model.parse import _missing",
        "xlpromo.engine.probe: from xlpromo.ooxml._kernel import …",
        "xlpromo.engine.probe: from . import _sibling",
    ]


def test_lint_imports_keeps_every_contract() -> None:
    result = subprocess.run(["lint-imports"], cwd=ROOT, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout[-3000:]
    assert "0 broken" in result.stdout


def test_the_public_face_names_what_it_loads() -> None:
    """``xlpromo.__all__`` is the table of lazily loaded names, and each resolves to the documented object."""
    import xlpromo
    from xlpromo.roundtrip.merge import merge_books

    assert set(xlpromo.__all__) == {"__version__", *xlpromo._FACE}
    assert xlpromo.merge_books is merge_books
    assert all(callable(getattr(xlpromo, name)) for name in xlpromo._FACE)


def test_the_public_face_runs_as_its_docstring_says(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The example at the top of xlpromo/__init__.py, run as written, in a scratch folder."""
    import xlpromo

    doc = xlpromo.__doc__ or ""
    lines = [ln.strip() for ln in doc.split("::", 1)[1].split("\n\n")[1].splitlines()]
    code = "\n".join(ln.split("  #")[0] for ln in lines)
    monkeypatch.chdir(tmp_path)
    exec(compile(code, "xlpromo.__doc__", "exec"), {})
    assert sorted(p.name for p in tmp_path.iterdir()) == ["618-仓储部.xlsx", "618.recalc.xlsx", "618.xlsx",
                                                          "618.合并.xlsx"]
    report = xlpromo.check(tmp_path / "618.合并.xlsx")
    assert report.valid

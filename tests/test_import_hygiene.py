"""Core modules never import Textual (Harlequin's rule): the UI sits on top."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import workbench
from tests.conftest import CODEBOOK, CORPUS

PACKAGE = Path(workbench.__file__).parent
CORE = sorted(p for p in PACKAGE.glob("*.py") if p.name not in ("__main__.py",))


def imported_modules(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_core_modules_do_not_import_textual():
    assert len(CORE) >= 8
    offenders = {
        p.name: sorted(
            m for m in imported_modules(p) if m.split(".")[0] in ("textual", "workbench.tui")
        )
        for p in CORE
    }
    assert {k: v for k, v in offenders.items() if v} == {}


def test_importing_core_modules_loads_no_textual_and_no_slow_camel_modules():
    core = ", ".join(f"workbench.{p.stem}" for p in CORE if p.stem != "__init__")
    code = (
        f"import sys, {core}\n"
        "bad = [m for m in sys.modules if m.startswith(('textual', 'camel_tools.utils.charsets',"
        " 'camel_tools.data', 'torch'))]\n"
        "print(bad)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_camel_tools_data_is_never_imported_anywhere():
    # camel_tools.data tries to download at import and fails offline.
    for path in PACKAGE.rglob("*.py"):
        assert not any(m.startswith("camel_tools.data") for m in imported_modules(path)), path


def test_starting_the_tui_imports_neither_pandas_nor_camel_charsets(tmp_path):
    # The app deliberately warms camel-tools in a background thread after the
    # first paint; that warm-up is switched off here to see the start-up path.
    # The first start under a new codebook version seeds the speaker registry
    # (Arabic keys: camel-tools, once); this is every start after that.
    db = tmp_path / "start.db"
    code = f"""
import asyncio, sys
import workbench.tui.app as tui
tui._warm_arabic = lambda: None
from workbench.codebook import resolve_codebook
from workbench.corpus import import_paths
from workbench.store import Store
store = Store({str(db)!r})
import_paths(store, [{str(CORPUS)!r}])
store.register_codebook(resolve_codebook({str(CODEBOOK)!r}, store))
for m in [m for m in sys.modules if m.startswith(("pandas", "camel_tools", "sqlite_utils"))]:
    del sys.modules[m]
book = resolve_codebook({str(CODEBOOK)!r}, store)
app = tui.WorkbenchApp(store, book, coder="amina", display="app", open_article=1)

async def main():
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        assert "sentence 1/" in str(app.screen.query_one("#status").render())

asyncio.run(main())
print(sorted(m for m in sys.modules if m.startswith(("pandas", "camel_tools.utils.charsets"))))
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip().splitlines()[-1] == "[]"

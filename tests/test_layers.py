"""The layers are a tested contract (README, "Architecture"): `.importlinter` says which package may import which,
and import-linter checks it on the real import graph (every `import`, also those inside functions). The contract
passes here, and a second test shows it fails when a module imports upward, when the generation core reaches for
data, or when two modules of a package import each other."""
from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import ROOT

LINT = Path(sys.executable).with_name("lint-imports")
PACKAGES = ("data", "tools", "encoders", "generation", "toolloop", "multimodal", "geollm", "pages", "bench")


def lint(folder: Path) -> subprocess.CompletedProcess:
    return subprocess.run([str(LINT), "--no-cache"], cwd=folder, capture_output=True, text=True, timeout=300)


def test_every_package_imports_only_downward_and_no_package_has_a_cycle():
    result = lint(ROOT)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert "3 kept, 0 broken" in result.stdout


@pytest.fixture(scope="module")
def copy_of_the_code(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("layers")
    for package in PACKAGES:
        shutil.copytree(ROOT / package, folder / package, ignore=shutil.ignore_patterns("__pycache__", "*.md"))
    shutil.copy(ROOT / ".importlinter", folder)
    return folder


@pytest.mark.parametrize("module, line, broken", [
    ("data/budgets.py", "from encoders import cf", "Packages import only downward"),  # data above encoders
    ("encoders/text.py", "import toolloop", "Packages import only downward"),
    ("generation/types.py", "from data import errors", "The generation core knows nothing of data"),
    ("data/errors.py", "from data import budgets", "No import cycles"),  # budgets imports errors
])
def test_the_contract_fails_on_an_upward_import_a_core_reaching_for_data_or_a_cycle(copy_of_the_code, module, line,
                                                                                   broken):
    path = copy_of_the_code / module
    original = path.read_text()
    try:
        path.write_text(original + f"\n\ndef _added():\n    {line}  # the import under test\n")
        result = lint(copy_of_the_code)
    finally:
        path.write_text(original)
    assert result.returncode != 0 and f"{broken}" in result.stdout.split("Broken contracts")[-1], result.stdout[-2000:]

"""A non-editable install (``pip install .``, or a wheel) carries the presets: scenarios/,
scenarios/appraisal/ and experiments/ are copied into the package at build time (setup.py) and
the installed package finds them from any working directory, with no checkout beside it.

The wheel is built offline from a copy of the build inputs (no build isolation, so setuptools
with bdist_wheel must be installed: the test extra asks for setuptools>=70.1).
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from lspsim._data import SHIPPED_DIRS, data_dir
from lspsim.appraisal.assumptions import load_assumptions
from lspsim.errors import InputError
from lspsim.scenario import load_scenario, preset_file, presets_dir
from lspsim.sweep.experiment import experiments_dir

ROOT = Path(__file__).resolve().parents[1]
# What `pip install .` reads from a checkout (the sdist's content: MANIFEST.in and pyproject).
BUILD_INPUTS = ["pyproject.toml", "setup.py", "MANIFEST.in", "README.md", "lspsim", "scenarios",
                "experiments"]


def _can_build_wheels() -> bool:
    if importlib.util.find_spec("wheel") is not None:
        return True
    import setuptools

    major, minor = (int(x) for x in setuptools.__version__.split(".")[:2])
    return (major, minor) >= (70, 1)  # bdist_wheel moved into setuptools in 70.1


def _shipped() -> dict[str, bytes]:
    """Every preset file the repository holds, keyed by its path inside the wheel."""
    out = {}
    for repo_name, pkg_name in SHIPPED_DIRS.items():
        for f in sorted((ROOT / repo_name).rglob("*.toml")):
            out[f"lspsim/{pkg_name}/{f.relative_to(ROOT / repo_name).as_posix()}"] = f.read_bytes()
    return out


def _run(args: list[str], cwd: Path, env: dict[str, str] | None = None,
         timeout: float = 120) -> subprocess.CompletedProcess:
    res = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    assert res.returncode == 0, f"{' '.join(args)} exited {res.returncode}:\n{res.stderr[-3000:]}"
    return res


def test_a_checkout_reads_its_own_directories():
    assert presets_dir() == data_dir("scenarios") == ROOT / "scenarios"
    assert experiments_dir() == ROOT / "experiments"


def test_files_under_scenarios_are_named_like_presets():
    """appraisal/today names scenarios/appraisal/today.toml wherever the presets live, so the
    appraisal examples work from an installed wheel too; a file in the working directory wins."""
    by_name = load_scenario("appraisal/today")
    assert by_name == load_scenario(ROOT / "scenarios" / "appraisal" / "today.toml")
    assert load_scenario("appraisal/clearer-layers.toml").name == "clearer_layers"
    a = load_assumptions("appraisal/local-example")
    assert a == load_assumptions(ROOT / "scenarios" / "appraisal" / "local-example.toml")
    assert preset_file("../pyproject.toml") is None
    assert preset_file(ROOT / "scenarios" / "default.toml") is None  # absolute: a path only
    with pytest.raises(InputError) as exc:
        load_scenario("appraisal/no-such-example")
    assert exc.value.field == "(file)"
    with pytest.raises(InputError):
        load_assumptions("appraisal/no-such-example")


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if not _can_build_wheels():
        pytest.skip("building a wheel offline needs setuptools>=70.1 or the wheel package "
                    "(pip install -e '.[test]')")
    src = tmp_path_factory.mktemp("src")
    for name in BUILD_INPUTS:
        p = ROOT / name
        if p.is_dir():
            shutil.copytree(p, src / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(p, src / name)
    out = tmp_path_factory.mktemp("dist")
    _run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation",
          "--no-index", "-w", str(out), str(src)], cwd=src)
    (whl,) = out.glob("lspsim-*.whl")
    return whl


@pytest.mark.packaging
def test_wheel_carries_every_preset_experiment_and_appraisal_file(wheel):
    shipped = _shipped()
    assert any(k.startswith("lspsim/presets/appraisal/") for k in shipped)
    assert sum(k.startswith("lspsim/experiments/") for k in shipped) >= 1
    with zipfile.ZipFile(wheel) as z:
        names = set(z.namelist())
        in_wheel = {n for n in names
                    if any(n.startswith(f"lspsim/{d}/") for d in SHIPPED_DIRS.values())}
        # exactly the repository's files (nothing missing, no leftover of an earlier build),
        # byte for byte
        assert in_wheel == set(shipped)
        for name, data in shipped.items():
            assert z.read(name) == data, name
    # the rest of the package is there too: every subpackage and the appraisal defaults
    for init in ROOT.joinpath("lspsim").rglob("__init__.py"):
        assert init.relative_to(ROOT).as_posix() in names
    assert "lspsim/appraisal/defaults.toml" in names


@pytest.mark.packaging
def test_installed_wheel_finds_presets_outside_the_checkout(wheel, tmp_path):
    target = tmp_path / "site"
    _run([sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--no-index",
          "--target", str(target), str(wheel)], cwd=tmp_path)
    work = tmp_path / "elsewhere"  # a working directory with no scenarios/ or experiments/
    work.mkdir()
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env["PYTHONPATH"] = str(target)

    def lspsim(*args: str) -> str:
        return _run([sys.executable, "-m", "lspsim", *args], cwd=work, env=env).stdout

    where = _run([sys.executable, "-c", "import lspsim, lspsim.scenario as s, "
                  "lspsim.sweep.experiment as e; print(lspsim.__file__); "
                  "print(s.presets_dir()); print(e.experiments_dir())"],
                 cwd=work, env=env).stdout.split()
    assert [Path(p).resolve() for p in where] == [
        (target / "lspsim" / "__init__.py").resolve(), (target / "lspsim" / "presets").resolve(),
        (target / "lspsim" / "experiments").resolve()], "the installed copy, not the checkout"

    listed = [line for line in lspsim("scenarios").splitlines() if line and line[0] != " "]
    assert listed == sorted(p.stem for p in (ROOT / "scenarios").glob("*.toml"))
    assert "valid scenario 'default'" in lspsim("validate", "default")
    assert "valid scenario" in lspsim("validate", "appraisal/today")
    listed = [line.split()[0] for line in lspsim("experiments").splitlines()
              if line and line[0] != " "]
    assert listed == sorted(p.stem for p in (ROOT / "experiments").glob("*.toml"))

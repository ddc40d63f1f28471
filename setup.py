"""Build step that ships the presets inside the package (all other metadata: pyproject.toml).

The repository's scenarios/ and experiments/ are the canonical, editable preset files. A wheel
(``pip install .``, ``pip wheel .``) carries copies of them as lspsim/presets/ and
lspsim/experiments/, where lspsim._data.data_dir() looks when no checkout is beside the
package. Editable installs (``pip install -e .``) copy nothing: they read the repository.
"""

from __future__ import annotations

import runpy
import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent
# repository directory -> directory inside the package, read from the module that looks there
# (run as a plain file: importing lspsim would need its dependencies at build time)
SHIPPED_DIRS: dict[str, str] = runpy.run_path(str(ROOT / "lspsim" / "_data.py"))["SHIPPED_DIRS"]


class BuildPyWithPresets(build_py):
    """build_py, then copy every *.toml under each shipped directory into the build."""

    def _preset_files(self) -> list[tuple[Path, Path]]:
        pairs = []
        for src_name, dst_name in SHIPPED_DIRS.items():
            src = ROOT / src_name
            if not src.is_dir():
                raise FileNotFoundError(f"{src}: preset directory missing; build from a checkout "
                                        "or an sdist that includes it (MANIFEST.in)")
            dst = Path(self.build_lib, "lspsim", dst_name)
            pairs += [(f, dst / f.relative_to(src)) for f in sorted(src.rglob("*.toml"))]
        return pairs

    def run(self) -> None:
        super().run()
        if getattr(self, "editable_mode", False):
            return  # an editable install reads scenarios/ and experiments/ in place
        for dst_name in SHIPPED_DIRS.values():
            # generated wholly here: clear leftovers of an earlier build (a removed preset)
            shutil.rmtree(Path(self.build_lib, "lspsim", dst_name), ignore_errors=True)
        for src, dst in self._preset_files():
            self.mkpath(str(dst.parent))
            self.copy_file(str(src), str(dst))

    def get_outputs(self, include_bytecode: bool = True) -> list[str]:
        outputs = super().get_outputs(include_bytecode)
        if getattr(self, "editable_mode", False):
            return outputs
        return outputs + [str(dst) for _, dst in self._preset_files()]


setup(cmdclass={"build_py": BuildPyWithPresets})

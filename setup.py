"""The package build's own steps; the metadata is in pyproject.toml.

A plain `pip install .` must give a working, Dutch-speaking app, so the build:
- compiles the Dutch catalogue (coop/translations/*/LC_MESSAGES/messages.po -> .mo) with
  Babel (a build requirement), and
- ships `templates/` and `migrations/`, which sit beside the package in the checkout, inside
  it (`coop/templates`, `coop/migrations`), where `coop.create_app` looks first.
"""

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent
SHIPPED_DIRECTORIES = ("templates", "migrations")


def compile_catalogues(directory: Path) -> None:
    from babel.messages.frontend import CommandLineInterface

    status = CommandLineInterface().run(["pybabel", "-q", "compile", "-d", str(directory)])
    if status:
        raise SystemExit(f"compiling the catalogues in {directory} failed")


class BuildPyWithCatalogue(build_py):
    def run(self):
        super().run()
        if getattr(self, "editable_mode", False):
            # An editable install runs from the checkout: compile in place.
            compile_catalogues(ROOT / "coop" / "translations")
            return
        package = Path(self.build_lib) / "coop"
        for name in SHIPPED_DIRECTORIES:
            target = package / name
            shutil.rmtree(target, ignore_errors=True)
            shutil.copytree(ROOT / name, target,
                            ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        compile_catalogues(package / "translations")


setup(cmdclass={"build_py": BuildPyWithCatalogue})

"""The README's production path: a plain `pip install` gives a working app in Dutch.

The project is built from a copy of the checkout without any compiled catalogue and
installed (not editable) into a fresh virtual environment; the dependencies come from the
test environment (a path file) so nothing is downloaded. The installed app then migrates
a database in its data directory and serves the login page, run from a directory that
holds no code, so only the installed package can answer.
"""

import os
import shutil
import subprocess
import sys
import sysconfig
import venv
from importlib.metadata import version
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Not part of a build: the test environment, caches, local data, generated files.
TOP_LEVEL_SKIPPED = {
    ".venv", ".git", "instance", "invoices", "build", "tests", "bench", ".hypothesis",
    ".pytest_cache", ".ruff_cache", "test-results", "coop.egg-info",
}

SERVE_LOGIN_PAGE = """
import coop
from coop import create_app

app = create_app()
response = app.test_client().get("/login")
print(coop.__file__)
print(response.status_code)
print(response.get_data(as_text=True))
"""


def _copy_source(target: Path) -> None:
    def skipped(directory, names):
        top = Path(directory) == ROOT
        return {name for name in names
                if (top and name in TOP_LEVEL_SKIPPED)
                or name == "__pycache__" or name.endswith((".mo", ".pyc"))}

    shutil.copytree(ROOT, target, ignore=skipped)


def _run(command, cwd, env=None):
    result = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True,  # noqa: S603 - our own commands
                            timeout=300, check=False)
    assert result.returncode == 0, f"{command}:\n{result.stdout}\n{result.stderr}"
    return result.stdout


def test_pip_installed_app_serves_dutch_pages(tmp_path):
    assert int(version("setuptools").split(".")[0]) >= 77, (
        "building needs setuptools>=77 (the SPDX license field): install the test extra "
        "again, e.g. with ./scripts/test.sh")
    source = tmp_path / "source"
    _copy_source(source)
    assert not list(source.rglob("*.mo"))

    environment = tmp_path / "venv"
    venv.create(environment, with_pip=False)
    python = environment / "bin" / "python"
    purelib = Path(_run([str(python), "-c",
                         "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                        cwd=tmp_path).strip())
    # The dependencies (and pip, setuptools, Babel for the build) from the test
    # environment; its own path files (the editable checkout) are not read from there.
    (purelib / "test-dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")

    _run([str(python), "-m", "pip", "install", "--quiet", "--no-deps", "--no-index",
          "--no-build-isolation", "--disable-pip-version-check", str(source)], cwd=tmp_path)

    installed = purelib / "coop"
    assert (installed / "translations" / "nl" / "LC_MESSAGES" / "messages.mo").is_file()
    run_dir = tmp_path / "elsewhere"
    run_dir.mkdir()
    env = {
        "PATH": os.environ.get("PATH", ""),
        "COOP_ENV": "production",
        "SECRET_KEY": "install-test-secret",
        "DATA_DIR": str(tmp_path / "data"),
    }
    _run([str(python), "-m", "flask", "--app", "coop:create_app", "db", "upgrade"],
         cwd=run_dir, env=env)
    output = _run([str(python), "-c", SERVE_LOGIN_PAGE], cwd=run_dir, env=env)

    module_file, status, page = output.split("\n", 2)
    assert Path(module_file).is_relative_to(purelib)
    assert status == "200"
    assert '<html lang="nl"' in page
    assert "Inloggen" in page
    assert (tmp_path / "data" / "coop.sqlite").is_file()
    assert sys.prefix != str(environment)

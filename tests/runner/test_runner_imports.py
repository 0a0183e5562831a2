"""Package direction: the runner runs on a VM with its own small set of dependencies (neither its command nor
any of its modules may import the control room, the sandbox, Flask or SQLAlchemy), and the vault's
cryptography imports nothing of the control room."""
import json
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).parents[2]
FORBIDDEN = ("control_room", "sandbox", "flask", "sqlalchemy")

# Runs in a fresh interpreter: imports what is asked, then prints the forbidden modules that got loaded.
PROBE = """
import json, sys
{body}
print(json.dumps(sorted(m for m in sys.modules if m.split(".")[0] in {forbidden!r})))
"""


def _loaded_forbidden_modules(body: str) -> tuple[list[str], str]:
    code = PROBE.format(body=body, forbidden=FORBIDDEN)
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, cwd=REPO,
                            check=False)
    assert result.returncode == 0, result.stderr
    *output, last = result.stdout.strip().split("\n")
    return json.loads(last), "\n".join(output)


def test_the_runner_package_imports_nothing_of_the_control_room():
    loaded, _ = _loaded_forbidden_modules(
        "import pkgutil, importlib, runner\n"
        "for module in pkgutil.iter_modules(runner.__path__):\n"
        "    if module.name != '__main__':\n"
        "        importlib.import_module(f'runner.{module.name}')\n"
        "import runner.cli")
    assert loaded == []


def test_python_m_runner_help_imports_nothing_of_the_control_room():
    loaded, output = _loaded_forbidden_modules(
        "import runpy\n"
        "sys.argv = ['runner', '--help']\n"
        "try:\n"
        "    runpy.run_module('runner', run_name='__main__', alter_sys=True)\n"
        "except SystemExit as exit:\n"
        "    assert exit.code in (0, None), exit.code")
    assert "--url" in output and "Run bots for a control room" in output
    assert loaded == []


def test_the_default_bots_folder_is_the_projects():
    from runner.cli import BOTS_DIR

    assert BOTS_DIR == REPO / "bots" and (BOTS_DIR / "kit").is_dir()


def test_the_vaults_cryptography_imports_nothing_of_the_control_room():
    """credentials/ keeps the master key and the transit envelope; the database-backed vault is the control
    room's (control_room/vault/), so the crypto can be reviewed and reused on its own."""
    loaded, _ = _loaded_forbidden_modules("import credentials.master_key, credentials.transit")
    assert loaded == []

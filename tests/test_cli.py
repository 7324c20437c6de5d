"""The `fairrecruit` command: its help comes without creating the app, every command still runs, and long
commands show their progress on a terminal only."""
import fcntl
from importlib import import_module
from importlib.metadata import entry_points
import os
from pathlib import Path
import pty
import select
import struct
import subprocess
import sys
import termios

from app import cli
from tests.conftest import fresh_database_url
from tests.registry.test_import import csv_bytes

ROOT = Path(__file__).resolve().parents[1]
RUN = "import sys\nfrom app.cli import main\nsys.argv[0] = 'fairrecruit'\nmain()\n"
ROWS = [{"legal_name": f"Pokhara Overseas {n}", "country": "NP", "people": f"Sita Thapa {n} (owner)"}
        for n in range(30)]


def python(code, *args, env=None, **options):
    """Run Python code from the repository root in a new process."""
    return subprocess.run([sys.executable, "-c", code, *args], cwd=ROOT, env={**os.environ, **(env or {})},
                          timeout=120, **options)


def test_help_lists_every_command_without_importing_the_app():
    code = ("import sys\nfrom app.cli import main\nsys.argv = ['fairrecruit', '--help']\n"
            "try:\n    main()\nexcept SystemExit:\n    pass\n"
            "print([m for m in ('alembic', 'openpyxl', 'argon2', 'sqlalchemy', 'app.registry') if m in sys.modules])")
    done = python(code, capture_output=True, text=True, check=True)
    lines = done.stdout.splitlines()
    assert lines[-1] == "[]"
    listed = {line.split()[0] for line in lines[lines.index("Commands:") + 1:-1]}
    assert listed == set(cli.COMMANDS) | {"run", "shell", "routes"}


def test_the_app_loads_without_the_spreadsheet_and_calendar_libraries(tmp_path):
    # gunicorn's master loads the app at every start; XLSX files and calendar feeds load theirs at first use.
    code = ("import sys\nfrom app import create_app\ncreate_app()\n"
            "print([m for m in ('openpyxl', 'icalendar') if m in sys.modules])")
    env = {"DATABASE_URL": f"sqlite:///{tmp_path / 'app.sqlite'}", "SECRET_KEY": "x" * 40}
    done = python(code, env=env, capture_output=True, text=True, check=True)
    assert done.stdout.splitlines()[-1] == "[]"


def test_the_listed_commands_are_the_apps_with_their_own_help(app):
    commands = {**app.cli.commands, **{e.name: e.load() for e in entry_points(group="flask.commands")}}
    assert set(cli.COMMANDS) == set(commands)
    for name, (target, summary) in cli.COMMANDS.items():
        assert summary == commands[name].get_short_help_str(limit=1000)
        if target:
            module, attribute = target.split(":")
            assert getattr(import_module(module), attribute) is commands[name]


def test_a_command_found_without_the_app_writes_unless_it_only_reads():
    code = ("import click\nfrom app.cli import Commands\ngroup = Commands(create_app=None)\n"
            "registry = group.get_command(click.Context(group), 'registry')\n"
            "print(registry.commands['import'].callback.writes,\n"
            "      hasattr(registry.commands['export'].callback, 'writes'))")
    assert python(code, capture_output=True, text=True, check=True).stdout.split() == ["True", "False"]


def test_a_long_command_prints_only_its_result_when_output_is_not_a_terminal(runner, tmp_path):
    path = tmp_path / "agencies.csv"
    path.write_bytes(csv_bytes(ROWS))
    result = runner.invoke(args=["registry", "import", str(path)])
    assert result.exit_code == 0, result.output
    assert result.output == f"{path}: 30 rows; created 30, updated 0, unchanged 0, skipped 0\n"


def test_a_long_command_shows_its_progress_on_a_terminal(tmp_path):
    path = tmp_path / "agencies.csv"
    path.write_bytes(csv_bytes(ROWS))
    env = {"DATABASE_URL": fresh_database_url(tmp_path, "cli"), "SECRET_KEY": "cli-test-" + "x" * 32,
           "LOG_LEVEL": "WARNING"}
    python(RUN, "db", "upgrade", env=env, check=True, capture_output=True)
    master, terminal = pty.openpty()
    fcntl.ioctl(terminal, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 100, 0, 0))
    with subprocess.Popen([sys.executable, "-c", RUN, "registry", "import", str(path)], cwd=ROOT,
                          env={**os.environ, **env}, stdout=subprocess.PIPE, stderr=terminal, text=True) as process:
        os.close(terminal)
        shown = read_all(master, process)
        printed = process.stdout.read()
    assert process.returncode == 0, shown
    assert printed == f"{path}: 30 rows; created 30, updated 0, unchanged 0, skipped 0\n"
    for step in ("checking rows", "matching registered entities", "adding new entities", cli.SAVING):
        assert step in shown
    assert "checking rows: 100%" in shown and "30/30" in shown


def read_all(master, process):
    """Everything written to the terminal until the process ends."""
    chunks = []
    while True:
        ready, _, _ = select.select([master], [], [], 0.2)
        if ready:
            try:
                chunks.append(os.read(master, 4096))
                continue
            except OSError:  # the process closed the terminal
                break
        if process.poll() is not None:
            break
    os.close(master)
    return b"".join(chunks).decode(errors="replace")

"""``ascolto survey validate``: every error on its own line, exit codes 0/1/2, two languages."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bot.cli import main

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures" / "surveys"
VALID = str(FIXTURES / "valid.yaml")
THREE_MISTAKES = str(FIXTURES / "three_mistakes.yaml")
SYNTAX_ERROR = str(FIXTURES / "syntax_error.yaml")
ERROR_LINE = re.compile(r"^(?P<file>.+?):(?P<line>\d+): \[(?P<key>[^\]]+)\] (?P<message>.+)$")


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, list[str], list[str]]:
    code = main(["survey", "validate", *argv])
    captured = capsys.readouterr()
    return code, captured.out.splitlines(), captured.err.splitlines()


def line_of(path: str, needle: str) -> int:
    lines = Path(path).read_text(encoding="utf-8").splitlines()
    return next(i + 1 for i, line in enumerate(lines) if needle in line)


def test_valid_files_exit_0_and_print_no_errors(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, VALID, str(FIXTURES / "listening.yaml"))
    assert code == 0
    assert out == []
    assert err == ["no errors in 2 files"]


def test_three_independent_mistakes_give_three_lines(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, THREE_MISTAKES)
    assert code == 1
    assert len(out) == 3
    parsed = [ERROR_LINE.match(line) for line in out]
    assert all(parsed), out
    assert [(m["file"], int(m["line"]), m["key"]) for m in parsed if m] == [
        (THREE_MISTAKES, line_of(THREE_MISTAKES, "single_choise"), "first"),
        (THREE_MISTAKES, line_of(THREE_MISTAKES, "requird"), "second"),
        (THREE_MISTAKES, line_of(THREE_MISTAKES, "min: 100"), "third"),
    ]
    assert err == ["3 errors in 1 file"]


def test_errors_of_every_file_are_printed(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    second = tmp_path / "second.yaml"
    second.write_text(Path(VALID).read_text(encoding="utf-8").replace("mode: survey", "mode: poll"))
    code, out, err = run(capsys, THREE_MISTAKES, VALID, str(second))
    assert code == 1
    assert [line.split(":")[0] for line in out] == [THREE_MISTAKES] * 3 + [str(second)]
    assert err == ["4 errors in 2 files"]


def test_italian_messages(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "--lang", "it", THREE_MISTAKES)
    assert code == 1
    assert "tipo di domanda sconosciuto" in out[0]
    assert "forse intendevi required?" in out[1]
    assert "è maggiore di" in out[2]
    assert err == ["3 errori in 1 file"]


def test_yaml_syntax_error_exits_2_on_stderr(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, SYNTAX_ERROR)
    assert code == 2
    assert out == []
    assert err[0].startswith(f"{SYNTAX_ERROR}:3: YAML syntax error: ")
    assert err[-1] == "unreadable or not YAML: 1 file"


def test_unreadable_file_exits_2_and_the_others_are_still_validated(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    missing = str(tmp_path / "missing.yaml")
    not_utf8 = tmp_path / "latin1.yaml"
    not_utf8.write_bytes("title: città\n".encode("latin-1"))
    code, out, err = run(capsys, missing, THREE_MISTAKES, str(not_utf8), str(tmp_path))
    assert code == 2
    assert len(out) == 3  # the readable file's errors are all there
    assert err[0] == f"{missing}: cannot read: No such file or directory"
    assert err[1].startswith(f"{not_utf8}: cannot read: ")
    assert err[2].startswith(f"{tmp_path}: cannot read: ")
    assert err[-1] == "3 errors in 1 file; unreadable or not YAML: 3 files"


def test_at_least_one_file_is_required(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as caught:
        main(["survey", "validate"])
    assert caught.value.code == 2
    assert "FILE" in capsys.readouterr().err


def test_installed_command_line() -> None:
    """The same through a real process, as CI and facilitators run it."""
    script = shutil.which("ascolto", path=str(Path(sys.executable).parent))
    command = [script] if script else [sys.executable, "-m", "bot.cli"]
    completed = subprocess.run(
        [*command, "survey", "validate", THREE_MISTAKES, SYNTAX_ERROR],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert completed.returncode == 2
    assert len(completed.stdout.splitlines()) == 3
    assert "YAML syntax error" in completed.stderr

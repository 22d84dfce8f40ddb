"""`python -m triggerfilm` is the command line (the entry point the subprocess tests use)."""

from __future__ import annotations

import runpy
import sys

import pytest

from triggerfilm import __version__


def _main(monkeypatch, capsys, *args: str) -> tuple[int, str]:
    monkeypatch.setattr(sys, "argv", ["triggerfilm", *args])
    with pytest.raises(SystemExit) as done:
        runpy.run_module("triggerfilm", run_name="__main__", alter_sys=False)
    out = capsys.readouterr()
    return int(done.value.code or 0), out.out + out.err


def test_python_dash_m_runs_the_command_line(monkeypatch, capsys) -> None:
    code, output = _main(monkeypatch, capsys, "--version")
    assert code == 0 and __version__ in output
    code, output = _main(monkeypatch, capsys, "no-such-command")
    assert code == 2 and "No such command 'no-such-command'" in output

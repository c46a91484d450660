"""The documentation is tested: every command has help and is in the README, and the README's
examples produce what it says they do."""

from __future__ import annotations

import doctest
import re
import shlex
from pathlib import Path

import pytest
from click.testing import CliRunner

from searcher.cli import cli

REPO_ROOT = Path(__file__).resolve().parents[1]
README = (REPO_ROOT / "README.md").read_text(encoding="utf-8")


def _console_examples() -> list[tuple[str, str]]:
    """``(command line, expected output)`` of every ``$ diplosearch`` line in console blocks, in order."""
    examples: list[tuple[str, str]] = []
    for block in re.findall(r"```console\n(.*?)```", README, flags=re.S):
        command: str | None = None
        output: list[str] = []
        for line in block.splitlines():
            if line.startswith("$ "):
                if command is not None:
                    examples.append((command, "\n".join(output)))
                command, output = line[2:], []
            else:
                output.append(line)
        if command is not None:
            examples.append((command, "\n".join(output)))
    return examples


EXAMPLES = _console_examples()


@pytest.mark.parametrize("name", sorted(cli.commands))
def test_every_command_has_help_and_is_in_the_readme(name: str) -> None:
    command = cli.commands[name]
    assert command.help and command.help.strip()
    assert f"diplosearch {name}" in README
    result = CliRunner().invoke(cli, [name, "--help"])
    assert result.exit_code == 0
    assert "Usage: " in result.stdout


def test_the_readme_has_examples_of_every_command() -> None:
    used = {shlex.split(command)[1] for command, _ in EXAMPLES}
    assert used == set(cli.commands)


def test_the_readme_starts_with_the_two_commands() -> None:
    first_block = re.search(r"```sh\n(.*?)```", README, flags=re.S)
    assert first_block is not None
    commands = [line.split("#")[0].strip() for line in first_block.group(1).splitlines()]
    assert commands == ["scripts/demo", "scripts/test"]
    for script in commands:
        assert (REPO_ROOT / script).stat().st_mode & 0o111, f"{script} is not executable"
    ci = (REPO_ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "scripts/test" in ci


def test_readme_console_examples_run_as_shown(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each ``$ diplosearch ...`` line, run in order on a fresh index, prints what follows it."""
    monkeypatch.chdir(REPO_ROOT)  # the examples name seeds/ relative to the clone
    env = {"DIPLOSEARCH_INDEX": str(tmp_path / "ix"), "NO_COLOR": "1"}
    checker = doctest.OutputChecker()
    flags = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE
    assert EXAMPLES
    for command, expected in EXAMPLES:
        argv = shlex.split(command)
        assert argv[0] == "diplosearch"
        result = CliRunner().invoke(cli, argv[1:], env=env)
        assert result.exit_code == 0, f"{command}: {result.stderr}"
        assert checker.check_output(expected + "\n", result.stdout, flags), (
            f"{command} printed:\n{result.stdout}\nthe README says:\n{expected}"
        )

"""Every ``esc`` command's ``--help`` shows real examples and every option's default."""

from __future__ import annotations

import argparse
import shlex
from collections.abc import Iterator

import pytest

from esc.cli import _add_help_extras, build_parser


def walk(parser: argparse.ArgumentParser, name: str = "esc"
         ) -> Iterator[tuple[str, argparse.ArgumentParser]]:
    """``(command line prefix, parser)`` for the parser and every subcommand below it."""
    yield name, parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for sub_name, sub in action.choices.items():
                yield from walk(sub, f"{name} {sub_name}")


COMMANDS = list(walk(build_parser()))


def examples(parser: argparse.ArgumentParser) -> list[str]:
    return [line.strip() for line in (parser.epilog or "").splitlines()
            if line.strip().startswith("esc ")]


def option_blocks(help_text: str) -> dict[str, str]:
    """Each option's part of a help text: from its ``  -x, --xx`` line to the next."""
    blocks: dict[str, str] = {}
    flags: list[str] = []
    for line in help_text.splitlines():
        if line.startswith("  -"):
            flags = [w.rstrip(",") for w in line.split() if w.startswith("-")]
            blocks.update(dict.fromkeys(flags, line))
        elif flags and line.startswith("    "):
            blocks.update({f: blocks[f] + "\n" + line for f in flags})
        else:
            flags = []
    return blocks


def test_every_command_is_walked():
    names = {name for name, _ in COMMANDS}
    assert {"esc dependence", "esc trend", "esc initiatives", "esc data import",
            "esc report"} <= names
    assert len(names) == 16


@pytest.mark.parametrize(("name", "parser"), COMMANDS, ids=[n for n, _ in COMMANDS])
def test_examples_are_real_command_lines(name, parser):
    lines = examples(parser)
    assert lines, f"{name} --help has no example line starting with 'esc '"
    assert f"examples:\n  {lines[0]}" in parser.format_help()
    for line in lines:
        words = shlex.split(line)
        if name != "esc":
            assert line.startswith(name + " ") or line == name
        try:
            build_parser().parse_args(words[1:])
        except SystemExit as exc:  # argparse rejected the example
            pytest.fail(f"example {line!r} of {name} does not parse ({exc})")


@pytest.mark.parametrize(("name", "parser"), COMMANDS, ids=[n for n, _ in COMMANDS])
def test_options_show_their_defaults(name, parser):
    blocks = option_blocks(parser.format_help())
    for action in parser._actions:
        if not action.option_strings or action.default in (None, False, [],
                                                           argparse.SUPPRESS):
            continue
        block = blocks[action.option_strings[-1]]
        assert "default" in block and str(action.default) in block, (name, block)


def test_defaults_are_added_where_missing():
    toy = argparse.ArgumentParser(prog="esc toy")
    toy.add_argument("--top", type=int, default=7, help="how many")
    toy.add_argument("--year", type=int, default=2021)
    toy.add_argument("--flag", action="store_true", help="a switch")
    _add_help_extras(toy)
    text = toy.format_help()
    assert "how many (default: 7)" in text and "year of the flows (default: 2021)" in text
    assert "a switch\n" in text and "(default: False)" not in text

"""The family registry: one entry per --family value, the CLI's choices read from it, every
derivable family's derivation verified, and unknown or unsupported families refused in one line."""

from __future__ import annotations

import pytest

from krtheory.cli import build_parser, main
from krtheory.derive.abstract import AbstractDerivation
from krtheory.errors import NotApplicable
from krtheory.families.base import COMMANDS, AbstractFamily
from krtheory.families.registry import FAMILIES, names

#: The --family values of each command, as the README and the commands' help describe them.
EXPECTED = {
    "derive": ("diagonal", "explicit", "wide", "custom"),
    "potential": ("diagonal", "explicit"),
    "solve": ("diagonal", "explicit", "wide", "custom", "l1", "l2", "nuclear"),
    "flow": ("diagonal", "wide", "custom", "matrix"),
}
#: The keyword parameters of one verified derivation per derivable family.
DERIVATIONS = {
    "diagonal": {"depth": 2},
    "explicit": {},
    "wide": {},
    "custom": {"parametrization": "u*v", "init": {"u": "a", "v": "b"}},
}


def test_every_entry_is_a_family_named_by_its_key():
    assert list(FAMILIES) == ["diagonal", "explicit", "wide", "custom", "l1", "l2", "matrix", "nuclear"]
    for key, family in FAMILIES.items():
        assert isinstance(family, AbstractFamily) and family.name == key
        assert family.commands and family.commands <= set(COMMANDS)
        assert family.description and "\n" not in family.description


@pytest.mark.parametrize("command", COMMANDS)
def test_each_command_takes_the_families_it_should(command):
    assert names(command) == EXPECTED[command]


def _family_choices(command: str):
    subparsers = next(a for a in build_parser()._actions if a.dest == "command")
    parser = subparsers.choices[command]
    return next(a for a in parser._actions if a.dest == "family").choices


@pytest.mark.parametrize("command", ["derive", "solve", "flow"])
def test_the_cli_choices_are_the_registry_entries(command):
    assert tuple(_family_choices(command)) == names(command)


def test_solve_refuses_options_only_of_families_it_takes():
    from krtheory.cli.solve import NOT_TAKEN

    assert set(NOT_TAKEN) <= set(names("solve"))


def test_the_references_have_no_flow_and_no_derivation():
    for name in ("l1", "l2"):
        family = FAMILIES[name]
        assert family.is_reference and family.commands == {"solve"}
        with pytest.raises(NotApplicable, match=f"family {name} has no derivation \\(it takes: solve\\)"):
            family.derivation()
        with pytest.raises(NotApplicable, match=f"family {name} has no flow model"):
            family.model()


def test_a_family_refuses_a_command_it_does_not_take():
    with pytest.raises(NotApplicable, match="family custom has no potential"):
        FAMILIES["custom"].potential("1", 30)
    with pytest.raises(NotApplicable, match="family explicit has no flow model"):
        FAMILIES["explicit"].model(alpha="1")


@pytest.mark.parametrize("name", list(DERIVATIONS))
def test_every_derivable_family_derives_verified(name):
    derivation = FAMILIES[name].derivation(**DERIVATIONS[name])
    assert isinstance(derivation, AbstractDerivation)
    assert derivation.verified()
    record = derivation.as_dict("sympy")
    assert record["verified"] is True and len(record["steps"]) == len(derivation.steps)


def test_the_derivable_families_are_exactly_those_taking_derive():
    assert tuple(DERIVATIONS) == names("derive")


@pytest.mark.parametrize("argv, message", [
    (["potential", "--family", "wide", "--z", "1"],
     "potential has no --family wide; known families: diagonal, explicit"),
    (["potential", "--family", "nosuch", "--z", "1"],
     "potential has no --family nosuch; known families: diagonal, explicit"),
    (["solve", "--family", "custom", "--X", "x.csv", "--y", "y.csv"],
     "--parametrization and --init go with --family custom only"),
    (["flow", "--family", "explicit", "--X", "x.csv", "--y", "y.csv"], "invalid choice: 'explicit'"),
    (["derive", "--family", "l1"], "invalid choice: 'l1'"),
])
def test_an_unknown_family_is_a_one_line_error(argv, message, capsys):
    assert main(argv) == 3
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1

"""German for what Typer prints on its own: help (Usage, Options, [default: …], <bool>) and usage errors.

Typer (0.29) ships its own copy of Click without gettext, so there is no catalogue to install. Its
extension points are used instead: the command and group classes (`cls`) write the usage line, the
help option and the types, and translate each usage error's message; the rich help reads its titles
from module constants. tests/test_german_cli.py fails when a Typer upgrade brings English back.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import typer
from typer._click import ClickException, Context
from typer._click.exceptions import NoArgsIsHelpError, UsageError
from typer.core import TyperArgument, TyperCommand, TyperGroup, TyperOption

USAGE = "Aufruf: "
HELP = "Diese Hilfe zeigen und beenden."

RICH_STRINGS = {  # typer.rich_utils constant → German
    "DEPRECATED_STRING": "(veraltet) ",
    "DEFAULT_STRING": "[Vorgabe: {}]",
    "ENVVAR_STRING": "[Umgebungsvariable: {}]",
    "REQUIRED_LONG_STRING": "[Pflicht]",
    "ARGUMENTS_PANEL_TITLE": "Argumente",
    "OPTIONS_PANEL_TITLE": "Optionen",
    "COMMANDS_PANEL_TITLE": "Befehle",
    "ERRORS_PANEL_TITLE": "Fehler",
    "ABORTED_TEXT": "Abgebrochen.",
    "RICH_HELP": "Hilfe: [blue]{command_path} {help_option}[/]",
}

TYPES = {"str": "Text", "int": "Zahl", "float": "Zahl", "bool": "ja|nein", "path": "Pfad", "file": "Datei"}
TYPES |= {"dir": "Ordner", "datetime": "Datum", "int range": "Zahl", "float range": "Zahl"}

# Typer's English messages, applied in order; parts nest ("Invalid value for '--k': Input should …").
MESSAGES = [
    (r"No such option: ", "Unbekannte Option: "),
    (r" ?\(Possible options: ([^)]*)\)", r" – meinten Sie \1?"),
    (r"No such command (.+?)\.", r"Unbekannter Befehl \1."),
    (r" ?Did you mean (.+)\?", r" Meinten Sie \1?"),
    (r"^Missing command\.", "Befehl fehlt."),
    (r"^Missing argument (.+?)\.", r"Argument \1 fehlt."),
    (r"^Missing option (.+?)\.", r"Option \1 fehlt."),
    (r"^Missing parameter:? ?(.*?)\.?$", r"Angabe \1 fehlt."),
    (r"Choose from:", "Erlaubt:"),
    (r"^Got unexpected extra arguments? ?\(s\)? \((.*)\)", r"Unerwartete zusätzliche Angabe(n): \1"),
    (r"^Option (\S+) requires an argument\.", r"Option \1 braucht einen Wert."),
    (r"^Option (\S+) requires (\d+) arguments\.", r"Option \1 braucht \2 Werte."),
    (r"^Option (\S+) does not take a value\.", r"Option \1 nimmt keinen Wert."),
    (r"^Argument (\S+) takes (\d+) values\.", r"Argument \1 braucht \2 Werte."),
    (r"^Invalid value for (.+?): ", r"Ungültiger Wert für \1: "),
    (r"^Invalid value: ", "Ungültiger Wert: "),
    (r"Value error, ", ""),
    (r"Input should be a valid integer[^.]*", "erwartet wird eine ganze Zahl"),
    (r"Input should be a valid number[^.]*", "erwartet wird eine Zahl"),
    (r"Input should be a valid boolean[^.]*", "erwartet wird ja oder nein (true/false)"),
    (r"Input should be greater than or equal to (\S+)", r"muss mindestens \1 sein"),
    (r"Input should be less than or equal to (\S+)", r"darf höchstens \1 sein"),
    (r"Input should be greater than (\S+)", r"muss größer als \1 sein"),
    (r"Input should be less than (\S+)", r"muss kleiner als \1 sein"),
    (r"(\S+) is not one of (.+)\.$", r"\1 ist nicht erlaubt; erlaubt: \2."),
    (r"(\S+) does not match the formats (.+)\.$", r"\1 passt zu keinem der Formate \2."),
    (r"Value (.+) is not a valid (\S+)\.$", r"\1 ist kein gültiger Wert (\2)."),
    (r"Value must be an iterable\.", "erwartet mehrere Werte."),
    (r"(?:File|Directory|Path) (.+) does not exist\.", r"\1 gibt es nicht."),
    (r"(?:File|Directory|Path) (.+) is a file\.", r"\1 ist eine Datei, kein Ordner."),
    (r"(?:File|Directory|Path) (.+) is a directory\.", r"\1 ist ein Ordner, keine Datei."),
    (r"(?:File|Directory|Path) (.+) is not readable\.", r"\1 ist nicht lesbar."),
    (r"(?:File|Directory|Path) (.+) is not writable\.", r"\1 ist nicht beschreibbar."),
    (r"^Could not open file (.+?): ", r"Datei \1 nicht zu öffnen: "),
]
_MESSAGES = [(re.compile(pattern, re.MULTILINE), german) for pattern, german in MESSAGES]


def translate(message: str) -> str:
    for pattern, german in _MESSAGES:
        message = pattern.sub(german, message)
    return message


def _rich_in_german() -> None:
    """Set when help or an error is shown: importing rich up front would slow every command."""
    from typer import rich_utils

    for name, german in RICH_STRINGS.items():
        setattr(rich_utils, name, german)


def _type_label(shown: str) -> str:
    """`<int>` → `<Zahl>`, `<list[str]>` → `<Text>...`; choices (`<table|csv|json>`) stay."""
    inner = shown.strip("<>")
    many = inner.startswith("list[")
    inner = inner.removeprefix("list[").removesuffix("]") if many else inner
    return f"<{TYPES.get(inner.lower(), inner)}>{'...' if many else ''}"


# Argument names as the usage line shows them ("kommunen explain [OPTIONEN] LEAD-ID").
ARGUMENTS = {
    "files": "DATEI",
    "kommune": "KOMMUNE",
    "lead_id": "LEAD-ID",
    "name": "QUELLE",
    "names": "QUELLE",
    "path": "PFAD",
    "paths": "PFAD",
    "query": "GEMEINDE",
    "references": "REFERENZ",
    "source": "QUELLE",
    "suche": "SUCHE",
}


_REQUIRED = re.compile(r"\{([^{}]+)\}")  # Typer braces a required argument's metavar: "{LEAD-ID}"


def _in_german(param: Any, ctx: Context) -> None:
    if isinstance(param, TyperOption) and param.metavar is None:
        param.metavar = "" if param.is_flag else _type_label(param.display_type(ctx))  # a flag takes no value
    elif isinstance(param, TyperArgument) and not getattr(param, "_german", False):
        label = _type_label(param.display_type(ctx))
        param.display_type_rich = lambda ctx: label  # type: ignore[method-assign]  # metavar would rename it
        param._german = True  # type: ignore[attr-defined]


class _German:
    """What a command and a group both write in German."""

    def get_params(self, ctx: Context) -> list[Any]:
        """Arguments named in German before parsing, so usage errors name them so too."""
        params: list[Any] = super().get_params(ctx)  # type: ignore[misc]
        for param in params:
            if isinstance(param, TyperArgument) and param.metavar is None:
                param.metavar = ARGUMENTS.get(param.name or "", (param.name or "").upper())
        return params

    def format_usage(self, ctx: Context, formatter: Any) -> None:
        pieces = " ".join(self.collect_usage_pieces(ctx))  # type: ignore[attr-defined]
        formatter.write_usage(ctx.command_path, _REQUIRED.sub(r"\1", pieces), prefix=USAGE)

    def get_help_option(self, ctx: Context) -> TyperOption | None:
        option: TyperOption | None = super().get_help_option(ctx)  # type: ignore[misc]
        if option is not None:
            option.help = HELP
        return option

    def format_help(self, ctx: Context, formatter: Any) -> None:
        _rich_in_german()
        for param in self.get_params(ctx):  # type: ignore[attr-defined]
            _in_german(param, ctx)
        super().format_help(ctx, formatter)  # type: ignore[misc]


class GermanCommand(_German, TyperCommand):
    pass


@contextmanager
def _errors_in_german() -> Iterator[None]:
    try:
        yield
    except NoArgsIsHelpError:
        raise  # its message is the help, already German
    except UsageError as exc:
        _rich_in_german()
        german = UsageError(translate(exc.format_message()), exc.ctx)
        german.exit_code = exc.exit_code
        raise german from None
    except ClickException as exc:
        _rich_in_german()
        raise ClickException(translate(exc.format_message())) from None


class GermanGroup(_German, TyperGroup):
    """The top group sees every usage error first: parsing its own options, then each subcommand's."""

    def make_context(
        self, info_name: str | None, args: list[str], parent: Context | None = None, **extra: Any
    ) -> Context:
        with _errors_in_german():
            return super().make_context(info_name, args, parent, **extra)

    def invoke(self, ctx: Context) -> Any:
        with _errors_in_german():
            return super().invoke(ctx)


class GermanTyper(typer.Typer):
    """A Typer whose commands and sub-groups speak German."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("cls", GermanGroup)
        kwargs.setdefault("options_metavar", "[OPTIONEN]")
        kwargs.setdefault("subcommand_metavar", "BEFEHL [ARGUMENTE]...")
        super().__init__(**kwargs)

    def command(self, name: str | None = None, **kwargs: Any) -> Any:
        kwargs["cls"] = kwargs.get("cls") or GermanCommand
        return super().command(name, **kwargs)


# Stable values (JSON, CSV, database, `--kind`) → what a person reads in a table or a line.
READABLE = {
    "tender": "Ausschreibung",
    "funding": "Förderprogramm",
    "kommune": "Kommune",
    "gemeinde": "Gemeinden",
    "department": "Ämter",
    "code": "Codelisten",
    "ok": "ok",
    "partial": "teilweise",
    "failed": "fehlgeschlagen",
    "running": "läuft",
}


def readable(value: str) -> str:
    return READABLE.get(value, value)

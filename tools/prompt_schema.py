"""The tools as the model reads them: short schemas, so a Tools prompt stays small for any dataset.

Full schemas (``schema.function_schema``) carry every bound, enum and description; the registry validates calls
against them. Sent whole to the model they cost 2,000-30,000 tokens per question on real files (the same time,
region and unit arguments described again in every tool, a variable enum of hundreds of names repeated in each).
What the model reads instead, one signature per tool in its description (issue 15: at most 1,500 tokens):

* ``statistic(variable, stat: mean|min|max|..., q?, time_start?, ...): Compute a statistic of a variable.``:
  every parameter by name, ``?`` after an optional one, the values of a short enum, and for a tool's own
  argument whose description says a format the first clause of it;
* the tool's first sentence without its parentheses;
* the shared arguments (period, month, season, region box, level, units, dims) explained once, in the system
  message (``shared_arguments_note``), with the file's units for ``to_units``;
* no variable enum: the system message lists the names once.

A call is still validated against the full schema, so a bound or an enum the model did not read is enforced.
They are the default; GEOLLM_TOOL_SCHEMAS=full sends the full schemas instead (bench/RESULTS.md measures both).
"""
from __future__ import annotations

import os
import re


def short_schemas() -> bool:
    """Whether the model reads the short schemas: yes unless GEOLLM_TOOL_SCHEMAS=full."""
    return os.environ.get("GEOLLM_TOOL_SCHEMAS", "short").strip().lower() != "full"


SHORT_ENUM = 12  # longer enums (units) are named in the note instead
# How the prompts show a latitude band; small models copy it into calls the question gave no box for
# (toolloop.question.copied_example drops it there)
EXAMPLE_BOX = "15°S-15°N is lat_min=-15, lat_max=15"
EXAMPLE_LATS = (-15, 15)
SHARED = {  # argument -> how the tools read it, said once in the system message
    "time_start": 'time_start, time_end: "YYYY", "YYYY-MM" or "YYYY-MM-DD" (a year or a month means all of it)',
    "month": "month: 1-12 (7 = every July)",
    "season": "season: DJF, MAM, JJA or SON",
    "lat_min": "lat_min, lat_max, lon_min, lon_max: degrees, south and west negative ("
               f"{EXAMPLE_BOX}), eastward from lon_min to lon_max",
    "level": "level: a vertical level in the level coordinate's units (the nearest is used)",
    "dims": "dims: the dimensions to reduce over (the others stay as rows)",
    "to_units": "to_units: other units for the result",
}
_ALSO_SHARED = {"time_end": "time_start", "lat_max": "lat_min", "lon_min": "lat_min", "lon_max": "lat_min"}
_CLAUSE = re.compile(r"[^.;:(]*")
_SENTENCE = re.compile(r".*?(?:[.;](?=\s)|$)")
_PARENTHESES = re.compile(r"\s*\([^()]*\)")
_SHOWS_FORMAT = re.compile(r'YYYY|"')


def compact_schema(schema: dict) -> dict:
    """``schema`` (OpenAI function format) as the model reads it: see the module docstring. Its parameters are a
    bare object, so a server that constrains calls by the schema accepts any arguments; the registry checks them."""
    function = schema["function"]
    parameters = function["parameters"]
    required = set(parameters.get("required", []))
    written = ", ".join(_signature_part(name, spec, name in required)
                        for name, spec in parameters["properties"].items())
    return {"type": "function", "function": {
        "name": function["name"], "description": f"{function['name']}({written}): {_summary(function['description'])}",
        "parameters": {"type": "object"}}}


def without_long_enums(schema: dict, limit: int = 40) -> dict:
    """A full schema whose enums of more than ``limit`` names (a file's hundreds of variables, repeated in every
    tool) say instead that the names are listed in the system message; the registry still checks them."""
    properties = schema["function"]["parameters"]["properties"]
    long = [k for k, p in properties.items() if len(p.get("enum", ())) > limit]
    if not long:
        return schema
    shorter = {k: ({key: v for key, v in p.items() if key != "enum"} | {"description": p.get("description", "") +
               " One of the names the dataset's extent lists."}) if k in long else p for k, p in properties.items()}
    function = {**schema["function"], "parameters": {**schema["function"]["parameters"], "properties": shorter}}
    return {**schema, "function": function}


def shared_arguments_note(schemas: list[dict]) -> str:
    """One line per shared argument that an offered tool takes ("" when none does); ``to_units`` with its values."""
    properties = {name: spec for schema in schemas for name, spec in schema["function"]["parameters"]["properties"]
                  .items()}
    keys = [key for key in SHARED if key in properties or any(_ALSO_SHARED.get(n) == key for n in properties)]
    lines = [f"- {SHARED[key]}" for key in keys]
    units = properties.get("to_units", {}).get("enum")
    if units:
        lines[keys.index("to_units")] += f" ({', '.join(map(str, units))})"
    return ("Arguments the tools share (leave out those the question does not name, and the tool uses all of the "
            "data):\n" + "\n".join(lines)) if lines else ""


def _signature_part(name: str, spec: dict, required: bool) -> str:
    """A parameter as a signature writes it: ``name``, ``?`` when optional, then a short enum's values or, for an
    argument the tools do not share whose description shows a format (YYYY-MM, a quoted "1990"), that format."""
    head = name + ("" if required else "?")
    if name in SHARED or name in _ALSO_SHARED or name == "variable":
        return head
    enum = spec.get("enum") or spec.get("items", {}).get("enum")
    if enum and len(enum) <= SHORT_ENUM:
        return f"{head}: {'|'.join(map(str, enum))}"
    if spec.get("type", "string") == "string" and _SHOWS_FORMAT.search(spec.get("description", "")):
        return f"{head}: {_format(spec['description'])}"
    return head


def _summary(text: str) -> str:
    """The first sentence of a tool's description without its parentheses, up to a colon after four words."""
    sentence = _PARENTHESES.sub("", _SENTENCE.match(text).group(0)).rstrip(".;")
    head, colon, _ = sentence.partition(":")
    return (head if colon and len(head.split()) >= 4 else sentence) + "."


def _cut(text: str, words: int) -> str:
    split = text.split()
    return " ".join(split[:words]) + ("…" if len(split) > words else "")


def _format(text: str) -> str:
    """What a string argument's description says of its format: the words after a colon ("First period: a year
    "1990", a month…"), else up to the first full stop, colon, semicolon or parenthesis; at most six words."""
    head, colon, rest = text.partition(":")
    return _cut(_CLAUSE.match(rest if colon and rest.strip() else head).group(0).strip(), 6)


def compact_variables(variables: list[dict], limit: int = 48) -> list[dict]:
    """The extent's variables for the system message: variables that share units and dims in one entry, runs of
    numbered names written as a range ("PRECT_AL_CD{1..8}"), and past ``limit`` entries a count of the rest."""
    out, shown = [], 0
    for (units, dims), names in group_variables(variables).items():
        written = _ranges(names)
        room = max(limit - shown, 0)
        entry: dict = {"name": written[0]} if len(written) == 1 and room else {"names": written[:room]}
        if len(written) > room:
            rest = len(written) - room
            entry["more"] = f"{rest} more name{'s' if rest > 1 else ''} (list_variables lists them all)"
        shown += min(len(written), room)
        out.append({**entry, **({"units": units} if units else {}), **({"dims": list(dims)} if dims else {})})
    return out


def group_variables(variables: list[dict]) -> dict[tuple, list[str]]:
    """The names of ``variables`` (entries with a "name", or already grouped "names") by (units, dims)."""
    groups: dict[tuple, list[str]] = {}
    for v in variables:
        groups.setdefault((v.get("units"), tuple(v.get("dims") or ())), []).extend(v.get("names") or [v["name"]])
    return groups


_NUMBERED = re.compile(r"^(.*?)(\d+)$")


def _ranges(names: list[str]) -> list[str]:
    """Names in order, a run of three or more that differ only by a trailing count written "stem{a..b}"."""
    out: list[str] = []
    run: list[tuple[str, int, str]] = []  # (stem, number, name) of the current run

    def flush() -> None:
        if len(run) >= 3:
            out.append(f"{run[0][0]}{{{run[0][1]}..{run[-1][1]}}}")
        else:
            out.extend(name for _, _, name in run)
        run.clear()

    for name in names:
        match = _NUMBERED.match(name)
        if not match or match.group(2).startswith("0"):  # no count, or a zero-padded one: written as it is
            flush()
            out.append(name)
            continue
        stem, number = match.group(1), int(match.group(2))
        if run and (stem, number) != (run[-1][0], run[-1][1] + 1):
            flush()
        run.append((stem, number, name))
    flush()
    return out

"""Rules every source meets, so that a reader who clicks a link lands on who published the number.

A reference names its ``publisher``, ``title``, ``published`` date and ``tier`` (``official``,
``research`` or ``press``), and either an ``href`` or a ``document`` identifier (a CRS product
number such as ``CRS IN12492``, a GAO number such as ``GAO-21-186``, a Federal Register citation
such as ``90 FR 8139``). On top of that:

- an href is never on the deny list of mirrors, forums, blogs and aggregators kept in
  ``data/deny_hosts.yaml``;
- a value with ``status: official`` rests on an ``official`` source, or on ``press`` relaying an
  agency's figure, marked ``relays: <agency>`` (e.g. ``relays: DHS`` on a news story quoting a DHS
  statement);
- a ``calibrated`` value names the calibration run that wrote it: its parameter carries a ``fit``
  block with a ``run`` id (written by the fit, never by hand);
- the project itself is never a publisher: notes that exist only inside removalsim are not
  references.

``published`` is the day the publisher released the document. When only the month is printed it is
the first of that month, and for an undated page the day its figures are "as of"; the reference's
``note`` then says which.

The same reference rules apply to each row of ``data/history.csv`` (see
:mod:`removalsim.history`), and to the two data files the solvers and the estimates page read
(:data:`DATA_RULES`): each bound in ``data/lead_times.yaml`` is cited (status ``official`` or
``estimate``, with a complete reference) or is an assumption with a range and a reason, and every
address ``data/published_estimates.yaml`` cites is listed in its ``references`` with publisher,
title, date and tier. In both files no address anywhere, notes included, is on the deny list.

The transition switch is :data:`WAIVED`, the one place that says which parameter files are still
exempt while the v2 engine rewrite replaces them. The loader enforces the rules on every other file
of the package tree, ``removalsim sources --check`` fails on them, and the tests assert they hold.
Empty :data:`WAIVED` once the new files are in.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlparse

import yaml

from removalsim.yamlio import InputError, Lines, line_of, read_yaml_file

if TYPE_CHECKING:
    from removalsim.params import Parameter

DATA_DIR = Path(__file__).parent / "data"
DENY_PATH = DATA_DIR / "deny_hosts.yaml"

TIERS = ("official", "research", "press")

REQUIRED = {"publisher": "publisher", "title": "title", "published": "published date",
            "tier": "tier (official, research or press)"}
"""Fields every reference carries, besides an ``href`` or a ``document``, and what they are."""

WAIVED: tuple[str, ...] = ()
"""Parameters (a name, or a folder prefix) exempt from the rules during the v2 rewrite.

The one switch for the transition: these files are being replaced on the ``v2`` branch, and the
new ones carry all five reference fields. Empty this tuple when they land.
"""

STALE_YEARS = 2.0
"""A reference published this many years or more before the date of the value it supports is
listed as possibly stale: a report, not a rule (a five-year-old unit cost may still be the latest
published one). Only assumptions (uncertain facts) are listed: a lever's value is a setting in force
from its date, and a setting announced before it takes effect (a plan, a budget for a coming year)
or a standing rule (a court's custody review) is not stale for being older than its date."""

INTERNAL_PUBLISHERS = frozenset({"removalsim", "this project"})


@dataclass(frozen=True)
class Denied:
    """A deny-list entry: a host (matching its subdomains) with an optional path prefix."""

    host: str
    path: str
    category: str
    reason: str


@cache
def deny_list() -> tuple[Denied, ...]:
    """The deny list shipped in ``data/deny_hosts.yaml``."""
    data = yaml.safe_load(DENY_PATH.read_text(encoding="utf-8"))
    entries = []
    for category, block in data.items():
        for item in block["hosts"]:
            host, _, path = item.partition("/")
            entries.append(Denied(host.lower(), "/" + path if path else "", category,
                                  block["reason"]))
    return tuple(entries)


def denied(href: str) -> Denied | None:
    """The deny-list entry an href falls under, or None.

    >>> denied("https://www.everycrsreport.com/reports/IN12492.html").category
    'mirror'
    >>> denied("https://www.justice.gov/eoir/workload-and-adjudication-statistics") is None
    True
    """
    url = urlparse(href.strip())
    host = (url.hostname or "").lower()
    for entry in deny_list():
        if (host == entry.host or host.endswith("." + entry.host)) and url.path.startswith(
            entry.path
        ):
            return entry
    return None


def reference_problems(ref: Mapping[str, Any]) -> list[tuple[str, str]]:
    """What a reference lacks or gets wrong, as (field, message) pairs.

    Parameters
    ----------
    ref
        The reference's fields: ``publisher``, ``title``, ``href``, ``document``, ``published``
        (a date), ``tier`` and optionally ``relays``. Missing and empty fields count as absent.
    """
    problems = []
    for name in REQUIRED:
        if not ref.get(name):
            problems.append((name, f"a reference needs a {REQUIRED[name]}"))
    href, document = ref.get("href"), ref.get("document")
    if not href and not document:
        problems.append(("href", "a reference needs an href or a document identifier"))
    if href:
        entry = denied(str(href))
        if entry is not None:
            problems.append(("href", f"{urlparse(str(href)).hostname} is on the deny list "
                                     f"({entry.category}: {entry.reason})"))
    tier = ref.get("tier")
    if tier and tier not in TIERS:
        problems.append(("tier", f"tier must be one of {', '.join(TIERS)}, got {tier!r}"))
    if ref.get("relays") and tier != "press":
        problems.append(("relays", "relays marks press relaying an agency's figure: use it "
                                   "with tier: press only"))
    publisher = str(ref.get("publisher") or "").strip().lower()
    if publisher in INTERNAL_PUBLISHERS:
        problems.append(("publisher", "notes inside this project are not a reference; cite "
                                      "who published the number"))
    return problems


def official_enough(ref: Mapping[str, Any]) -> bool:
    """True if a reference can carry a ``status: official`` value.

    An official source, or press relaying an agency figure (``tier: press`` with ``relays``).
    """
    return ref.get("tier") == "official" or (ref.get("tier") == "press"
                                             and bool(ref.get("relays")))


def waived(name: str) -> bool:
    """True if the parameter ``name`` is exempt from the rules during the transition."""
    return any(name == w or name.startswith(w + ".") for w in WAIVED)


def parameter_problems(param: Parameter) -> list[tuple[tuple, str]]:
    """Every rule a parameter breaks, as (key path, message) pairs (key paths as in the file)."""
    problems: list[tuple[tuple, str]] = []
    for day, item in param.values.items():
        status = item.status or param.status
        where = ("values", day)
        ref = item.reference.model_dump() if item.reference else None
        if status == "calibrated":
            if not (param.fit and param.fit.get("run")):
                problems.append(((*where, "status"), "a calibrated value needs the calibration "
                                 "run that wrote it (fit: {run: ...}); a value typed in by hand "
                                 "is an estimate or an assumption"))
            if ref and ref.get("href") and denied(ref["href"]):
                problems.append(((*where, "reference", "href"), "href is on the deny list"))
            continue
        if ref is None:
            continue  # an assumption with its reason (the schema checks that)
        problems.extend(((*where, "reference", key), msg) for key, msg in reference_problems(ref))
        if status == "official" and ref.get("tier") and not official_enough(ref):
            problems.append(((*where, "reference", "tier"), "a status: official value needs an "
                             "official source, or press relaying an agency figure (tier: press "
                             "with relays: <agency>)"))
    return problems


URL = re.compile(r"https?://[^\s\]\)\"'<>,]+")
"""An address inside text (a note, a source field); trailing punctuation is stripped."""

BOUND_STATUSES = ("official", "estimate", "assumption")


def addresses(node: Any, at: tuple = ()) -> Iterator[tuple[tuple, str]]:
    """Every web address in the text values of a parsed YAML tree, with its key path.

    >>> list(addresses({"a": ["see https://x.org/p.", 3]}))
    [(('a', 0), 'https://x.org/p')]
    """
    if isinstance(node, str):
        for href in URL.findall(node):
            yield at, href.rstrip(".;:")
    elif isinstance(node, Mapping):
        for key, value in node.items():
            yield from addresses(value, (*at, key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from addresses(value, (*at, i))


def _denied_addresses(node: Any, at: tuple = ()) -> list[tuple[tuple, str]]:
    return [(key, f"{urlparse(href).hostname} is on the deny list ({entry.category}: "
                  f"{entry.reason})")
            for key, href in addresses(node, at) if (entry := denied(href)) is not None]


def _bound_problems(item: Mapping[str, Any], at: tuple) -> list[tuple[tuple, str]]:
    status = item.get("status")
    if status not in BOUND_STATUSES:
        return [((*at, "status"), f"status must be one of {', '.join(BOUND_STATUSES)}, "
                                  f"got {status!r}")]
    if status == "assumption":
        return [((*at, key), f"an assumption needs its {key}" + (" (one line on why)"
                                                                 if key == "reason" else ""))
                for key in ("reason", "low", "high") if item.get(key) in (None, "")]
    ref = item.get("reference")
    if not isinstance(ref, Mapping):
        return [((*at, "reference"), f"a status: {status} value needs a reference, or status: "
                                     "assumption with a range and a reason")]
    problems = [((*at, "reference", key), msg) for key, msg in reference_problems(ref)]
    if status == "official" and ref.get("tier") and not official_enough(ref):
        problems.append(((*at, "reference", "tier"), "a status: official value needs an "
                         "official source, or press relaying an agency figure (tier: press with "
                         "relays: <agency>)"))
    return problems


def lead_time_problems(data: Any) -> list[tuple[tuple, str]]:
    """Every rule ``data/lead_times.yaml`` breaks, as (key path, message) pairs.

    Each lever's lag, rate, cap and cost (unless read from a model parameter or costed by the
    model) is cited with a complete reference, or is an assumption with a low, a high and a
    reason; no address in the file is on the deny list.
    """
    problems: list[tuple[tuple, str]] = []
    levers = data.get("levers") if isinstance(data, Mapping) else None
    for name, spec in (levers or {}).items():
        for part in ("lag", "rate", "cap", "cost"):
            item = spec.get(part) if isinstance(spec, Mapping) else None
            if isinstance(item, Mapping) and "parameter" not in item:
                problems += _bound_problems(item, ("levers", name, part))
    return list(dict.fromkeys(problems + _denied_addresses(data)))  # a reference's href once


def estimate_problems(data: Any) -> list[tuple[tuple, str]]:
    """Every rule ``data/published_estimates.yaml`` breaks, as (key path, message) pairs.

    The file lists its ``references`` (each complete, as a parameter's); every address a study
    cites, in a ``url``, a ``source`` or a note, is one of them and is not on the deny list.
    """
    if not isinstance(data, Mapping):
        return [((), "the file must be a mapping with references and studies")]
    problems: list[tuple[tuple, str]] = []
    refs = data.get("references")
    listed: set[str] = set()
    if not isinstance(refs, list) or not refs:
        problems.append((("references",), "list the file's references (publisher, title, href, "
                                          "published, tier), one for each address it cites"))
        refs = []
    for i, ref in enumerate(refs):
        if not isinstance(ref, Mapping):
            problems.append((("references", i), "a reference is a mapping of publisher, title, "
                                                "href, published and tier"))
            continue
        problems += [(("references", i, key), msg) for key, msg in reference_problems(ref)]
        if ref.get("href"):
            listed.add(str(ref["href"]).strip())
    for key, href in addresses(data.get("studies"), ("studies",)):
        entry = denied(href)
        if entry is not None:
            problems.append((key, f"{urlparse(href).hostname} is on the deny list "
                                  f"({entry.category}: {entry.reason})"))
        elif href not in listed:
            problems.append((key, f"{href} is not among the file's references: list it there "
                                  "with its publisher, title, published date and tier"))
    return problems


DATA_RULES: dict[str, Callable[[Any], list[tuple[tuple, str]]]] = {
    "lead_times.yaml": lead_time_problems,
    "published_estimates.yaml": estimate_problems,
}
"""The data files (in ``data/``) under the source rules, and the rules each must meet."""


def check_data_file(path: Path, data: Any, lines: Lines,
                    rules: Callable[[Any], list[tuple[tuple, str]]]) -> None:
    """Refuse a data file that breaks a source rule.

    Parameters
    ----------
    path, data, lines
        The file, its parsed content and its line numbers (from :func:`read_yaml_file`).
    rules
        The file's rules: :func:`lead_time_problems` or :func:`estimate_problems`.

    Raises
    ------
    InputError
        One line per rule broken, naming the file, the line and the key.
    """
    problems = rules(data)
    if problems:
        raise InputError("\n".join(f"{path}: line {line_of(lines, key)}: key '{dotted(key)}': "
                                   f"{message}" for key, message in problems))


@dataclass
class Audit:
    """Coverage of the parameter tree by status and tier, and every rule broken.

    Attributes
    ----------
    values, files
        Dated values in the tree, and parameter files.
    by_status, by_tier, cells
        Counts of values by status, by the tier of their reference (``none`` for a value without
        one: an assumption, or a calibrated value; ``unset`` for a reference without a tier), and
        by (status, tier).
    press_only
        Parameters whose referenced values all rest on press.
    stale
        References published :data:`STALE_YEARS` or more before the value they support.
    violations, waived
        Rules broken, in enforced files and in files :data:`WAIVED` during the transition: dicts
        with ``file``, ``line``, ``key``, ``parameter`` and ``message``.
    """

    values: int = 0
    files: int = 0
    by_status: dict[str, int] = field(default_factory=dict)
    by_tier: dict[str, int] = field(default_factory=dict)
    cells: Counter[tuple[str, str]] = field(default_factory=Counter)
    press_only: list[str] = field(default_factory=list)
    stale: list[dict[str, Any]] = field(default_factory=list)
    violations: list[dict[str, Any]] = field(default_factory=list)
    waived: list[dict[str, Any]] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        """The JSON form ``removalsim sources --json`` prints."""
        return {"values": self.values, "by_status": self.by_status, "by_tier": self.by_tier,
                "violations": self.violations, "waived": self.waived,
                "press_only": self.press_only, "stale": self.stale}


STATUSES = ("official", "estimate", "assumption", "calibrated")
COLUMNS = (*TIERS, "unset", "none")


def coverage_table(result: Audit) -> str:
    """The coverage table ``removalsim sources`` prints: values by status (rows) and tier."""
    head = ["status", *(c if c != "unset" else "no tier" for c in COLUMNS), "total"]
    rows = [[st, *(result.cells[st, t] for t in COLUMNS), result.by_status.get(st, 0)]
            for st in STATUSES]
    rows.append(["total", *(result.by_tier.get(t, 0) for t in COLUMNS), result.values])
    width = [max(len(str(r[i])) for r in [head, *rows]) for i in range(len(head))]
    lines = [f"{result.values} dated values in {result.files} parameter files, by status (rows) "
             "and by the tier of their source", ""]
    for r in [head, *rows]:
        lines.append("  ".join(f"{r[0]:<{width[0]}}" if i == 0 else f"{r[i]:>{width[i]}}"
                               for i in range(len(r))).rstrip())
    lines += ["",
              "none: no reference (an assumption with its reason); no tier: a calibrated value,",
              "whose reference is the calibration run that wrote it (a fit, not a publication)"]
    return "\n".join(lines)


def ranking(scenario: str = "current") -> list[dict[str, Any]]:
    """Assumptions ranked by how much they move the headline numbers of ``scenario``.

    Each assumption is set to the low and the high end of its range with the others central (a
    one-at-a-time tornado); its swing is the change in total removals and in total cost over the
    horizon, relative to the central run. Ranked by the larger of the two.
    """
    from removalsim.analysis.sensitivity import one_at_a_time
    from removalsim.params import default_tree

    tree = default_tree()
    swings = {}
    for output in ("removals_total", "cost_total_usd"):
        central, ends = one_at_a_time(scenario, output)
        swings[output] = {n: abs(e["high"] - e["low"]) / abs(central) if central else 0.0
                          for n, e in ends.items()}
    rows = [{"parameter": n, "removals_swing": swings["removals_total"].get(n, 0.0),
             "cost_swing": swings["cost_total_usd"].get(n, 0.0), "status": tree[n].status}
            for n in swings["removals_total"].keys() | swings["cost_total_usd"].keys()]
    return sorted(rows, key=lambda r: (-max(r["removals_swing"], r["cost_swing"]),
                                       r["parameter"]))


def audit(root: Path | None = None) -> Audit:
    """Audit a parameter tree (default: the package's) against the rules.

    The tree is loaded without enforcing the rules, so that every broken rule is listed rather
    than the first file stopping the load.

    Raises
    ------
    removalsim.yamlio.InputError
        If a file does not even meet the schema.
    """
    from removalsim.params import PARAMETERS_DIR, load_tree

    root = Path(root) if root is not None else PARAMETERS_DIR
    tree = load_tree(root, strict=False)
    result = Audit()
    for name, param in tree.items():
        tiers = []
        for day, item in param.values.items():
            ref = item.reference
            result.values += 1
            result.cells[item.status or param.status, (ref.tier or "unset") if ref else "none"] += 1
            if ref is None:
                continue
            tiers.append(ref.tier)
            if (param.kind == "assumption" and ref.published
                    and (day - ref.published).days >= STALE_YEARS * 365.25):
                result.stale.append({"parameter": name, "date": day.isoformat(),
                                     "published": ref.published.isoformat(),
                                     "years": round((day - ref.published).days / 365.25, 1)})
        if tiers and all(t == "press" for t in tiers):
            result.press_only.append(name)
        problems = parameter_problems(param)
        if not problems:
            continue
        path = root / Path(*name.split(".")).with_suffix(".yaml")
        lines = read_yaml_file(path)[1]
        target = result.waived if waived(name) else result.violations
        for key, message in problems:
            target.append({"file": str(path.relative_to(root.parent)), "line": line_of(lines, key),
                           "key": dotted(key), "parameter": name,
                           "message": message})
    result.violations += _history_violations() + _data_file_violations()
    result.files = len(tree)
    result.by_status = {st: sum(n for (s, _), n in result.cells.items() if s == st)
                        for st in STATUSES}
    result.by_tier = {t: sum(n for (_, c), n in result.cells.items() if c == t) for t in COLUMNS}
    return result


def _data_file_violations() -> list[dict[str, Any]]:
    """The rules the data files of :data:`DATA_RULES` break, with file, line and key."""
    out = []
    for name, rules in DATA_RULES.items():
        path = DATA_DIR / name
        data, lines = read_yaml_file(path)
        out += [{"file": f"{DATA_DIR.name}/{name}", "line": line_of(lines, key),
                 "key": dotted(key), "parameter": None, "message": message}
                for key, message in rules(data)]
    return out


def _history_violations() -> list[dict[str, Any]]:
    """The rules the rows of ``data/history.csv`` break (the same rules, via its schema)."""
    from removalsim.history import DEFAULT_PATH, HistoryValidationError, load_history

    try:
        load_history()
    except HistoryValidationError as error:
        file = str(DEFAULT_PATH.relative_to(DEFAULT_PATH.parents[1]))
        return [{"file": file, "line": None, "key": None, "parameter": None,
                 "message": line.strip()} for line in str(error).splitlines()[1:]]
    return []


def dotted(key: tuple) -> str:
    """A key path as the loader's errors print it: ``values.2019-10-01.reference.href``."""
    return ".".join(k.isoformat() if isinstance(k, dt.date) else str(k) for k in key)

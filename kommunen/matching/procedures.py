"""One procedure, one lead: the notices of a procedure grouped, the newest standing for them.

Notices belong together when they share an eForms procedure identifier (BT-04) at the same
buyer or for the same title (identifiers alone are reused, in the SDK's examples at least),
when one names the other as its earlier notice (TED_EXPORT REF_NOTICE and NOTICE_NUMBER_OJ,
eForms BT-125 previous planning) or as the notice it changes (BT-758). The lead keeps the id
of the procedure's first notice, so a new stage changes a lead the digest already knows (sent
again once) instead of adding one.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from scrapers.records import Stage, publication_key

STAGE_ORDER = {
    Stage.PLANNING: 0,
    Stage.COMPETITION: 1,
    Stage.CHANGE: 2,
    Stage.VEAT: 3,
    Stage.RESULT: 3,
    Stage.MODIFICATION: 4,
    Stage.UNKNOWN: 1,
}
STAGE_WORDS = {
    Stage.PLANNING: "Vorinformation",
    Stage.COMPETITION: "Ausschreibung",
    Stage.RESULT: "vergeben",
    Stage.VEAT: "vergeben ohne Ausschreibung",
    Stage.MODIFICATION: "geändert",
    Stage.CHANGE: "berichtigt",
}


@dataclass(frozen=True, slots=True)
class NoticeKeys:
    """What groups the notices; one entry per stored notice, in the order of the columns."""

    source_id: list[str]
    procedure_id: list[str]
    buyer_name: list[str]
    title: list[str]
    publication_number: list[str]
    previous_notices: list[str]  # JSON text as stored
    changed_notice_id: list[str]
    stage: list[str]
    publication_date: list[str | None]  # ISO text
    winners: list[str]  # JSON text as stored


@dataclass(frozen=True, slots=True)
class Procedures:
    newest: list[int]  # per procedure, the row that stands for it
    first: list[int]  # per procedure, the row whose id the lead keeps
    stages: list[str]  # per procedure, "Vorinformation 03/2024 · Ausschreibung 05/2024 · …"


def group(keys: NoticeKeys) -> Procedures:
    n = len(keys.source_id)
    parent = list(range(n))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    def union(a: int, b: int) -> None:
        ra, rb = root(a), root(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)

    by_publication = {publication_key(p): i for i, p in enumerate(keys.publication_number) if p}
    by_notice = {sid: i for i, sid in enumerate(keys.source_id)}
    by_procedure: dict[tuple[str, str, str], int] = {}
    for i in range(n):
        if keys.procedure_id[i]:  # the same identifier at the same buyer, or for the same title
            for what, value in (("buyer", keys.buyer_name[i]), ("title", keys.title[i])):
                opened = by_procedure.setdefault((keys.procedure_id[i], what, value.casefold()), i)
                union(opened, i)
        previous = keys.previous_notices[i]
        if previous and previous != "[]":
            for ref in json.loads(previous):
                other = by_publication.get(publication_key(ref), by_notice.get(ref))
                if other is not None:
                    union(other, i)
        changed = keys.changed_notice_id[i]
        if changed and changed in by_notice:
            union(by_notice[changed], i)
    members: dict[int, list[int]] = {}
    for i in range(n):
        members.setdefault(root(i), []).append(i)
    newest, first, stages = [], [], []
    for rows in members.values():
        ordered = sorted(rows, key=lambda i: (keys.publication_date[i] or "", _order(keys.stage[i])))
        newest.append(ordered[-1])
        first.append(ordered[0])
        stages.append(stage_line(keys, ordered) if len(rows) > 1 else "")  # one notice: its stage says it
    return Procedures(newest, first, stages)


def as_stage(value: str) -> Stage:
    """A stored stage; an unknown value (a newer parser's) reads as UNKNOWN."""
    try:
        return Stage(value)
    except ValueError:
        return Stage.UNKNOWN


def _order(stage: str) -> int:
    return STAGE_ORDER[as_stage(stage)]


def stage_line(keys: NoticeKeys, rows: list[int]) -> str:
    """ "Vorinformation 03/2024 · Ausschreibung 05/2024 · vergeben 09/2024 an Muster GmbH"."""
    parts: list[str] = []
    for i in rows:
        stage = as_stage(keys.stage[i])
        word = STAGE_WORDS.get(stage)
        if not word:
            continue
        day = keys.publication_date[i] or ""
        text = f"{word} {day[5:7]}/{day[:4]}" if len(day) >= 7 else word
        if stage in (Stage.RESULT, Stage.VEAT, Stage.MODIFICATION):
            names = [w["name"] for w in json.loads(keys.winners[i] or "[]")][:2]
            if names:
                text += f" an {', '.join(names)}"
        if not parts or parts[-1] != text:
            parts.append(text)
    return " · ".join(parts)

"""Editing by touchpoint: plan, search, cutsheet."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from ..app import selecting
from ..editplan.search import SearchHit
from ..errors import TriggerfilmError
from ..notices import Notice
from ..timefmt import source_time
from .app import Bars, cli, echo_notices, transcribe_options, transcribe_settings
from .options import file_option, format_option, limit_option, manifest_argument, target_option


@cli.command("plan")
@manifest_argument
@format_option(
    ["table", "json", "csv"],
    "table: aligned text; json / csv for other tools (csv: the running order).",
)
@target_option("The film's target length in minutes.")
@transcribe_options
def plan_command(manifest: Path, fmt: str, target: float, **opts: Any) -> None:
    """Show MANIFEST's running order, time per touchpoint against the target, each narrator's
    share, the balance of valences and who is represented, with warnings. Transcribes what is
    missing so quotes resolve."""
    from ..reports.plan_format import FORMATTERS

    notices: list[Notice] = []
    with Bars() as bars:
        report = selecting.plan_report(manifest, target, transcribe_settings(**opts), bars, notices)
    click.echo(FORMATTERS[fmt](report), nl=False)
    echo_notices(notices)


@cli.command("search")
@click.argument("query", required=False)
@click.option(
    "--meaning",
    metavar="TEXT",
    help="Rank sentences by how close they are in meaning to TEXT (a theme such as 'no one "
    "told us what was happening'), not by its words. Needs `triggerfilm index` first.",
)
@click.option("--archive", help="An archive folder, catalogue file or URL to search.")
@file_option("--manifest", help="Search the manifest's clips and the rest of its archives.")
@click.option("--regex", is_flag=True, help="QUERY is a regular expression (case-insensitive).")
@click.option("--topic", help="Only clips with this catalogue topic.")
@click.option("--role", help="Only narrators with this role (patient, family member, staff).")
@click.option("--media-type", help="Only clips of this media type (video, audio-only, ...).")
@click.option("--narrator", help="Only this narrator's clips (their code, e.g. ICU07).")
@limit_option("--limit", 50, "Show at most this many hits (best first when searching the index).")
@click.option(
    "--transcribe",
    is_flag=True,
    help="Also transcribe archive clips that have no cached transcript (slow; may download).",
)
@click.option("--add", "add_to", metavar="TOUCHPOINT", help="Append the hit to this touchpoint.")
@click.option("--pick", type=click.IntRange(min=1), help="With --add: the hit number to add.")
@transcribe_options
def search_command(
    query: str | None,
    meaning: str | None,
    archive: str | None,
    manifest: Path | None,
    regex: bool,
    topic: str | None,
    role: str | None,
    media_type: str | None,
    narrator: str | None,
    limit: int,
    transcribe: bool,
    add_to: str | None,
    pick: int | None,
    **opts: Any,
) -> None:
    """Find QUERY (whole words, any case) in clip titles, topics, narrator descriptors and
    transcripts; print clip, narrator, time and context. With --add TOUCHPOINT --manifest M,
    the hit's sentence becomes a selection at the end of that touchpoint (comments kept).

    After `triggerfilm index`, the search reads the index: hits come best first (BM25), a
    word ending in * matches every word it begins (nurs*), and several "quoted phrases" must
    all occur in a sentence, in any order. Without an index every transcript is scanned.
    --meaning TEXT ranks sentences by meaning instead (see docs/search.md)."""
    from ..app import indexing
    from ..editplan.search import SearchQuery, format_hits

    if (archive is None) == (manifest is None):
        raise click.UsageError("say where to search: --archive PATH_OR_URL or --manifest FILE")
    if add_to and manifest is None:
        raise click.UsageError("--add needs --manifest")
    if (query is None) == (meaning is None):
        raise click.UsageError("give either QUERY or --meaning TEXT")
    q = SearchQuery(
        query or meaning or "", regex=regex, topic=topic, role=role, media_type=media_type
    )
    notices: list[Notice] = []
    hits, from_index = indexing.search(
        q,
        archive=archive,
        manifest=manifest,
        options=transcribe_settings(**opts),
        transcribe=transcribe,
        meaning=meaning is not None,
        narrator=narrator,
        limit=limit,
        notices=notices,
    )
    echo_notices(notices)
    if from_index:
        click.echo("(searched the archive index; `triggerfilm index` updates it)", err=True)
    click.echo(format_hits(hits), nl=False)
    if add_to and manifest is not None:
        chosen = choose_hit(hits, pick)
        added = selecting.add_hit(manifest, add_to, chosen)
        selection = added.selection
        click.echo(
            f"Added {selection.clip} {_written(selection.start)}–{_written(selection.end)} "
            f"to '{add_to}' in {manifest}."
        )
        for note in added.notes:
            click.echo(f"Note: {note}.")


def choose_hit(hits: list[SearchHit], pick: int | None) -> SearchHit:
    """The hit numbered ``pick`` (1-based, as printed), or the only one there is."""
    if pick is not None:
        if not 1 <= pick <= len(hits):
            raise TriggerfilmError(
                f"--pick {pick} is not one of the hits", expected=f"a number from 1 to {len(hits)}"
            )
        return hits[pick - 1]
    if len(hits) != 1:
        raise TriggerfilmError(
            f"the search found {len(hits)} matches",
            expected="exactly one match to add",
            hint="Choose one with --pick N (the numbers printed above), or search more precisely"
            if hits
            else "Try other words",
        )
    return hits[0]


@cli.command("cutsheet")
@manifest_argument
@file_option(
    "-o", "--output", help="Where to write the sheet [default: MANIFEST with .cutsheet.md]."
)
@file_option(
    "--apply", "sheet", help="Read this ticked sheet and update the manifest's selections."
)
@transcribe_options
def cutsheet_command(manifest: Path, output: Path | None, sheet: Path | None, **opts: Any) -> None:
    """Write a Markdown cut sheet of every clip's sentences to tick, or --apply a ticked one."""

    notices: list[Notice] = []
    with Bars() as bars:
        if sheet is None:
            path = selecting.write_cutsheet_file(
                manifest, output, transcribe_settings(**opts), bars, notices
            )
        else:
            result = selecting.apply_cutsheet_file(
                manifest, sheet, transcribe_settings(**opts), bars, notices
            )
    if sheet is None:
        click.echo(f"Wrote {path}. Tick sentences, tag them #tp:..., then run:")
        click.echo(f"  triggerfilm cutsheet {manifest} --apply {path}")
    elif result.changed:
        click.echo(
            f"Updated {manifest}: {', '.join(result.changed)} ({result.selections} selection(s))."
        )
        for note in result.notes:
            click.echo(f"Note: {note}.")
    else:
        click.echo(f"No changes: the sheet matches {manifest}.")
    echo_notices(notices)


def _written(point: float | str) -> str:
    """A selection's end as the manifest now holds it: a time, or the quoted words."""
    return f"“{point}”" if isinstance(point, str) else source_time(point)

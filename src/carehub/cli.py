"""The `carehub` command. Each subcommand parses its options and calls one function that does the work."""

from __future__ import annotations

import os
import tempfile
from datetime import date, datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

app = typer.Typer(help="CareHub: CalAIM ECM and Community Supports.", no_args_is_help=True, add_completion=False)
audit_app = typer.Typer(help="The audit trail.", no_args_is_help=True)
app.add_typer(audit_app, name="audit")
calendar_app = typer.Typer(help="The working-day calendar and the program's clocks.", no_args_is_help=True)
app.add_typer(calendar_app, name="calendar")
export_app = typer.Typer(help="Export files for DHCS and providers.", no_args_is_help=True)
app.add_typer(export_app, name="export")
import_app = typer.Typer(help="Import batch files.", no_args_is_help=True)
app.add_typer(import_app, name="import")
warehouse_app = typer.Typer(help="The claims warehouse.", no_args_is_help=True)
app.add_typer(warehouse_app, name="warehouse")
discontinuation_app = typer.Typer(help="ECM discontinuations.", no_args_is_help=True)
app.add_typer(discontinuation_app, name="discontinuation")
console = Console(stderr=True)


def _django(database: str | None = None) -> None:
    """Start Django for commands that use the operational database."""
    if database:
        os.environ["CAREHUB_DATABASE_URL"] = database
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "carehub.web.settings")
    import django

    django.setup()


@app.command()
def synth(
    out: Annotated[Path, typer.Option(help="Folder to write the plan into (input layout).")],
    members: Annotated[int, typer.Option(min=1, help="Number of members.")] = 10_000,
    seed: Annotated[int, typer.Option(help="Random seed: same seed, same bytes.")] = 1,
    format: Annotated[str, typer.Option("--format", help="csv or parquet.")] = "parquet",
    as_of: Annotated[str | None, typer.Option(help="Extract date (ISO); history runs 24 months before it.")] = None,
) -> None:
    """Generate a synthetic Medi-Cal plan in the input layout (spec/input-layout.md)."""
    from carehub.synth.plan import generate_plan

    if format not in ("csv", "parquet"):
        raise typer.BadParameter("must be csv or parquet", param_hint="--format")
    try:
        as_of_date = date.fromisoformat(as_of) if as_of else date(2026, 10, 31)
    except ValueError as exc:
        raise typer.BadParameter(f"not a date: {as_of}", param_hint="--as-of") from exc
    summary = generate_plan(out=out, members=members, seed=seed, fmt=format, as_of=as_of_date, console=console)
    console.print(summary)


@app.command()
def load(
    folder: Annotated[Path, typer.Argument(help="Plan data folder in the input layout.")],
    database: Annotated[str | None, typer.Option(help="Database URL (default: CAREHUB_DATABASE_URL or embedded).")]
    = None,
) -> None:
    """Validate a plan data folder and load it, all or nothing."""
    _django(database)
    from carehub.ingest.loader import LoadRejected, load_folder

    try:
        result = load_folder(folder, console=console)
    except LoadRejected as rejected:
        console.print(rejected.report())
        raise typer.Exit(1) from None
    console.print(result.summary())


@warehouse_app.command("compact")
def warehouse_compact(database: Annotated[str | None, typer.Option(help="Database URL.")] = None) -> None:
    """Rewrite the claims a load stored as the extract's files (sorted by member, normalized codes), and the
    claim events identification reads when an older CareHub wrote them; a load queues this as a background job."""
    _django(database)
    from carehub.ingest.compact import compact_current

    done = compact_current()
    if done is None:
        console.print("nothing to compact: the live warehouse version is already in the warehouse's layout, "
                      "with current claim events")
        return
    lines = ", ".join(f"{table} {n:,} lines" for table, n in done.lines.items())
    console.print(f"published {done.version} (replacing {done.replaced}): {lines}, in {done.seconds:.1f} s")


def _print_value_set_differences(value_sets: Path) -> None:
    """How the plan's value sets differ from the defaults; those that narrow a definition stand out."""
    from carehub.domain.populations.runner import VALUE_SETS_DIR, value_set_files
    from carehub.domain.populations.valueset_diff import plan_differences

    found = plan_differences(value_set_files(value_sets), VALUE_SETS_DIR)
    if not found:
        console.print("the plan's value sets are the same as CareHub's defaults")
    for d in found:
        flag = " [bold yellow]narrows a definition the plan may not narrow[/bold yellow]" if d.narrows else ""
        console.print(f"value set {d.file}: {d.text}{flag}")


@app.command()
def identify(
    as_of: Annotated[str, typer.Option(help="As-of date D (ISO): who meets a Population of Focus on D.")],
    out: Annotated[Path, typer.Option(help="CSV file to write (output contract of spec/input-layout.md).")],
    data: Annotated[Path | None, typer.Option(exists=True, file_okay=False, help="Plan data folder (input "
                                              "layout); default: the live claims warehouse version.")] = None,
    engine: Annotated[str, typer.Option(help="duckdb (default) or spark (pyspark local mode).")] = "duckdb",
    value_sets: Annotated[Path | None, typer.Option(help="Folder of value-set CSVs replacing the defaults.")] = None,
    store: Annotated[bool, typer.Option("--store/--no-store", help="Also store the run in the operational "
                                        "database (worklist, member pages); it also gives the run the ECM "
                                        "outreach outcomes for the UNRESPONSIVE exclusion.")] = True,
    database: Annotated[str | None, typer.Option(help="Database URL (default: CAREHUB_DATABASE_URL or embedded).")]
    = None,
) -> None:
    """Identify every member meeting a Population of Focus on a date, with criteria, evidence and priority."""
    from datetime import UTC, datetime

    from carehub.domain.populations.cli import run_identify

    try:
        as_of_date = date.fromisoformat(as_of)
    except ValueError as exc:
        raise typer.BadParameter(f"not a date: {as_of}", param_hint="--as-of") from exc
    if data is not None:
        # a folder read directly gets the checks a load gives it: a bad date or code is named, not skipped
        from carehub.ingest.check import LoadRejected, validate_folder

        try:
            validate_folder(data, console=console)
        except LoadRejected as rejected:
            console.print(rejected.report("Identification refused", "Nothing was identified or stored."))
            raise typer.Exit(1) from None
    started_at = datetime.now(UTC)
    source = "folder" if data else "warehouse"
    stored: list = []
    store_now = None
    if store:
        _django(database)
        from carehub.apps.identification.services import store_from_connection, store_from_csv

        if engine == "duckdb":
            # Store from the engine's own tables, which keep the priority score, its factors and the county.
            def store_now(con) -> None:
                stored.append(store_from_connection(con, as_of=as_of_date, source=source, value_sets=value_sets,
                                                    started_at=started_at))
    with tempfile.TemporaryDirectory(prefix="carehub-identify-") as tmp:
        outreach = None
        if store:
            # the UNRESPONSIVE exclusion reads the ECM providers' outreach outcomes from the operational database
            from carehub.apps.identification.services import write_outreach_outcomes

            outreach = Path(tmp) / "outreach_outcome.csv"
            write_outreach_outcomes(outreach)
        try:
            console.print(run_identify(as_of=as_of_date, data=data, out=out, value_sets=value_sets, engine=engine,
                                       with_connection=store_now, outreach=outreach))
        except (FileNotFoundError, ValueError) as exc:
            console.print(f"[red]{exc}[/red]")
            raise typer.Exit(1) from None
    if value_sets is not None:
        _print_value_set_differences(value_sets)
    if store:
        run = stored[0] if stored else store_from_csv(out, as_of=as_of_date, source=source, value_sets=value_sets,
                                                      started_at=started_at)
        console.print(f"stored run {run.pk}: {run.people:,} members, {run.new_people:,} newly identified, "
                      f"{run.excluded_people:,} excluded (rules {run.rule_version}, "
                      f"value sets {run.value_set_version})")
        from carehub.apps.referrals.identified import refer_identified

        console.print(refer_identified(run).summary())


@app.command()
def assign(
    data: Annotated[Path, typer.Option(exists=True, file_okay=False, help="Plan data folder (input layout) with "
                                       "provider.csv: kind ECM counts as contracted, capacity is what is left.")],
    as_of: Annotated[str, typer.Option(help="Assignment date (ISO): eligibility and programs as of this day.")],
    members: Annotated[Path, typer.Option(help="CSV: person_id, population, preferred_provider_npi, "
                                          "previous_provider_npi (the last two may be empty).")],
    out: Annotated[Path, typer.Option(help="CSV to write: person_id, provider_npi, rule.")],
    explain: Annotated[bool, typer.Option("--explain", help="Add a column with the alternatives considered.")]
    = False,
    capacity_lines: Annotated[Path | None, typer.Option(help="CSV: provider_npi, county, population, capacity "
                                                        "(members left in that county and population).")] = None,
) -> None:
    """Assign authorized members to ECM providers by the rules of issue 5 (preference, existing relationship, CCS
    case manager, behavioral health provider, PCP, then best match solved for the whole batch)."""
    from carehub.domain.assignment.members_file import MembersFileError
    from carehub.domain.assignment.run import run_assign
    from carehub.domain.input_layout import InputLayoutError

    try:
        as_of_date = date.fromisoformat(as_of)
    except ValueError as exc:
        raise typer.BadParameter(f"not a date: {as_of}", param_hint="--as-of") from exc
    try:
        console.print(run_assign(data=data, as_of=as_of_date, members=members, out=out, explain=explain,
                                 capacity_lines=capacity_lines))
    except MembersFileError as exc:
        console.print("[red]members file rejected[/red]")
        console.print(str(exc), markup=False, highlight=False)
        raise typer.Exit(1) from None
    except InputLayoutError as exc:
        console.print("[red]data folder rejected[/red]")
        console.print(str(exc), markup=False, highlight=False)
        raise typer.Exit(1) from None


@app.command()
def migrate(database: Annotated[str | None, typer.Option(help="Database URL.")] = None) -> None:
    """Create or upgrade the operational database."""
    _django(database)
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
    console.print("database is up to date")


@app.command()
def worker(
    batch: Annotated[bool, typer.Option("--batch", help="Run the jobs waiting now, then exit.")] = False,
    database: Annotated[str | None, typer.Option(help="Database URL.")] = None,
) -> None:
    """Run the background jobs (decision notices, ...) as they are queued (django-tasks, database backend)."""
    _django(database)
    from django.core.management import call_command

    call_command("db_worker", batch=batch, no_startup_delay=batch, verbosity=0 if batch else 1)


@app.command("demo-users")
def demo_users(database: Annotated[str | None, typer.Option(help="Database URL.")] = None) -> None:
    """Create the demo organizations and one login per role, and print them."""
    _django(database)
    from carehub.apps.accounts.demo import create_demo_users

    table = create_demo_users()
    Console().print(table)


@audit_app.command("verify")
def audit_verify(database: Annotated[str | None, typer.Option(help="Database URL.")] = None) -> None:
    """Recompute the audit log's hash chain; exit 1 at the first event that was altered, removed or reordered."""
    _django(database)
    from carehub.apps.audit.services import verify_chain

    result = verify_chain()
    if not result.ok:
        console.print(f"[red]audit log broken[/red] after {result.checked} good events: {result.problem}")
        raise typer.Exit(1)
    console.print(f"audit log intact: {result.checked} events")


@calendar_app.command("due")
def calendar_due(
    from_: Annotated[str, typer.Option("--from", help="When the clock starts: ISO date or date-time (plan time "
                                       "America/Los_Angeles unless it carries an offset).")],
    rule: Annotated[str, typer.Option(help="authorization-routine | authorization-expedited | decision-notice | "
                                      "assignment | provider-change | reassessment")],
    holidays: Annotated[Path | None, typer.Option(help="Holiday file replacing the default "
                                                  "(default: CAREHUB_HOLIDAYS_FILE or California state holidays).")]
    = None,
) -> None:
    """Print when a clock runs out: a date for day and month clocks, a date-time for hour clocks."""
    from carehub.domain.calendar import HolidayFileError, default_calendar
    from carehub.domain.deadlines import UnknownRule, due
    from carehub.domain.deadlines import rule as find_rule

    try:
        start = datetime.fromisoformat(from_.strip()) if "T" in from_ or " " in from_.strip() else \
            date.fromisoformat(from_.strip())
    except ValueError:
        raise typer.BadParameter(f"not an ISO date or date-time: {from_!r} (e.g. 2025-11-26 or "
                                 "2025-11-26T14:30)", param_hint="--from") from None
    try:
        clock = find_rule(rule)
    except UnknownRule as unknown:
        raise typer.BadParameter(str(unknown), param_hint="--rule") from None
    try:
        cal = default_calendar(holidays)
    except (OSError, HolidayFileError) as problem:
        raise typer.BadParameter(str(problem), param_hint="--holidays") from None
    end = due(rule, start, calendar=cal)
    typer.echo(end.isoformat() if clock.gives_datetime else end.date().isoformat())


@discontinuation_app.command("end-due")
def discontinuation_end_due(
    on: Annotated[str | None, typer.Option(help="The day to run for (ISO date; default: today, plan time).")]
    = None,
    database: Annotated[str | None, typer.Option(help="Database URL.")] = None,
) -> None:
    """End ECM for the confirmed discontinuations whose date of action has come (10 days after the notice, 42 CFR
    431.211), unless a timely appeal holds it. Idempotent: run it daily (the worker also runs a job on each day)."""
    try:
        day = date.fromisoformat(on.strip()) if on else None
    except ValueError:
        raise typer.BadParameter(f"not an ISO date: {on!r} (e.g. 2026-12-05)", param_hint="--on") from None
    _django(database)
    from carehub.apps.discontinuation.services import end_due

    counts = end_due(day)
    console.print(f"ECM ended: {counts['ended']}; held by a timely appeal: {counts['held']}; "
                  f"overturned on appeal: {counts['reversed']}", markup=False, highlight=False)


@import_app.command("referrals")
def import_referrals(
    file: Annotated[Path, typer.Argument(help="CSV of referrals (columns: carehub.apps.referrals.services.FIELDS).")],
    database: Annotated[str | None, typer.Option(help="Database URL.")] = None,
) -> None:
    """Import a batch file of ECM referrals, all or nothing; re-importing the same file changes nothing."""
    _django(database)
    from carehub.apps.referrals.batch import import_referrals as run_import

    result = run_import(file)
    console.print(result.summary(), markup=False, highlight=False)
    if not result.ok:
        raise typer.Exit(1)


@export_app.command("capacity")
def export_capacity(
    out: Annotated[Path, typer.Option(help="Excel workbook to write (.xlsx).")],
    database: Annotated[str | None, typer.Option(help="Database URL.")] = None,
) -> None:
    """The Model of Care Part 2 ECM and CS provider capacity workbook, one sheet per county (seed 000 IV)."""
    _django(database)
    from carehub.apps.providers.exports import write_capacity_workbook

    counts = write_capacity_workbook(out)
    console.print(f"wrote {out}: {len(counts)} counties, {sum(counts.values()):,} provider rows",
                  markup=False, highlight=False)


@export_app.command("mif")
def export_mif(
    provider: Annotated[str, typer.Option(help="The ECM provider's NPI.")],
    period: Annotated[str, typer.Option(help="Reporting period YYYY-MM.")],
    out: Annotated[Path, typer.Option(help="Excel workbook to write (.xlsx).")],
    database: Annotated[str | None, typer.Option(help="Database URL.")] = None,
) -> None:
    """The Member Information File (MIF) for the members assigned to one ECM provider (spec/dhcs-interchange.md)."""
    _django(database)
    from carehub.apps.assignments.exchange import ExchangeError, write_mif
    from carehub.apps.audit.services import JobActor

    try:
        rows = write_mif(provider, period, out, actor=JobActor("export-mif"))
    except ExchangeError as problem:
        console.print(f"[red]{problem}[/red]")
        raise typer.Exit(1) from None
    console.print(f"wrote {out}: {rows:,} members", markup=False, highlight=False)


def _import_exchange(kind: str, file: Path, database: str | None) -> None:
    _django(database)
    from carehub.apps.assignments.exchange import import_file
    from carehub.apps.audit.services import JobActor

    report = import_file(kind, file.read_bytes(), name=file.name, actor=JobActor(f"import-{kind.lower()}"))
    console.print(report.summary(), markup=False, highlight=False)
    if not report.accepted:
        raise typer.Exit(1)


@import_app.command("rtf")
def import_rtf(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="Return Transmission File (.xlsx).")],
    database: Annotated[str | None, typer.Option(help="Database URL.")] = None,
) -> None:
    """Import a provider's Return Transmission File, all or nothing; re-importing it changes nothing."""
    _import_exchange("RTF", file, database)


@import_app.command("otf")
def import_otf(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="Outreach Tracker File (.xlsx).")],
    database: Annotated[str | None, typer.Option(help="Database URL.")] = None,
) -> None:
    """Import a provider's Outreach Tracker File, all or nothing; re-importing it changes nothing."""
    _import_exchange("OTF", file, database)


def main() -> None:
    app()


if __name__ == "__main__":
    main()

"""`workbench round list|show|create` and `stats --round`: rounds as tables.

Names (rounds, coders, articles) are data and go through `DataCell`; the
figures are the program's own.
"""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from workbench.display import DisplayMode
from workbench.rounds import (
    Round,
    key_coverage,
    list_rounds,
    progress,
    round_codebook,
    round_summary,
    stale_fields,
)
from workbench.store import Store
from workbench.tables import DataCell, figure, print_lines


def _when(stamp: str | None) -> str:
    return "" if stamp is None else stamp[:16].replace("T", " ")


def _state(rnd: Round) -> str:
    return "open" if rnd.is_open else f"closed {_when(rnd.closed_at)}"


def render_rounds(store: Store, console: Console, mode: DisplayMode = "terminal") -> None:
    """Every round, oldest first; a reliability round whose fields changed
    in meaning since it was measured names them under "re-test"."""
    rounds = list_rounds(store)
    if not rounds:
        console.print("no rounds yet: create one with `workbench round create NAME --kind ...`")
        return
    table = Table(
        title=f"{len(rounds)} rounds",
        title_justify="left",
        caption="coded: done labels of the round's coders / sentences x coders; re-test: "
        "fields that changed in meaning since a reliability round was measured",
        caption_justify="left",
    )
    # Names are what a user retypes (`round show NAME`): never squeezed.
    longest = max(len(r.name) for r in rounds)
    table.add_column("round", no_wrap=True, min_width=min(longest, 24))
    table.add_column("kind", no_wrap=True)
    for column in ("version", "sentences", "coded", "state"):
        table.add_column(column, justify="right" if column in ("sentences", "coded") else "left")
    table.add_column("re-test", overflow="fold")
    for rnd in rounds:
        done = progress(store, rnd)
        stale = stale_fields(store, rnd) if rnd.kind == "reliability" else []
        table.add_row(
            DataCell(rnd.name, mode),
            figure(rnd.kind),
            DataCell(rnd.codebook[1], mode),
            figure(rnd.sentences),
            figure(f"{sum(done.values())}/{rnd.sentences * len(rnd.coders)}"),
            figure("open" if rnd.is_open else "closed"),
            figure(", ".join(stale)),
        )
    console.print(table)


def render_round(
    store: Store,
    rnd: Round,
    console: Console,
    mode: DisplayMode = "terminal",
    *,
    created: bool = False,
    trainees: bool = False,
) -> None:
    """One round: design, codebook, progress per coder, history, staleness,
    and for a training round with a key, each trainee against it."""
    summary = round_summary(store, rnd)
    verb = "created" if created else "round"
    print_lines(
        console,
        f"{verb} {rnd.name}: {rnd.kind}, codebook {rnd.codebook[0]} {rnd.codebook[1]}, "
        f"{rnd.sentences} sentences, {_state(rnd)}",
        mode,
    )
    design = summary["design"]
    if "articles" in design:
        print_lines(console, f"articles: {', '.join(design['articles'])}", mode)
    else:
        how = f"sample of {design['sample']} sentences, seed {design['seed']}"
        if design.get("stratify_by"):
            how += f", stratified by {design['stratify_by']} (rarest values first)"
        print_lines(
            console,
            f"{how}; drawn from {design['candidates']} sentences no earlier round used "
            f"({design['in_earlier_rounds']} were)",
            mode,
        )
        if design.get("strata"):
            strata = Table(title="strata", title_justify="left")
            for column in ("value", "coded before", "available", "drawn"):
                strata.add_column(column, justify="left" if column == "value" else "right")
            for s in design["strata"]:
                strata.add_row(
                    DataCell(s["value"], mode),
                    figure(s["coded_before"]),
                    figure(s["available"]),
                    figure(s["drawn"]),
                )
            console.print(strata)
        check = design.get("sample_size")
        if check and check.get("rarest") is not None:
            short = check["units"] < check["required_units"]
            simple = check["simple_random"]
            print_lines(
                console,
                f"sample-size check ahead (alpha_min {check['alpha_min']:.3f}, p < .05): the "
                f"rarest value, {check['rarest']}, is {100 * check['prevalence']:.1f}% of the "
                f"sample and needs {check['required_units']} units; a simple random sample "
                f"would hold {simple['rarest']} at {100 * simple['prevalence']:.1f}% and need "
                f"{simple['required_units']}. The sample has {check['units']}"
                + (": draw more (a larger --sample) to pass it." if short else "."),
                mode,
            )
    coders = Table(title="coders", title_justify="left")
    for column in ("coder", "done", "of"):
        coders.add_column(column, justify="left" if column == "coder" else "right")
    for coder, done in summary["progress"].items():
        coders.add_row(DataCell(coder, mode), figure(done), figure(rnd.sentences))
    console.print(coders)
    if rnd.key is not None:
        print_lines(
            console,
            f"answer key: {rnd.key} ({key_coverage(store, rnd)} of {rnd.sentences} sentences "
            f"answered); pass: alpha >= {rnd.pass_alpha:.3f} with the key on every field",
            mode,
        )
        if trainees:
            _trainees(store, rnd, console, mode)
    if summary.get("independence"):
        print_lines(console, summary["independence"], mode)
    print_lines(
        console,
        f"created by {rnd.created_by} at {_when(rnd.created_at)}"
        + ("" if rnd.is_open else f"; closed by {rnd.closed_by} at {_when(rnd.closed_at)}"),
        mode,
    )
    if summary["stale"]:
        print_lines(console, f"STALE: {summary['stale_note']}", mode)


def _trainees(store: Store, rnd: Round, console: Console, mode: DisplayMode) -> None:
    from workbench.training import trainee_report

    report = trainee_report(store, rnd, round_codebook(store, rnd), bootstrap=1000, seed=0)
    fields = list(next(iter(report["coders"].values()))["fields"]) if report["coders"] else []
    table = Table(title="trainees against the key (alpha, 95% CI)", title_justify="left")
    table.add_column("trainee")
    table.add_column("units", justify="right")
    for fid in fields:
        table.add_column(fid, justify="right")
    table.add_column("passed")
    for trainee, r in report["coders"].items():
        table.add_row(
            DataCell(trainee, mode),
            figure(r["units"]),
            *(figure(_alpha_cell(r["fields"][fid])) for fid in fields),
            figure("yes" if r["passed"] else "no"),
        )
    console.print(table)


def _alpha_cell(result: dict[str, object]) -> str:
    alpha = result["krippendorff_alpha"]
    if alpha is None:
        return "undefined"
    ci = result["alpha_ci"]
    text = f"{alpha:.3f}"
    if isinstance(ci, list):
        text += f" [{ci[0]:.3f}, {ci[1]:.3f}]"
    return text

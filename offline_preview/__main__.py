"""`python -m offline_preview tokyo`: what `pulumi preview` would show, with no cloud and no CLI.

Exit codes: 0 clean, 1 a mandatory policy violation, 2 a config error.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Optional

from offline_preview.engine import PROJECT_DIR, ProgramRun, run_program
from offline_preview.graph import FORMATS, write_graph
from offline_preview.previous import Replacement, replacement_lines
from offline_preview.previous import as_json as replacements_json
from offline_preview.report import PolicyReport, render_json, render_text
from stack_config import ConfigError, Settings, apply_overrides, load_settings, stack_file_values


def main(argv: Optional[list[str]] = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m offline_preview",
        description="Preview a megaticket-dr stack offline under Pulumi's mock engine, with policy results.")
    parser.add_argument("stack", help="stack name: seoul (primary) or tokyo (pilot light)")
    parser.add_argument("--json", action="store_true", help="machine-readable output")
    parser.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                        help="try a config change, e.g. --set healthCheck.interval=10 (repeatable)")
    parser.add_argument("--unknowns", action="store_true",
                        help="leave computed values unknown like `pulumi preview` (default: ⟨placeholders⟩)")
    parser.add_argument("--no-policies", action="store_true", help="skip the policy pack")
    parser.add_argument("--graph", choices=FORMATS,
                        help="draw the recorded resources as Graphviz DOT or Mermaid instead "
                             "(regions, components, parent and dependency edges; no policy run)")
    parser.add_argument("--out", metavar="FILE", help="write the --graph drawing to FILE, not stdout")
    parser.add_argument("--previous", type=Path, metavar="FILE",
                        help="the deployment this change goes on top of: `pulumi stack output --json` "
                             "or an earlier --json preview; a change that would replace a table (or "
                             "a protected ALB) is refused, and replacements are listed")
    args = parser.parse_args(argv)
    if args.out is not None and args.graph is None:
        print("error: --out needs --graph dot|mermaid (it writes the drawing)", file=sys.stderr)
        return 2
    if args.graph is not None and args.json:
        print("error: --graph and --json are two outputs: choose one", file=sys.stderr)
        return 2

    from offline_preview.previous import load_previous, replacements

    try:
        config = apply_overrides(stack_file_values(PROJECT_DIR, args.stack), args.set)
        settings = load_settings(config, args.stack)  # fail fast, before anything starts
        previous = load_previous(args.previous, args.stack) if args.previous else None
    except ConfigError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2

    if args.graph is not None:
        return write_graph(config, args.stack, args.unknowns, args.graph, args.out)

    pack = streaming = None
    if not args.no_policies:
        from offline_preview.policy_run import StreamingCheck, start_pack

        pack = start_pack(args.stack, config, args.unknowns)
        streaming = StreamingCheck(pack)
    try:
        try:
            run = run_program(config, args.stack, preview=args.unknowns,
                              on_resource=streaming.add if streaming else None, previous=previous)
        except ConfigError as error:
            print(f"error: {error}", file=sys.stderr)
            return 2
        policies: Optional[PolicyReport] = streaming.finish(run) if streaming else None
    finally:
        if pack is not None:
            pack.stop()

    found = replacements(previous, run) if previous is not None and previous.resources else None
    sys.stdout.write(_with_standby_cost(run, settings, policies, args.json, found))
    if policies is not None and (policies.error or policies.mandatory):
        return 1
    return 0


def _with_standby_cost(run: ProgramRun, settings: Settings, policies: Optional[PolicyReport],
                       as_json: bool, found: Optional[list[Replacement]] = None) -> str:
    """The preview's output plus the "Standby cost" section (`cost` in JSON) from cost/, and with
    --previous what the change replaces (`replacements` in JSON)."""
    from cost import estimate, from_recording
    from cost import render_text as render_cost

    report = estimate(from_recording(run, settings), settings)
    if as_json:
        document = json.loads(render_json(run, policies))
        document["cost"] = report.as_json()
        if found is not None:
            document["replacements"] = replacements_json(found)
        return json.dumps(document, indent=2, ensure_ascii=False) + "\n"
    text = render_text(run, policies) + "\n" + "\n".join(render_cost(report)) + "\n"
    if found is not None:
        text += "\n" + "\n".join(replacement_lines(found)) + "\n"
    return text


def _exit(code: int) -> None:
    """Leave without the interpreter's teardown: a config error raised inside the mock engine's
    event loop leaves the loop and its tasks behind, and collecting them at shutdown can print an
    unrelated asyncio traceback after the one-line error."""
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


if __name__ == "__main__":
    _exit(main())

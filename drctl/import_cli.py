"""`drctl import-plan --stack STACK --out FILE [--json]`: the command around `drctl.import_plan`."""

from __future__ import annotations

import argparse
import json
import os
from pathlib import Path
from typing import Any

from drctl.config import UsageError, project_dir


def add_parser(sub: Any, common: argparse.ArgumentParser) -> None:
    parser = sub.add_parser(
        "import-plan",
        parents=[common],
        help="find what the stack would create that already exists; write a "
        "file for `pulumi import --file FILE` and report what cannot be imported",
    )
    parser.add_argument("--out", required=True, metavar="FILE", help="where to write the import file")
    parser.add_argument("--json", action="store_true", help="machine-readable report")


def _check_out(value: str) -> Path:
    path = Path(value)
    if not value.strip() or path.is_dir():
        raise UsageError(f"--out must name a file to write, such as import-tokyo.json (got {value!r})")
    parent = path.parent if str(path.parent) else Path(".")
    if not parent.is_dir():
        raise UsageError(f"--out must be in an existing directory (got {value}: {parent} does not exist)")
    if not os.access(parent, os.W_OK) or (path.exists() and not os.access(path, os.W_OK)):
        raise UsageError(f"--out must be writable (got {value})")
    return path


def run(args: argparse.Namespace, clients_factory: Any = None) -> int:
    """Exit 0: everything found imports cleanly; 1: problems to fix first (the file holds what can
    be imported now); 2: bad input."""
    from drctl.aws import Clients
    from drctl.import_plan import build_plan, render_text, write_file
    from drctl.import_program import declared_program
    from stack_config import ConfigError

    out = _check_out(args.out)
    try:
        program = declared_program(project_dir(), args.stack, args.overrides)
    except ConfigError as err:
        raise UsageError(str(err)) from None
    clients = clients_factory() if clients_factory else Clients()
    account = clients.preflight(program.settings.region)
    plan = build_plan(program, clients, account)
    write_file(plan, str(out))
    if args.json:
        print(json.dumps(plan.as_dict(str(out)), indent=2, ensure_ascii=False))
    else:
        print("\n".join(render_text(plan, str(out))))
    return 1 if plan.problems else 0

"""drctl: one entry point for what operators did by hand from the 001 document.

  drctl doctor   [--stack tokyo] [--json] [--url URL] [--only CHECK,...]
  drctl status   [--execution ARN] [--json]
  drctl approve  [--execution ARN]            (finds the pending step-0 task token itself)
  drctl reject   [--execution ARN] --reason TEXT
  drctl failover --reason TEXT                (refused while one runs)
  drctl failback --reason TEXT                (refused while a failover runs or the lock is held)
  drctl drill    [--hold-minutes N] [--yes]   (rehearse in Tokyo, no lock/DNS/approval, always back to idle)
  drctl report   EXECUTION|--execution ARN [--json|--markdown]  (per-step times, measured recovery, gantt)
  drctl rto      [--approval-minutes N] [--json] [--profiles]   (lean / standard / fast side by side)
  drctl release-lock --yes
  drctl approval-pin set [--parameter NAME]  (PIN read without echo, or one line from stdin)
  drctl import-plan  --stack STACK --out FILE [--json]   (adopt what Terraform created; docs/adopt.md)

Exit codes: 0 fine, 1 a check failed or AWS refused, 2 bad usage or configuration.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from collections.abc import Sequence
from typing import Any, NoReturn, TextIO

from botocore.exceptions import BotoCoreError, ClientError

from drctl import executions, import_cli, report_data, rto
from drctl.aws import Clients
from drctl.config import StackInfo, UsageError, load_stack, with_web_url
from failover import approval_pin, checks
from failover.contract import DRILL_DEFAULT_HOLD_MINUTES, DRILL_MAX_HOLD_MINUTES
from stack_config.approval_page import SSM_EXPECTED, SSM_PARAMETER


class CommandFailedError(Exception):
    """AWS or the pipeline refused; one line, exit 1."""


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage mistake is one line (exit 2), like every other drctl error."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"drctl: error: {message} (see `{self.prog} --help`)\n")


def _non_negative_number(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a number >= 0 (got {text})") from None
    if not math.isfinite(value) or value < 0:
        raise argparse.ArgumentTypeError(f"must be a finite number >= 0 (got {text})")
    return value


def _hold_minutes(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be whole minutes from 0 to {DRILL_MAX_HOLD_MINUTES} "
                                         f"(got {text})") from None
    if not 0 <= value <= DRILL_MAX_HOLD_MINUTES:
        raise argparse.ArgumentTypeError(f"must be whole minutes from 0 to {DRILL_MAX_HOLD_MINUTES} "
                                         f"(got {text})")
    return value


def build_parser() -> argparse.ArgumentParser:
    """drctl's command line. Tests parse every command the texts tell operators to run with it."""
    common = _Parser(add_help=False)
    common.add_argument("--stack", default="tokyo", help="DR stack whose Pulumi.<stack>.yaml to read "
                        "(default: tokyo)")
    common.add_argument("--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE",
                        help="override a stack setting, as `pulumi config set --path KEY VALUE` would")
    parser = _Parser(prog="drctl", description="megaticket-dr operator CLI")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    doctor = sub.add_parser("doctor", parents=[common], help="run every readiness check")
    doctor.add_argument("--json", action="store_true")
    doctor.add_argument("--url", help="URL for the GET / check (default: the public name, https only "
                        "when the ALB has a certificate)")
    doctor.add_argument("--only", help="comma-separated check names: " + ", ".join(checks.CHECK_NAMES))

    status = sub.add_parser("status", parents=[common], help="latest failover run: steps and times")
    status.add_argument("--execution", help="execution ARN or name (default: the latest)")
    status.add_argument("--json", action="store_true")

    approve = sub.add_parser("approve", parents=[common], help="approve the run waiting on step 0")
    approve.add_argument("--execution", help="execution ARN or name (default: the running one)")
    reject = sub.add_parser("reject", parents=[common], help="reject the run waiting on step 0")
    reject.add_argument("--execution", help="execution ARN or name (default: the running one)")
    reject.add_argument("--reason", required=True)

    failover = sub.add_parser("failover", parents=[common], help="start a failover by hand")
    failover.add_argument("--reason", required=True)
    failback = sub.add_parser("failback", parents=[common], help="start the failback state machine")
    failback.add_argument("--reason", required=True)

    drill = sub.add_parser("drill", parents=[common],
                           help="rehearse the failover in Tokyo (no lock, no DNS, no approval), then idle")
    drill.add_argument("--hold-minutes", type=_hold_minutes, default=DRILL_DEFAULT_HOLD_MINUTES,
                       metavar="N", help="keep Tokyo up N minutes after verification before the cleanup "
                       f"(0-{DRILL_MAX_HOLD_MINUTES}, default {DRILL_DEFAULT_HOLD_MINUTES})")
    drill.add_argument("--yes", action="store_true", help="start without the confirmation prompt")
    drill.add_argument("--reason", default="scheduled drill", help="recorded in the execution input")

    report = sub.add_parser("report", parents=[common], help="per-step times and measured recovery")
    # The positional is the documented form; --execution is what status/approve/reject take, so
    # an operator who types it here (as older failure notifications said) is understood too.
    which = report.add_mutually_exclusive_group(required=True)
    which.add_argument("execution", nargs="?", help="execution ARN, execution name, or `latest`")
    which.add_argument("--execution", dest="execution_option", metavar="EXECUTION",
                       help="the same, as an option")
    report.add_argument("--json", action="store_true")
    report.add_argument("--markdown", action="store_true",
                        help="a Markdown page: step table and a Mermaid gantt chart of the step times")

    model = sub.add_parser("rto", parents=[common], help="modeled recovery time from the settings")
    model.add_argument("--approval-minutes", type=_non_negative_number,
                       default=rto.DEFAULT_APPROVAL_MINUTES,
                       help="operator time to approve, for the model "
                       f"(default {rto.DEFAULT_APPROVAL_MINUTES:g})")
    model.add_argument("--json", action="store_true")
    model.add_argument("--profiles", action="store_true",
                       help="lean, standard and fast side by side, with their monthly standby cost")

    release = sub.add_parser("release-lock", parents=[common],
                             help="put FailoverLock=0 so Seoul may serve again")
    release.add_argument("--yes", action="store_true",
                         help="confirm you have checked Seoul's data is current")
    pin = sub.add_parser("approval-pin", parents=[common], help="the approval page's PIN")
    pin_sub = pin.add_subparsers(dest="pin_command", required=True, metavar="ACTION")
    pin_set = pin_sub.add_parser("set", parents=[common],
                                 help="hash a new PIN (read without echo, or one line from stdin) into SSM")
    pin_set.add_argument("--parameter",
                         help="SSM SecureString name (default: the stack's approval.page.pinParameter, "
                              f"{approval_pin.DEFAULT_PIN_PARAMETER} unless set)")
    import_cli.add_parser(sub, common)
    return parser


def check_usage(args: argparse.Namespace) -> None:
    """What drctl refuses before it reads the stack or calls AWS (UsageError, exit 2).

    Kept apart from the commands so a command line can be judged without running it."""
    if getattr(args, "reason", None) is not None and not args.reason.strip():
        raise UsageError({
            "reject": "--reason must say why the failover is rejected",
            "failover": "--reason must say why you are starting a failover by hand",
            "failback": "--reason must say why you are failing back",
        }.get(args.command, "--reason must not be empty"))
    if args.command == "doctor" and args.only:
        only = [n.strip() for n in args.only.split(",") if n.strip()]
        unknown = [n for n in only if n not in checks.CHECK_NAMES]
        if unknown:
            raise UsageError(f"--only must list check names from {', '.join(checks.CHECK_NAMES)} "
                             f"(got {', '.join(unknown)})")
    if args.command == "rto" and args.approval_minutes < 0:
        raise UsageError(f"--approval-minutes must be a number >= 0 (got {args.approval_minutes:g})")
    if args.command == "release-lock" and not args.yes:
        raise UsageError("release-lock needs --yes: confirm Seoul's data is current first "
                         "(section 5 step 4), since releasing lets Route53 send users back to Seoul")
    if args.command == "drill" and not args.reason.strip():
        raise UsageError("--reason must not be empty")
    if args.command == "report":
        if args.json and args.markdown:
            raise UsageError("--json and --markdown are two outputs: choose one")
        args.execution = args.execution or args.execution_option


# --- commands ---------------------------------------------------------------------------------


def _progress(stream: TextIO) -> Any:
    if not stream.isatty():
        return None

    def show(done: int, total: int, name: str) -> None:
        text = f"[{done}/{total}] {name}…" if name else ""
        stream.write("\r\033[K" + text)
        stream.flush()

    return show


def cmd_doctor(args: argparse.Namespace, info: StackInfo, clients: Clients) -> int:
    info = with_web_url(info, args.url)
    only: tuple[str, ...] = ()
    if args.only:
        only = tuple(n.strip() for n in args.only.split(",") if n.strip())

    # The DR region answered the preflight; the others are probed once, when a check needs them.
    def reachable(region: str) -> str | None:
        return None if region == info.checks.dr_region else clients.probe(region)

    results = checks.run_checks(clients, info.checks, only=only, progress=_progress(sys.stderr),
                                reachable=reachable)
    failed = [r for r in results if not r.ok]
    skipped = [r for r in results if r.skipped]
    if args.json:
        print(json.dumps({"stack": info.stack, "ok": not failed,
                          "failed": [r.name for r in failed], "skipped": [r.name for r in skipped],
                          "checks": [r.as_dict() for r in results]}, indent=2, ensure_ascii=False))
    else:
        for r in results:
            mark = "-" if r.skipped else "!" if r.warning and r.ok else "✓" if r.ok else "✗"
            print(f"{mark} {r.name} — {r.detail}")
            if (not r.ok or r.warning) and r.fix:
                print(f"    fix: {r.fix}")
        passed = len(results) - len(failed) - len(skipped)
        print(f"\n{passed}/{len(results)} checks passed"
              + (f", {len(skipped)} skipped" if skipped else "")
              + (f"; failed: {', '.join(r.name for r in failed)}" if failed else ""))
    return 1 if failed else 0


def _sm_arn(info: StackInfo, clients: Clients, failback: bool = False) -> str:
    name = info.failback_state_machine_name if failback else ""
    return checks.state_machine_arn(clients, info.checks, name)


def _execution_arn(value: str | None, info: StackInfo, clients: Clients, *, running: bool) -> str:
    sfn = clients("stepfunctions", info.checks.dr_region)
    sm_arn = _sm_arn(info, clients)
    if value and value.startswith("arn:"):
        if ":execution:" not in value:
            raise UsageError(f"--execution must be an execution ARN (arn:aws:states:...:execution:...) "
                             f"or name (got {value})")
        return value
    if value and value != "latest":
        prefix = sm_arn.replace(":stateMachine:", ":execution:")
        return f"{prefix}:{value}"
    if running:
        return executions.running_execution(sfn, sm_arn)
    found = executions.latest_execution(sfn, sm_arn)
    if not found:
        raise CommandFailedError(f"{info.checks.state_machine_name} has no executions yet")
    return found


def _approver(clients: Clients, info: StackInfo) -> str:
    return str(clients("sts", info.checks.dr_region).get_caller_identity()["Arn"])


def cmd_approve(args: argparse.Namespace, info: StackInfo, clients: Clients) -> int:
    from failover.approval import approve_execution

    arn = _execution_arn(args.execution, info, clients, running=True)
    out = approve_execution(clients("stepfunctions", info.checks.dr_region), arn,
                            _approver(clients, info))
    print(f"approved {arn.rsplit(':', 1)[-1]} as {out['by']} at {out['at']}; steps 1-4 run now "
          "(`drctl status` to follow)")
    return 0


def cmd_reject(args: argparse.Namespace, info: StackInfo, clients: Clients) -> int:
    from failover.approval import reject_execution

    arn = _execution_arn(args.execution, info, clients, running=True)
    out = reject_execution(clients("stepfunctions", info.checks.dr_region), arn,
                           _approver(clients, info), args.reason)
    print(f"rejected {arn.rsplit(':', 1)[-1]} as {out['by']}: {args.reason}")
    return 0


def cmd_failover(args: argparse.Namespace, info: StackInfo, clients: Clients) -> int:
    from failover.manual_start import start_failover

    arn = start_failover(clients("stepfunctions", info.checks.dr_region), _sm_arn(info, clients),
                         args.reason)
    print(f"started {arn}\nstep 0 waits for approval: `drctl approve` (or `drctl reject --reason ...`)")
    return 0


def cmd_failback(args: argparse.Namespace, info: StackInfo, clients: Clients) -> int:
    from failover.errors import FailoverRunningError
    from failover.idle import require_failover_idle
    from failover.manual_start import start_failover

    sfn = clients("stepfunctions", info.checks.dr_region)
    # First: a running failover also holds (or is about to set) the lock, and the lock's advice
    # (release it) would be wrong while Tokyo is still changing.
    try:
        require_failover_idle(sfn, _sm_arn(info, clients))
    except FailoverRunningError as err:
        raise UsageError(f"failback refused: {err}") from None
    lock = checks.lock_state(clients, info.checks)
    if lock["locked"]:
        raise CommandFailedError(f"failback lock is held ({info.checks.lock_metric}={lock['value']}, alarm "
                            f"{lock['alarm_state']}): check Seoul's data, then `drctl release-lock --yes`")
    if not lock["known"]:
        # Unknown is treated as held: failing back while a lock might be held would send users to
        # a Seoul whose data nobody checked.
        raise CommandFailedError(
            f"failback refused: the failback lock state is unknown (no {info.checks.lock_metric} datapoint "
            f"in the last 24 h and alarm {info.checks.lock_alarm_name} is "
            f"{lock['alarm_state'] or 'missing'} in {info.checks.alarm_region}); restore the lock alarm "
            f"with `pulumi up --stack {info.checks.primary_stack_name}`, or check Seoul's data and record "
            "the release with `drctl release-lock --yes`")
    # Same start semantics as failover (refused while a failback runs, input source=manual).
    arn = start_failover(sfn, _sm_arn(info, clients, failback=True), args.reason)
    print(f"started {arn}")
    return 0


def cmd_drill(args: argparse.Namespace, info: StackInfo, clients: Clients) -> int:
    from drctl import drill

    if info.approval_gate:  # the stack deploys the warm-up machine (failover/warm_up_asl.py)
        raise UsageError("drills run on the standard failover machine; recovery.profile fast deploys "
                         "the warm-up machine, which has no drill path yet")
    why = drill.refusal(clients, info)
    if why:
        raise CommandFailedError(f"drill refused: {why}")
    if not args.yes:
        if not sys.stdin.isatty():
            raise UsageError("drill needs --yes when there is no terminal to confirm on")
        answer = input(f"Start a drill in {info.checks.dr_region}: scale Tokyo up, verify, hold "
                       f"{args.hold_minutes} min, then return it to idle? [y/N] ")
        if answer.strip().lower() not in ("y", "yes"):
            print("no drill started")
            return 1
    arn = drill.start(clients, info, args.hold_minutes, args.reason)
    print(f"started {arn}\nno approval, no lock, no DNS change; Tokyo returns to idle after the "
          f"{args.hold_minutes}-minute hold (and on any failure). Measure it: "
          f"`drctl report {arn.rsplit(':', 1)[-1]}`")
    return 0


def cmd_status(args: argparse.Namespace, info: StackInfo, clients: Clients) -> int:
    sfn = clients("stepfunctions", info.checks.dr_region)
    lock = checks.lock_state(clients, info.checks)
    arn = None
    if args.execution:
        arn = _execution_arn(args.execution, info, clients, running=False)
    else:
        arn = executions.latest_execution(sfn, _sm_arn(info, clients))
    t = executions.timeline(sfn, arn) if arn else None
    if args.json:
        print(json.dumps({"execution": executions.timeline_dict(t) if t else None, "lock": lock},
                         indent=2, ensure_ascii=False))
        return 0
    if t is None:
        print(f"{info.checks.state_machine_name}: no executions yet")
    else:
        print("\n".join(executions.render_timeline(t)))
    state = "LOCKED" if lock["locked"] else "released"
    print(f"failback lock: {state} ({info.checks.lock_metric}="
          f"{'no data' if lock['value'] is None else lock['value']}, alarm {lock['alarm']} "
          f"{lock['alarm_state'] or 'missing'})")
    return 0


def cmd_report(args: argparse.Namespace, info: StackInfo, clients: Clients) -> int:
    sfn = clients("stepfunctions", info.checks.dr_region)
    arn = _execution_arn(args.execution, info, clients, running=False)
    try:
        t = executions.timeline(sfn, arn)
    except ClientError as err:
        if "ExecutionDoesNotExist" in str(err.response.get("Error", {}).get("Code")):
            raise UsageError(f"EXECUTION must be an execution of {info.checks.state_machine_name} "
                             f"(got {args.execution}: not found)") from err
        raise
    report = _report(t, info, clients)
    if args.json:
        print(json.dumps(report, indent=2, ensure_ascii=False))
        return 0
    measured = report["recovery"]
    if args.markdown:
        from drctl.report_markdown import render_markdown

        sys.stdout.write(render_markdown(t, measured, report))
        return 0
    print("\n".join(executions.render_timeline(t)))
    print(f"\nrecovery: {executions.duration(measured['seconds'])}  "
          f"({measured['start_from']} {measured['start']} -> {measured['end_from']} "
          f"{measured['end'] or ''})".rstrip())
    if measured["seconds"] is not None:
        print(f"  of which waiting for approval: {executions.duration(measured['approval_wait_seconds'])}"
              f"; without approval: {executions.duration(measured['seconds_excluding_approval'])}")
    print()
    print("\n".join(report_data.render_phases(report)))
    return 0


def _report(t: executions.Timeline, info: StackInfo, clients: Clients) -> dict[str, Any]:
    return report_data.report_for(t, report_data.basis_for(info),
                                  clients("cloudwatch", info.checks.alarm_region))


def cmd_rto(args: argparse.Namespace, info: StackInfo, clients: Clients | None) -> int:
    if args.profiles:
        from drctl import profiles

        rows = profiles.rows(args.stack, args.overrides, args.approval_minutes)
        if args.json:
            print(json.dumps({"stack": info.stack, "profiles": rows}, indent=2, ensure_ascii=False))
            return 0
        print(f"modeled recovery time and standby cost per recovery profile, stack {info.stack} "
              f"(approval modeled 0..{args.approval_minutes:g} min):")
        print("\n".join(rto.render_profiles(rows)))
        print("  USD/month: the standby cost of what the program declares for that profile "
              "(bin/preview tokyo --set recovery.profile=<profile>)")
        return 0
    phases = rto.model(info, args.approval_minutes)
    if args.json:
        print(json.dumps({"stack": info.stack, "profile": info.recovery_profile,
                          "phases": [p.as_dict() for p in phases], **rto.summary(phases)},
                         indent=2, ensure_ascii=False))
        return 0
    print(f"modeled recovery time for stack {info.stack}, recovery profile {info.recovery_profile} "
          "(alarm -> Tokyo serving):")
    print("\n".join(rto.render(phases)))
    return 0


def cmd_release_lock(args: argparse.Namespace, info: StackInfo, clients: Clients) -> int:
    s = info.checks
    from failover.lock import RELEASED, set_lock

    before = checks.lock_state(clients, s)
    set_lock(clients("cloudwatch", s.alarm_region), s, RELEASED)
    print(f"put {s.lock_namespace} {s.lock_metric}=0 in {s.alarm_region} (was "
          f"{'no data' if before['value'] is None else before['value']}); alarm {s.lock_alarm_name} "
          "returns to OK on its next evaluation and the PRIMARY record becomes eligible again")
    return 0


def _read_pin(stream: TextIO) -> str:
    """Without echo on a terminal (typed twice); else the first line of stdin (for a secret store)."""
    if stream.isatty():
        import getpass

        first = getpass.getpass("New approval PIN: ")
        if getpass.getpass("Again: ") != first:
            raise UsageError("the two PINs typed differ; nothing was changed")
        return first
    return stream.readline().rstrip("\r\n")


def cmd_approval_pin(args: argparse.Namespace, info: StackInfo, clients: Clients) -> int:
    # The page reads the parameter the stack names: without --parameter, write that one.
    parameter = info.checks.approval_pin_parameter if args.parameter is None else args.parameter
    if not SSM_PARAMETER.fullmatch(parameter):
        raise UsageError(f"--parameter must be {SSM_EXPECTED} (got {parameter!r}); nothing was changed")
    try:
        pin = approval_pin.check_pin_shape(_read_pin(sys.stdin))
    except approval_pin.PinError as err:
        raise UsageError(f"{err}; nothing was changed") from None
    version = approval_pin.store_pin_hash(clients("ssm", info.checks.dr_region), parameter, pin)
    print(f"approval PIN set: PBKDF2 hash in SecureString {parameter} (version {version}) "
          f"in {info.checks.dr_region}")
    return 0


COMMANDS = {
    "approval-pin": cmd_approval_pin,
    "doctor": cmd_doctor, "status": cmd_status, "approve": cmd_approve, "reject": cmd_reject,
    "failover": cmd_failover, "failback": cmd_failback, "report": cmd_report, "rto": cmd_rto,
    "drill": cmd_drill,
    "release-lock": cmd_release_lock,
}


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        check_usage(args)
        if args.command == "import-plan":  # any stack, seoul included
            return import_cli.run(args)
        info = load_stack(args.stack, args.overrides)
        if args.command == "rto":  # a pure model: no AWS access needed
            return cmd_rto(args, info, None)
        clients = Clients()
        clients.preflight(info.checks.dr_region)
        return COMMANDS[args.command](args, info, clients)
    except UsageError as err:
        print(f"drctl: error: {err}", file=sys.stderr)
        return 2
    except CommandFailedError as err:
        print(f"drctl: {err}", file=sys.stderr)
        return 1
    except ClientError as err:
        error = err.response.get("Error", {})
        print(f"drctl: AWS refused {err.operation_name}: {error.get('Code')}: {error.get('Message')}",
              file=sys.stderr)
        return 1
    except BotoCoreError as err:
        print(f"drctl: {type(err).__name__}: {err}", file=sys.stderr)
        return 1
    except Exception as err:  # noqa: BLE001 - the pipeline's own refusals, one line each
        from failover.errors import FailoverError

        if isinstance(err, FailoverError):
            print(f"drctl: {err}", file=sys.stderr)
            return 1
        raise


if __name__ == "__main__":
    sys.exit(main())

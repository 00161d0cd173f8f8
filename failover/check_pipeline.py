"""The failover pipeline in Tokyo: the approval topic, the state machines' definitions, the step
Lambdas' configuration and what each step's role may do."""

from __future__ import annotations

import json
from typing import Any

from botocore.exceptions import ClientError

from failover import asl, facts, iam_eval, warm_up_asl
from failover.check_core import (
    CheckResult,
    CheckSettings,
    ClientFactory,
    account,
    code,
    iso,
    lambda_arn,
    load_balancer,
    stack_hint,
    state_machine_arn,
    topic_arn,
)


def check_last_execution(clients: ClientFactory, s: CheckSettings) -> CheckResult:
    name = "last-execution"
    sfn = clients("stepfunctions", s.dr_region)
    try:
        executions = sfn.list_executions(stateMachineArn=state_machine_arn(clients, s),
                                         maxResults=1).get("executions", [])
    except ClientError as err:
        if code(err) != "StateMachineDoesNotExist":
            raise
        return CheckResult(name, False, f"state machine {s.state_machine_name} not found",
                           fix=f"`pulumi up --stack {stack_hint(s)}`")
    if not executions:
        return CheckResult(name, True, f"{s.state_machine_name}: no executions yet")
    last = executions[0]
    status = last.get("status", "")
    detail = f"{last.get('name')} {status} (started {iso(last.get('startDate'))})"
    if status in ("SUCCEEDED", "RUNNING"):
        return CheckResult(name, True, detail)
    return CheckResult(name, False, detail, fix=(
        f"7.2.2: `drctl report {last.get('executionArn')}` shows the failed step and its log group; "
        "7.2.3: clean up and retry with `drctl failover --reason \"retry after the failed run\"`"))


def check_approval_subscriptions(clients: ClientFactory, s: CheckSettings) -> CheckResult:
    """At least `min_confirmed_subscriptions` confirmed channels of different protocols (an email
    left unconfirmed for 3 days is deleted; one bounced channel must not block the approval)."""
    name = "approval-subscriptions"
    arn = topic_arn(clients, s)
    sns = clients("sns", s.dr_region)
    subs: list[dict[str, Any]] = []
    try:
        for page in sns.get_paginator("list_subscriptions_by_topic").paginate(TopicArn=arn):
            subs.extend(page.get("Subscriptions", []))
    except ClientError as err:
        if code(err) != "NotFound":
            raise
        return CheckResult(name, False, f"topic {s.approval_topic_name} not found",
                           fix=f"`pulumi up --stack {stack_hint(s)}`")
    pending = [x for x in subs if not str(x.get("SubscriptionArn", "")).startswith("arn:")]
    confirmed = [x for x in subs if x not in pending]
    protocols = sorted({str(x.get("Protocol")) for x in confirmed})
    detail = (f"{len(confirmed)} confirmed ({', '.join(protocols) or 'none'}), {len(pending)} pending "
              f"on {s.approval_topic_name}")
    if pending:
        detail += " (pending: " + ", ".join(f"{x.get('Protocol')}:{x.get('Endpoint')}" for x in pending) + ")"
    wanted = s.min_confirmed_subscriptions
    if len(confirmed) >= wanted and len(protocols) >= min(2, wanted) and not pending:
        return CheckResult(name, True, detail)
    problem = ("pending confirmation" if pending else
               f"fewer than {wanted} confirmed" if len(confirmed) < wanted else
               "every confirmed subscription uses one protocol")
    return CheckResult(name, False, f"{detail}: {problem}", fix=(
        "7.3.1: SNS deletes email subscriptions left unconfirmed for 3 days; click the Confirm link, "
        f"and keep at least {wanted} confirmed channels of different protocols (7.3.2: SMS as the "
        "backup), set in megaticket-dr:approvers (emails and sms), then "
        f"`pulumi up --stack {stack_hint(s)}`"))


# --- state machine definitions --------------------------------------------------------------------


def _states(definition: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Every state by name, the branches of Parallel states included (the fast profile's machine
    runs the approval, the template and the warm start in one)."""
    found: dict[str, dict[str, Any]] = {}
    for state_name, state in (definition.get("States") or {}).items():
        found[state_name] = state
        for branch in state.get("Branches") or ():
            found.update(_states(branch))
    return found


def _task_targets(definition: dict[str, Any]) -> dict[str, str]:
    """Task state -> the Lambda (or topic) it calls."""
    targets = {}
    for state_name, state in _states(definition).items():
        if state.get("Type") != "Task":
            continue
        resource = str(state.get("Resource", ""))
        params = state.get("Parameters") or {}
        targets[state_name] = resource if resource.startswith("arn:aws:lambda:") else str(
            params.get("FunctionName") or params.get("TopicArn") or resource)
    return targets


def expected_definitions(clients: ClientFactory, s: CheckSettings) -> dict[str, dict[str, Any]]:
    """The definitions the stack renders (failover/asl.py) with the deployed ARNs."""
    fn = {k: lambda_arn(clients, s, v) for k, v in s.function_names().items()}
    topic = topic_arn(clients, s)
    common: dict[str, Any] = dict(
        step0_arn=fn["step0"], step1_arn=fn["step1"], step2_arn=fn["step2"], step3_arn=fn["step3"],
        step4_arn=fn["step4"], topic_arn=topic, approval_timeout_seconds=s.approval_timeout_seconds,
        timeout_action=s.approval_timeout_action,
        task_timeout_seconds=facts.polled_task_timeout(
            [s.timeout_nlb, s.timeout_launch_template, s.timeout_scale, s.timeout_verify]))
    # The fast profile's machine warms Tokyo beside the approval (failover/warm_up_asl.py); the
    # standard one carries the drill path (snapshot and cleanup in the failback Lambda).
    failover = (warm_up_asl.warm_up_definition(**common) if s.approval_gate
                else asl.failover_definition(**common, drill_arn=fn["failback"]))
    failback = asl.failback_definition(
        failback_arn=fn["failback"], failover_state_machine_arn=state_machine_arn(clients, s),
        topic_arn=topic, task_timeout_seconds=facts.polled_task_timeout([s.timeout_failback]))
    return {s.state_machine_name: failover, s.failback_state_machine_name: failback}


def check_state_machines(clients: ClientFactory, s: CheckSettings) -> CheckResult:
    """Each machine's Tasks call the Lambdas the stack deploys, and the approval waits at most
    `approvalTimeoutSeconds` (a missing TimeoutSeconds waits up to a year)."""
    name = "state-machines"
    sfn = clients("stepfunctions", s.dr_region)
    problems, lines = [], []
    for machine, expected in expected_definitions(clients, s).items():
        try:
            described = sfn.describe_state_machine(stateMachineArn=state_machine_arn(clients, s, machine))
        except ClientError as err:
            if code(err) != "StateMachineDoesNotExist":
                raise
            problems.append(f"{machine} not found in {s.dr_region}")
            continue
        try:
            actual = json.loads(described.get("definition") or "")
        except ValueError:
            problems.append(f"{machine} definition is not JSON")
            continue
        want, have = _task_targets(expected), _task_targets(actual)
        for state_name, target in want.items():
            if state_name not in have:
                problems.append(f"{machine}: Task {state_name} missing")
            elif have[state_name] != target:
                problems.append(f"{machine}: {state_name} calls {have[state_name]} (expected {target})")
        warm = ("Warmup" in _states(expected), "Warmup" in _states(actual))
        if machine == s.state_machine_name and warm[0] != warm[1]:
            problems.append(f"{machine}: {'a' if warm[1] else 'no'} warm-up beside the approval "
                            f"(expected the {'fast' if warm[0] else 'serial'} machine of recovery "
                            f"profile {s.recovery_profile})")
        if machine == s.state_machine_name:
            approval = _states(actual).get(asl.APPROVAL_STATE, {})
            timeout = approval.get("TimeoutSeconds")
            if timeout != s.approval_timeout_seconds:
                problems.append(f"{machine}: {asl.APPROVAL_STATE} TimeoutSeconds {timeout} "
                                f"(expected {s.approval_timeout_seconds})")
        lines.append(f"{machine}: {len(want)} tasks")
    if problems:
        return CheckResult(name, False, "; ".join(problems), fix=(
            f"the definitions come from failover/asl.py: `pulumi up --stack {stack_hint(s)}` restores "
            f"them (megaticket-dr:failover.approvalTimeoutSeconds sets the approval timeout)"))
    return CheckResult(name, True, "; ".join(lines) + f" call the stack's Lambdas; approval times out "
                       f"after {s.approval_timeout_seconds} s")


# --- Lambdas and their roles -----------------------------------------------------------------------


def check_step_lambdas(clients: ClientFactory, s: CheckSettings) -> CheckResult:
    name = "step-lambdas"
    lam = clients("lambda", s.dr_region)
    acct = account(clients, s)
    problems, fixes = [], []
    for suffix, function in s.function_names().items():
        try:
            config = lam.get_function_configuration(FunctionName=function)
        except ClientError as err:
            if code(err) != "ResourceNotFoundException":
                raise
            problems.append(f"{function} not found")
            continue
        timeout, memory = s.function_timeout(suffix), facts.LAMBDA_MEMORY_MB
        wrong = []
        if config.get("Timeout") != timeout:
            wrong.append(f"timeout {config.get('Timeout')} s (expected {timeout})")
        if config.get("MemorySize") != memory:
            wrong.append(f"memory {config.get('MemorySize')} MB (expected {memory})")
        if suffix in facts.FUNCTIONS:
            role = f"arn:aws:iam::{acct}:role/{facts.role_name(function)}"
            if config.get("Role") != role:
                wrong.append(f"role {config.get('Role')} (expected {role})")
            if config.get("Handler") != facts.FUNCTIONS[suffix][0]:
                wrong.append(f"handler {config.get('Handler')} (expected {facts.FUNCTIONS[suffix][0]})")
        if wrong:
            problems.append(f"{function}: " + ", ".join(wrong))
            fixes.append(f"`aws lambda update-function-configuration --function-name {function} "
                         f"--timeout {timeout} --memory-size {memory} --region {s.dr_region}`")
    if problems:
        fix = f"`pulumi up --stack {stack_hint(s)}` restores every function as declared"
        if fixes:
            fix = "; ".join(fixes) + f", or {fix}"
        return CheckResult(name, False, "; ".join(problems), fix=fix)
    return CheckResult(name, True, f"{len(s.function_names())} functions with the declared timeout, "
                       f"memory ({facts.LAMBDA_MEMORY_MB} MB), role and handler")


def _resources(clients: ClientFactory, s: CheckSettings) -> dict[str, str]:
    """The ARNs each step acts on, as deployed (synthesized with a placeholder id when absent, so
    a policy scoped by name still matches)."""
    acct, region = account(clients, s), s.dr_region
    elb = f"arn:aws:elasticloadbalancing:{region}:{acct}"
    nlb = load_balancer(clients, s, s.nlb_name)
    # Rebuilt from the name and id: a network load balancer's ARN reads loadbalancer/net/<name>/<id>.
    lb_id = str(nlb["LoadBalancerArn"]).rsplit("/", 1)[-1] if nlb else "0000000000000000"
    nlb_arn = f"{elb}:loadbalancer/net/{s.nlb_name}/{lb_id}"
    described = clients("autoscaling", region).describe_auto_scaling_groups(
        AutoScalingGroupNames=[s.web_asg, s.app_asg]).get("AutoScalingGroups", [])
    groups = {g["AutoScalingGroupName"]: g for g in described}

    def asg(name: str) -> str:
        zero = "00000000-0000-0000-0000-000000000000"
        return str(groups.get(name, {}).get("AutoScalingGroupARN") or
                   f"arn:aws:autoscaling:{region}:{acct}:autoScalingGroup:{zero}:autoScalingGroupName/{name}")

    try:
        templates = clients("ec2", region).describe_launch_templates(
            LaunchTemplateNames=[s.web_launch_template]).get("LaunchTemplates", [])
    except ClientError:
        templates = []
    lt_id = templates[0]["LaunchTemplateId"] if templates else "lt-00000000000000000"
    return {
        "*": "*",
        "topic": topic_arn(clients, s),
        "failover_machine": state_machine_arn(clients, s),
        "nlb": nlb_arn,
        "nlb_target_group": f"{elb}:targetgroup/{facts.target_group_name(s.nlb_name)}/0000000000000000",
        "nlb_listener": f"{elb}:listener/net/{s.nlb_name}/{lb_id}/0000000000000000",
        "web_launch_template": f"arn:aws:ec2:{region}:{acct}:launch-template/{lt_id}",
        "app_asg": asg(s.app_asg),
        "web_asg": asg(s.web_asg),
        "lock_metric": "*",
        "lock_alarm": f"arn:aws:cloudwatch:{s.alarm_region}:{acct}:alarm:{s.lock_alarm_name}",
        "gate_alarm": f"arn:aws:cloudwatch:{s.alarm_region}:{acct}:alarm:{s.gate_alarm_name}",
    }


def check_step_roles(clients: ClientFactory, s: CheckSettings) -> CheckResult:
    """Each step's role may do what its step calls in the stack's recovery profile (failover/facts.py
    STEP_ACTIONS, and GATE_STEP_ACTIONS with the approval gate), and the state
    machine's role may invoke every step: evaluated from the roles' policies (failover/iam_eval.py)."""
    name = "step-roles"
    iam = clients("iam", "us-east-1")
    resources = _resources(clients, s)
    context = {"cloudwatch:namespace": s.lock_namespace}
    wanted: dict[str, list[tuple[str, str]]] = {}
    for suffix, calls in facts.step_actions(s.approval_gate).items():
        role = facts.role_name(facts.function_name(s.lambda_prefix, suffix))
        wanted[role] = [(action, resources[key]) for action, key in calls]
    sfn_calls = [("lambda:InvokeFunction", lambda_arn(clients, s, f))
                 for k, f in s.function_names().items() if k in facts.FUNCTIONS]
    wanted[facts.role_name(s.state_machine_name)] = [*sfn_calls, ("sns:Publish", resources["topic"])]
    problems = []
    checked = 0
    for role, role_calls in wanted.items():
        try:
            statements = iam_eval.role_statements(iam, role)
        except ClientError as err:
            if code(err) != "NoSuchEntity":
                raise
            problems.append(f"role {role} not found")
            continue
        denied = [f"{action} on {resource}" for action, resource in dict.fromkeys(role_calls)
                  if iam_eval.decide(statements, action, resource, context) != "allowed"]
        checked += len(role_calls)
        if denied:
            problems.append(f"{role} may not " + ", ".join(denied))
    if problems:
        return CheckResult(name, False, "; ".join(problems), fix=(
            f"the step policies are declared in components/failover_pipeline.py: "
            f"`pulumi up --stack {stack_hint(s)}` restores them"))
    return CheckResult(name, True, f"{len(wanted)} roles allow the {checked} calls their steps make "
                       "(evaluated from the role policies)")

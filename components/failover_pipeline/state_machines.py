"""The failover and failback state machines (ASL from `asl.py`, beside this file) and their role."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Optional

import pulumi
import pulumi_aws as aws

from components.failover_pipeline import iam
from components.failover_pipeline.approval_topic import child_options
from failover.asl import failback_definition, failover_definition
from failover.contract import role_name, state_machine_log_group
from failover.facts import polled_task_timeout
from failover.warm_up_asl import warm_up_definition
from stack_config import FailoverSettings


@dataclass(frozen=True)
class StateMachinesArgs:
    failover: FailoverSettings
    region: str
    function_arns: Mapping[str, pulumi.Output[str]]
    topic_arn: pulumi.Input[str]
    topic_key_arn: pulumi.Input[str]
    heartbeat_seconds: Optional[int]
    warm_up: bool = False  # fast profile: warm Tokyo beside the approval (warm_up_asl.py)
    poll_seconds: int = 15
    max_polls: int = 40
    log_retention_days: int = 90
    prefix: str = "failover"
    moved_from: Optional[pulumi.Resource] = None  # see ApprovalTopicArgs.moved_from
    tags: Mapping[str, str] = field(default_factory=dict)


class StateMachines(pulumi.ComponentResource):
    failover_arn: pulumi.Output[str]
    failback_arn: pulumi.Output[str]

    def __init__(self, name: str, args: StateMachinesArgs, opts: Optional[pulumi.ResourceOptions] = None):
        super().__init__("megaticket-dr:failover:StateMachines", name, None, opts)
        p, tags, fo, fn = args.prefix, dict(args.tags), args.failover, args.function_arns
        role = aws.iam.Role(
            f"{p}-sfn-role",
            name=role_name(fo.state_machine_name),
            assume_role_policy=iam.assume("states.amazonaws.com"),
            tags=tags,
            opts=child_options(self, args.moved_from),
        )
        role_policy = aws.iam.RolePolicy(
            f"{p}-sfn-policy",
            role=role.id,
            policy=pulumi.Output.all(args.topic_arn, args.topic_key_arn, *fn.values()).apply(
                lambda a: iam.state_machine_role(a[0], a[1], a[2:], args.region)
            ),
            opts=child_options(self, args.moved_from),
        )
        t = fo.lambda_timeouts
        # The standard machine also carries the drill path; its snapshot and cleanup run in the
        # failback Lambda (failover/drill.py). The fast profile's machine has no drill path yet.
        drill = {} if args.warm_up else {"drill_arn": fn["failback"]}
        failover_json = pulumi.Output.all(
            *(fn[k] for k in ("step0", "step1", "step2", "step3", "step4")), args.topic_arn, drill
        ).apply(
            lambda a: json.dumps(
                (warm_up_definition if args.warm_up else failover_definition)(
                    step0_arn=a[0],
                    step1_arn=a[1],
                    step2_arn=a[2],
                    step3_arn=a[3],
                    step4_arn=a[4],
                    topic_arn=a[5],
                    approval_timeout_seconds=fo.approval_timeout_seconds,
                    approval_heartbeat_seconds=args.heartbeat_seconds,
                    timeout_action=fo.approval_timeout_action,
                    poll_seconds=args.poll_seconds,
                    max_polls=args.max_polls,
                    task_timeout_seconds=polled_task_timeout([t.nlb, t.launch_template, t.scale, t.verify]),
                    **a[6],
                )
            )
        )

        def machine(key: str, machine_name: str, definition: pulumi.Output[str]) -> aws.sfn.StateMachine:
            log_group = aws.cloudwatch.LogGroup(
                f"{p}-{key}-sfn-logs",
                name=state_machine_log_group(machine_name),
                retention_in_days=args.log_retention_days,
                tags=tags,
                opts=child_options(self, args.moved_from),
            )
            return aws.sfn.StateMachine(
                f"{p}-{key}-state-machine",
                name=machine_name,
                role_arn=role.arn,
                definition=definition,
                # Execution data stays out of the logs: the approval payload carries the task token.
                logging_configuration={
                    "log_destination": log_group.arn.apply(lambda a: f"{a}:*"),
                    "include_execution_data": False,
                    "level": "ALL",
                },
                tracing_configuration={"enabled": True},
                tags=tags,
                # CreateStateMachine checks that the role may deliver logs (else AccessDenied: "not
                # authorized to access the Log Destination"): the role's policy must exist first.
                opts=child_options(self, args.moved_from, depends_on=[role_policy]),
            )

        failover = machine("failover", fo.state_machine_name, failover_json)
        # Failback's first state refuses while a failover execution runs, so it names that machine.
        failback_json = pulumi.Output.all(fn["failback"], args.topic_arn, failover.arn).apply(
            lambda a: json.dumps(
                failback_definition(
                    failback_arn=a[0],
                    topic_arn=a[1],
                    failover_state_machine_arn=a[2],
                    poll_seconds=args.poll_seconds,
                    max_polls=args.max_polls,
                    task_timeout_seconds=polled_task_timeout([t.failback]),
                )
            )
        )
        failback = machine("failback", fo.failback_state_machine_name, failback_json)
        self.failover_arn = failover.arn
        self.failback_arn = failback.arn
        self.register_outputs({"failover_arn": self.failover_arn, "failback_arn": self.failback_arn})

"""The automated failover pipeline: alarm -> EventBridge (us-east-1 -> Tokyo bus) -> Step Functions.

Event path (names from the 001 document, section 7):
  us-east-1 rule `ssw-dr-failover-observation-alarm-rule` matches the detection alarm entering ALARM
  and forwards it to the Tokyo bus `ssw-dr-failover-dr-event-bus` (role: events:PutEvents on that bus
  only); Tokyo rule `pldr-dr-failover-rule` starts `stfc-stepfunction-dev-an1` (role:
  states:StartExecution on that machine only). Each hop is an `EventHop`.

Parts: `ApprovalTopic` (topic + key + subscriptions), `StepLambdas` (the Lambdas and their roles),
`StateMachines` (ASL from asl.py), two `EventHop`s, and the per-step role policies from `iam.py`,
attached here because they name the machines and the topic.

Every name comes from `stack_config` (`args.settings`), which already checked it; the only rules
left here are the invariants a programmatic caller could break. The Lambdas' environment is
`stack_config.derive.lambda_settings(...).to_env()`, exactly what `failover.settings.from_env` reads.

Children keep the names and types they had when the pipeline was one flat component; each sub-part
passes `moved_from=self` so its children carry an alias to this parent and are adopted, not replaced.
Caller passes the DR-region provider in `opts.provider` and the us-east-1 provider in
`args.alarm_provider`; this component never creates providers.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Optional

import pulumi
import pulumi_aws as aws

from components.failover_pipeline import iam
from components.failover_pipeline.approval_page import (
    ApprovalPage,
    ApprovalPageArgs,
    ApprovalTable,
    page_environment,
    table_name,
)
from components.failover_pipeline.approval_topic import ApprovalTopic, ApprovalTopicArgs
from components.failover_pipeline.event_hop import EventHop, EventHopArgs
from components.failover_pipeline.functions import FUNCTIONS, StepLambdas, StepLambdasArgs
from components.failover_pipeline.reports import Reports, ReportsArgs
from components.failover_pipeline.state_machines import StateMachines, StateMachinesArgs
from failover.contract import LOG_RETENTION_DAYS, drill_rule_name, target_group_name
from failover.drill import stopped_pattern as drill_stopped_pattern
from failover.facts import EVENT_TARGET_RETRY_AGE_SECONDS, event_pattern
from stack_config import Settings
from stack_config.derive import lambda_settings


@dataclass(frozen=True)
class FailoverPipelineArgs:
    """`settings` (validated by stack_config) plus what exists only after deploy."""

    settings: Settings
    alarm_provider: pulumi.ProviderResource  # us-east-1, where the detection alarm lives
    vpc_id: pulumi.Input[str]
    app_subnet_ids: pulumi.Input[Sequence[str]]
    alb_dns_name: pulumi.Input[str]
    web_launch_template_id: Optional[pulumi.Input[str]] = None  # scopes step 2's IAM to that template
    # Standby: AppNlb's target group, named by AWS from a prefix; None: `<nlb name>-TG` (step 1's).
    nlb_target_group_name: Optional[pulumi.Input[str]] = None
    poll_seconds: int = 15
    max_polls: int = 40
    log_retention_days: int = 90
    # reports.bucket: drctl.report_data.ReportBasis.to_json() of these settings (the model the
    # writer compares each run with); the stack wiring computes it, drctl being above components
    report_basis_json: str = ""

    def __post_init__(self) -> None:
        fo = self.settings.failover
        if not self.settings.is_dr:
            raise ValueError(f"settings must be the DR stack's (got role {self.settings.role})")
        if fo.approval_timeout_seconds <= fo.lambda_timeouts.approval:
            raise ValueError(
                f"approval timeout {fo.approval_timeout_seconds} s must exceed the approval "
                f"Lambda's timeout ({fo.lambda_timeouts.approval} s)"
            )
        if self.poll_seconds < 1 or self.max_polls < 1:
            raise ValueError(
                f"poll_seconds and max_polls must be >= 1 (got {self.poll_seconds}, {self.max_polls})"
            )
        if self.log_retention_days not in LOG_RETENTION_DAYS:
            raise ValueError(
                f"log_retention_days must be a CloudWatch retention value (got {self.log_retention_days})"
            )

    @property
    def heartbeat(self) -> Optional[int]:
        """Step Functions needs HeartbeatSeconds < TimeoutSeconds; otherwise none."""
        fo = self.settings.failover
        hb = fo.approval_heartbeat_seconds
        return hb if hb is not None and hb < fo.approval_timeout_seconds else None

    @property
    def verify_host(self) -> pulumi.Input[str]:
        """With a certificate the ALB redirects HTTP to HTTPS and the certificate names the domain,
        not the ALB: step 4 then verifies through the public name, the way users arrive."""
        s = self.settings
        return s.dns.record_name if s.load_balancers.certificate_arn else self.alb_dns_name

    def environment(self, topic_arn: pulumi.Input[str]) -> dict[str, pulumi.Input[str]]:
        """Exactly the variables `failover.settings.Settings.from_env` reads: its `to_env()`.

        Each variable waits only for the deploy-time values it is made of, so a preview (and the
        policy pack) sees every other one as text."""
        deploy_time: list[pulumi.Input[Any]] = [self.vpc_id, self.app_subnet_ids, self.verify_host, topic_arn,
                                                self.nlb_target_group_name]
        # Stand-ins no real value contains; which of them a variable holds says what it waits for.
        marks: list[Any] = ["\x00vpc", ["subnet-\x00"], "\x00host", "arn:\x00topic",
                            "\x00tg" if self.nlb_target_group_name is not None else None]

        def env(values: dict[int, Any]) -> dict[str, str]:
            v = [values.get(i, mark) for i, mark in enumerate(marks)]
            return lambda_settings(
                self.settings, vpc_id=v[0], app_subnet_ids=v[1], verify_host=v[2], approval_topic_arn=v[3],
                target_group_name_=v[4],
            ).to_env()

        def variable(key: str, needs: list[int]) -> pulumi.Output[str]:
            def build(got: list[Any]) -> str:
                return env(dict(zip(needs, got, strict=True)))[key]

            return pulumi.Output.all(*(deploy_time[i] for i in needs)).apply(build)

        result: dict[str, pulumi.Input[str]] = {}
        for key, text in env({}).items():
            needs = [i for i in range(len(marks)) if "\x00" in text and _holds(text, marks[i])]
            result[key] = variable(key, needs) if needs else text
        return result


def _holds(text: str, mark: Any) -> bool:
    if mark is None:
        return False
    marks = mark if isinstance(mark, list) else [mark]
    return any(m in text for m in marks)


class FailoverPipeline(pulumi.ComponentResource):
    """Approval topic, event path, six Lambdas, failover and failback state machines."""

    state_machine_arn: pulumi.Output[str]
    failback_state_machine_arn: pulumi.Output[str]
    approval_topic_arn: pulumi.Output[str]
    approval_topic_key_arn: pulumi.Output[str]
    event_bus_arn: pulumi.Output[str]
    observation_rule_arn: pulumi.Output[str]
    dead_letter_queue_arns: pulumi.Output[dict[str, str]]  # rule key (observation, failover) -> ARN
    function_names: pulumi.Output[dict[str, str]]
    approval_page_url: pulumi.Output[str]  # "" when approval.page.enabled is false
    approver_role_arn: pulumi.Output[str]

    def __init__(
        self, name: str, args: FailoverPipelineArgs, opts: Optional[pulumi.ResourceOptions] = None
    ) -> None:
        if opts is None or opts.provider is None:
            raise ValueError(f"{name}: opts.provider must be the DR-region provider")
        if args.alarm_provider is None:
            raise ValueError(f"{name}: args.alarm_provider must be the us-east-1 provider")
        super().__init__("megaticket-dr:failover:Pipeline", name, None, opts)
        s, fo = args.settings, args.settings.failover
        region, dr = s.region, pulumi.ResourceOptions(parent=self, provider=opts.provider)
        tags = {**dict(s.tags), "Component": "failover-pipeline"}
        account = aws.get_caller_identity_output(
            opts=pulumi.InvokeOutputOptions(provider=opts.provider)
        ).account_id
        common: dict[str, Any] = {"prefix": name, "moved_from": self, "tags": tags}

        topic = ApprovalTopic(
            f"{name}-approval",
            ApprovalTopicArgs(
                topic_name=fo.approval_topic_name,
                region=region,
                account=account,
                emails=fo.approvers.emails,
                sms=fo.approvers.sms,
                **common,
            ),
            dr,
        )
        page = self._approval_page(name, args, account, tags, dr)
        lambdas = StepLambdas(
            f"{name}-lambdas",
            StepLambdasArgs(
                lambda_prefix=fo.lambda_prefix,
                timeouts=fo.lambda_timeouts,
                environment=args.environment(topic.topic_arn),
                step_environment={"step0": page[2]} if page else {},
                log_retention_days=args.log_retention_days,
                **common,
            ),
            dr,
        )
        machines = StateMachines(
            f"{name}-machines",
            StateMachinesArgs(
                failover=fo,
                region=region,
                function_arns=lambdas.arns,
                topic_arn=topic.topic_arn,
                topic_key_arn=topic.key_arn,
                heartbeat_seconds=args.heartbeat,
                # The machine that opens the gate runs wherever there is a gate (fast profile): it
                # warms Tokyo beside the approval, from the warm pools when there are any.
                warm_up=args.settings.recovery.approval_gate,
                poll_seconds=args.poll_seconds,
                max_polls=args.max_polls,
                log_retention_days=args.log_retention_days,
                **common,
            ),
            dr,
        )
        self._step_policies(name, args, account, topic, machines, lambdas, dr,
                            page[0].table_arn if page else None)
        self._drill_stopped_rule(name, fo, machines, lambdas, tags, dr)
        self.reports_bucket: Optional[pulumi.Output[str]] = None
        if s.reports.bucket is not None:
            reports = Reports(f"{name}-reports", ReportsArgs(
                bucket_name=s.reports.bucket, lambda_prefix=fo.lambda_prefix,
                machine_name=fo.state_machine_name, machine_arn=machines.failover_arn,
                alarm_name=fo.alarm_name, alarm_region=s.alarm_region, account=account,
                basis_json=args.report_basis_json,
                log_retention_days=args.log_retention_days, tags=tags), dr)
            self.reports_bucket = reports.bucket_name

        bus = aws.cloudwatch.EventBus(f"{name}-bus", name=fo.event_bus_name, tags=tags, opts=dr)
        pattern = json.dumps(event_pattern(fo.alarm_name))
        # Only the Tokyo DLQ gets an alarm: alarm actions must be in the alarm's region, and the
        # approval topic is in Tokyo, so the us-east-1 DLQ is watched by the `event-dlq` depth check
        # (readiness Lambda / `drctl doctor`).
        observation = EventHop(
            f"{name}-observation",
            EventHopArgs(
                rule_name=fo.observation_rule_name,
                pattern=pattern,
                description=f"{fo.alarm_name} in ALARM -> {fo.event_bus_name} ({region})",
                action="events:PutEvents",
                target_id="TokyoEventBus",
                target_arn=bus.arn,
                rule_key="observation",
                role_key="forward",
                **common,
            ),
            pulumi.ResourceOptions(parent=self, provider=args.alarm_provider),
        )
        failover_hop = EventHop(
            f"{name}-start",
            EventHopArgs(
                rule_name=fo.failover_rule_name,
                pattern=pattern,
                description=f"start {fo.state_machine_name} when Seoul's health check alarm fires",
                action="states:StartExecution",
                target_id="FailoverStateMachine",
                target_arn=machines.failover_arn,
                rule_key="failover",
                role_key="start",
                bus_name=bus.name,
                retry_policy={
                    "maximum_event_age_in_seconds": EVENT_TARGET_RETRY_AGE_SECONDS,
                    "maximum_retry_attempts": 10,
                },
                alarm_topic_arn=topic.topic_arn,
                **common,
            ),
            dr,
        )

        self.state_machine_arn = machines.failover_arn
        self.failback_state_machine_arn = machines.failback_arn
        self.approval_topic_arn = topic.topic_arn
        self.approval_topic_key_arn = topic.key_arn
        self.event_bus_arn = bus.arn
        self.observation_rule_arn = observation.rule_arn
        self.dead_letter_queue_arns = pulumi.Output.all(
            observation.dead_letter_queue_arn, failover_hop.dead_letter_queue_arn
        ).apply(lambda a: {"observation": a[0], "failover": a[1]})
        self.approval_page_url = page[1].url if page else pulumi.Output.from_input("")
        self.approver_role_arn = page[1].approver_role_arn if page else pulumi.Output.from_input("")
        self.function_names = pulumi.Output.all(*lambdas.names.values()).apply(
            lambda names: dict(zip(FUNCTIONS, names, strict=True))
        )
        self.register_outputs(
            {
                "state_machine_arn": self.state_machine_arn,
                "failback_state_machine_arn": self.failback_state_machine_arn,
                "approval_topic_arn": self.approval_topic_arn,
                "approval_topic_key_arn": self.approval_topic_key_arn,
                "event_bus_arn": self.event_bus_arn,
                "observation_rule_arn": self.observation_rule_arn,
                "dead_letter_queue_arns": self.dead_letter_queue_arns,
                "function_names": self.function_names,
                "approval_page_url": self.approval_page_url,
                "approver_role_arn": self.approver_role_arn,
            }
        )

    @staticmethod
    def _drill_stopped_rule(name: str, fo: Any, machines: StateMachines, lambdas: StepLambdas,
                            tags: dict[str, str], opts: pulumi.ResourceOptions) -> None:
        """A stopped (ABORTED) or TIMED_OUT execution runs no more states, so its drill cleanup
        cannot: this rule hands the status change to the failback Lambda, which cleans up stopped
        drills from their history and ignores everything else (failover/drill.py)."""
        rule = aws.cloudwatch.EventRule(
            f"{name}-drill-stopped",
            name=drill_rule_name(fo.state_machine_name),
            description="Return Tokyo to idle after a drill execution was stopped or timed out",
            event_pattern=machines.failover_arn.apply(lambda arn: json.dumps(drill_stopped_pattern(arn))),
            tags=tags, opts=opts)
        aws.lambda_.Permission(
            f"{name}-drill-stopped-invoke", action="lambda:InvokeFunction",
            function=lambdas.names["failback"], principal="events.amazonaws.com", source_arn=rule.arn,
            opts=opts)
        aws.cloudwatch.EventTarget(f"{name}-drill-stopped-target", rule=rule.name,
                                   arn=lambdas.arns["failback"], opts=opts)

    @staticmethod
    def _approval_page(
        name: str, args: FailoverPipelineArgs, account: pulumi.Output[str], tags: dict[str, str],
        opts: pulumi.ResourceOptions,
    ) -> Optional[tuple[ApprovalTable, ApprovalPage, dict[str, pulumi.Input[str]]]]:
        """The page, its table and step 0's extra variables; None when `approval.page.enabled` is off.

        Built before the step Lambdas (step 0 needs the URL); the page's IAM names the failover
        machine by its ARN, derived from its name, so nothing waits for the machine."""
        s, fo = args.settings, args.settings.failover
        if not s.approval_page.enabled:
            return None
        table = ApprovalTable(f"{name}-approval-table", fo.lambda_prefix, tags, opts)
        page = ApprovalPage(
            f"{name}-approval-page",
            ApprovalPageArgs(
                page=s.approval_page,
                lambda_prefix=fo.lambda_prefix,
                region=s.region,
                account=account,
                machine_names=(fo.state_machine_name, fo.failback_state_machine_name),
                machine_arn=account.apply(
                    lambda a: f"arn:aws:states:{s.region}:{a}:stateMachine:{fo.state_machine_name}"),
                log_retention_days=args.log_retention_days,
                tags=tags,
            ),
            table,
            opts,
        )
        step0: dict[str, pulumi.Input[str]] = {
            **page_environment(s.approval_page, table_name(fo.lambda_prefix)),
            "APPROVAL_PAGE_URL": page.url,
        }
        return table, page, step0

    @staticmethod
    def _step_policies(
        name: str,
        args: FailoverPipelineArgs,
        account: pulumi.Output[str],
        topic: ApprovalTopic,
        machines: StateMachines,
        lambdas: StepLambdas,
        opts: pulumi.ResourceOptions,
        approval_table_arn: Optional[pulumi.Output[str]] = None,
    ) -> None:
        """Least privilege per step, after the machines: step 0 and failback read the failover machine."""
        s, region = args.settings, args.settings.region
        lbs, lock, gate = s.load_balancers, s.dns.lock, s.recovery.gate
        asgs = (s.app.asg_name, s.web.asg_name)
        tg = target_group_name(lbs.nlb_name)

        def on_account(build: Any) -> pulumi.Output[str]:
            return account.apply(build)

        step1 = on_account(lambda a: iam.elb(region, a, lbs.nlb_name, tg, create=True))
        step2 = pulumi.Output.all(account, args.web_launch_template_id).apply(
            lambda a: iam.launch_template(region, a[0], a[1])
        )
        policies = {
            # With the page, step 0 also writes the one-time id row (task token included).
            "step0": pulumi.Output.all(topic.topic_arn, machines.failover_arn, topic.key_arn,
                                       approval_table_arn).apply(
                lambda a: iam.merged([iam.approval_step(a[0], a[1], a[2], region), iam.drill_stopper(a[1])]
                                     + ([iam.allow("dynamodb:PutItem", a[3])] if a[3] else []))
            ),
            "step1": step1,
            "step2": step2,
            # Step 3 puts the failback lock before it scales the app tier (step 4 re-asserts it).
            # Fast profile: step 3 also finds the standby NLB's target group and writes the gate
            # (failover/facts.py GATE_STEP_ACTIONS).
            "step3": on_account(
                lambda a: iam.merged(
                    [iam.scale(region, a, asgs, detach=False), iam.lock_writer(lock.namespace),
                     *([iam.allow("elasticloadbalancing:DescribeTargetGroups", "*"),
                        iam.gate_writer(gate.namespace, gate.region, a, gate.alarm_name)]
                       if s.recovery.approval_gate else [])]
                )
            ),
            "step4": on_account(lambda a: iam.lock_writer(lock.namespace)),
            "failback": pulumi.Output.all(account, machines.failover_arn, args.web_launch_template_id).apply(
                lambda a: iam.merged(
                    [
                        iam.allow("states:ListExecutions", a[1]),
                        iam.elb(region, a[0], lbs.nlb_name, tg, create=False),
                        iam.scale(region, a[0], asgs, detach=True),
                        iam.launch_template(region, a[0], a[2]),
                        iam.lock_reader(lock.region, a[0], lock.alarm_name),
                        # drills: snapshot and cleanup (failover/drill.py)
                        iam.drill_runner(region, a[0], a[1], a[2]),
                        # failback closes the approval gate (fast profile)
                        *([iam.gate_writer(gate.namespace, gate.region, a[0], gate.alarm_name)]
                          if s.recovery.approval_gate else []),
                    ]
                )
            ),
        }
        for key, doc in policies.items():
            aws.iam.RolePolicy(f"{name}-{key}-policy", role=lambdas.role_ids[key], policy=doc, opts=opts)

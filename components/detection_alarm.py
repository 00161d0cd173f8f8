"""The alarm that detects a Seoul outage: `MegaTicket-Primary-HealthCheck-Alarm` in us-east-1.

Route53 publishes health-check metrics (`AWS/Route53 HealthCheckStatus`, 1 = healthy, 0 =
unhealthy, one point a minute) only in us-east-1, so the alarm must live there: the caller
passes its us-east-1 provider in `opts.provider`, and the alarm also pins `region`, so it lands
in us-east-1 even if a wrong provider is handed in. The EventBridge rule in us-east-1 matches
this alarm's change to ALARM and forwards it to the Tokyo bus.

It watches the *endpoint* health check, never the calculated one: the calculated check also
goes unhealthy while the failback lock is held, and that must not look like a new outage.

Missing data is treated as `missing` (the alarm goes to INSUFFICIENT_DATA, not ALARM):
- `breaching` would start the failover pipeline whenever Route53's points arrive late or the
  health check id is stale (e.g. after the seoul stack recreated its check), sending approvers
  a failover request for an outage that did not happen;
- `notBreaching` would show OK for a health check that no longer exists, so a real outage
  would never be detected - the worst, silent failure.
INSUFFICIENT_DATA is visible (`drctl doctor` and the readiness check report it) and can notify
people through `insufficient_data_actions` without starting the pipeline. While the health
check exists Route53 reports a point every minute, even when the endpoint is down (value 0),
so a real outage always has data.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Optional

import pulumi
import pulumi_aws as aws

from failover.contract import ALARM_REGION
from failover.facts import detection_alarm_shape


@dataclass(frozen=True)
class HealthCheckAlarmArgs:
    alarm_name: str
    health_check_id: pulumi.Input[str]
    region: str = ALARM_REGION
    period: int = 60
    evaluation_periods: int = 1
    alarm_actions: tuple[pulumi.Input[str], ...] = ()
    insufficient_data_actions: tuple[pulumi.Input[str], ...] = ()
    tags: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        # The name comes checked from stack_config; the rest are component parameters.
        if self.health_check_id is None or self.health_check_id == "":
            raise ValueError("health_check_id must be the primary endpoint health check id "
                             "(got nothing)")
        if self.region != ALARM_REGION:
            raise ValueError(f"region must be {ALARM_REGION}: Route53 publishes health-check "
                             f"metrics only there (got {self.region!r})")
        # Route53 health-check metrics have one-minute resolution.
        if isinstance(self.period, bool) or not isinstance(self.period, int) or \
                self.period < 60 or self.period % 60 or self.period > 86400:
            raise ValueError(f"period must be a multiple of 60 seconds up to 86400 "
                             f"(got {self.period!r})")
        if isinstance(self.evaluation_periods, bool) or not isinstance(self.evaluation_periods, int) \
                or not 1 <= self.evaluation_periods <= 10:
            raise ValueError(f"evaluation_periods must be an integer from 1 to 10 "
                             f"(got {self.evaluation_periods!r})")


class HealthCheckAlarm(pulumi.ComponentResource):
    """`AWS/Route53 HealthCheckStatus` Minimum < 1 for the given health check, in us-east-1."""

    alarm_arn: pulumi.Output[str]
    alarm_name: pulumi.Output[str]

    def __init__(self, name: str, args: HealthCheckAlarmArgs,
                 opts: Optional[pulumi.ResourceOptions] = None) -> None:
        if opts is None or opts.provider is None:
            raise ValueError(f"{name}: opts.provider must be the {ALARM_REGION} provider "
                             f"(Route53 health-check metrics exist only in {ALARM_REGION})")
        super().__init__("megaticket-dr:detection:HealthCheckAlarm", name, None, opts)
        shape = detection_alarm_shape()  # what the doctor expects too
        alarm = aws.cloudwatch.MetricAlarm(
            f"{name}-alarm",
            name=args.alarm_name,
            alarm_description="Seoul primary endpoint health check is failing; the state change "
                              "to ALARM starts the Tokyo failover pipeline (with approval).",
            namespace=shape.namespace,
            metric_name=shape.metric_name,
            dimensions={"HealthCheckId": args.health_check_id},
            statistic=shape.statistic,
            period=args.period,
            evaluation_periods=args.evaluation_periods,
            datapoints_to_alarm=args.evaluation_periods,
            threshold=shape.threshold,
            comparison_operator=shape.comparison,
            treat_missing_data=shape.treat_missing_data,
            alarm_actions=list(args.alarm_actions),
            insufficient_data_actions=list(args.insufficient_data_actions),
            region=args.region,
            tags={**dict(args.tags), "Name": args.alarm_name},
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.alarm_arn = alarm.arn
        self.alarm_name = alarm.name
        self.register_outputs({"alarm_arn": self.alarm_arn, "alarm_name": self.alarm_name})

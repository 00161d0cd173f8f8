"""The approval gate in front of the SECONDARY record (fast recovery profile, tokyo stack).

    Tokyo web check (HTTP(S) /api/health on the Tokyo ALB) --+
                                                             +-- calculated (2 of 2) --> SECONDARY
    gate check (CloudWatch alarm ApprovalGate < 1)        --+

The fast pipeline starts Tokyo from its warm pools while the approval is pending, so Tokyo can be
healthy before anyone decided. Route53 would then answer with Tokyo on its own (PRIMARY is
unhealthy), so the SECONDARY record is healthy only when Tokyo's web tier answers AND the gate is
open. The approval opens it (ApprovalGate = 1, us-east-1); a reject, a timeout and a failback
close it (0).

The gate alarm is in ALARM while the gate is closed (failover/facts.py gate_alarm_shape, which the
doctor checks). Route53 reads standard-resolution alarms only, so its period is 60 s; the pipeline
sets the alarm's state when it writes the gate, so it does not wait for the next evaluation
(failover/gate.py). It ignores missing data, so the state persists between the pipeline's writes. A
gate with no data yet (INSUFFICIENT_DATA) counts as closed: `insufficient_data_health_status =
Unhealthy`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Optional

import pulumi
import pulumi_aws as aws

from components.primary_dns import alarm_triggers, endpoint_probe
from components.secondary_dns import require_input
from failover import facts
from stack_config import GateSettings, HealthCheckSettings


@dataclass(frozen=True)
class ApprovalGateArgs:
    record_name: str
    tokyo_alb_dns_name: pulumi.Input[str]  # what Tokyo's web check probes
    health_check: HealthCheckSettings
    gate: GateSettings
    alarm_provider: pulumi.ProviderResource  # for gate.region (us-east-1)
    alb_has_certificate: Optional[bool] = None
    tags: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        require_input(self.tokyo_alb_dns_name, "tokyo_alb_dns_name", "the Tokyo ALB DNS name")


class ApprovalGate(pulumi.ComponentResource):
    """Tokyo's web check AND the approval gate, as one calculated health check id."""

    health_check_id: pulumi.Output[str]
    gate_alarm_name: pulumi.Output[str]

    def __init__(self, name: str, args: ApprovalGateArgs,
                 opts: Optional[pulumi.ResourceOptions] = None) -> None:
        super().__init__("megaticket-dr:dns:ApprovalGate", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        tags = dict(args.tags)
        probe = endpoint_probe(args.health_check, args.alb_has_certificate)
        web = aws.route53.HealthCheck(
            f"{name}-tokyo-web",
            type=probe.type,
            fqdn=args.tokyo_alb_dns_name,
            port=probe.port,
            resource_path=probe.path,
            request_interval=args.health_check.interval,
            failure_threshold=args.health_check.failure_threshold,
            enable_sni=True if probe.type == "HTTPS" else None,
            tags={**tags, "Name": f"{args.record_name} Tokyo web"},
            opts=child,
        )
        gate = args.gate
        shape = facts.gate_alarm_shape(gate.namespace, gate.metric_name)
        alarm = aws.cloudwatch.MetricAlarm(
            f"{name}-alarm",
            name=gate.alarm_name,
            alarm_description=(
                f"Approval gate: ALARM while {gate.namespace} {gate.metric_name} < 1 keeps the "
                f"SECONDARY record of {args.record_name} unhealthy; the failover approval opens it"),
            namespace=shape.namespace,
            metric_name=shape.metric_name,
            statistic=shape.statistic,
            period=facts.GATE_ALARM_PERIOD_SECONDS,
            evaluation_periods=1,
            datapoints_to_alarm=1,
            threshold=shape.threshold,
            comparison_operator=shape.comparison,
            treat_missing_data=shape.treat_missing_data,
            region=gate.region,
            tags={**tags, "Name": gate.alarm_name},
            opts=pulumi.ResourceOptions(parent=self, provider=args.alarm_provider),
        )
        gate_check = aws.route53.HealthCheck(
            f"{name}-gate",
            type="CLOUDWATCH_METRIC",
            cloudwatch_alarm_name=alarm.name,
            cloudwatch_alarm_region=gate.region,
            insufficient_data_health_status="Unhealthy",
            # As for the lock check: an edited gate alarm (e.g. a new lock.namespace, which the
            # gate shares) must reach Route53, or the gate would stay Unhealthy after approval.
            triggers=alarm_triggers(alarm),
            tags={**tags, "Name": f"{args.record_name} approval gate"},
            opts=child,
        )
        calculated = aws.route53.HealthCheck(
            f"{name}-calculated",
            type="CALCULATED",
            child_healthchecks=[web.id, gate_check.id],
            child_health_threshold=2,
            tags={**tags, "Name": f"{args.record_name} secondary (Tokyo web AND gate open)"},
            opts=child,
        )
        self.health_check_id = calculated.id
        self.gate_alarm_name = alarm.name
        self.register_outputs({"health_check_id": self.health_check_id,
                               "gate_alarm_name": self.gate_alarm_name})

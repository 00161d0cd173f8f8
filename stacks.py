"""What each stack declares: the primary (seoul) and the pilot light (tokyo).

Both stacks share the tier layout (network, Golden AMI, instance role, ALB, NLB, web and app
tiers); they differ in who owns the data and DNS, and only the DR stack carries the failover
pipeline. Settings arrive already validated (`stack_config`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Optional

import pulumi
import pulumi_aws as aws

from components.app_nlb import AppNlb, AppNlbArgs
from components.approval_gate import ApprovalGate, ApprovalGateArgs
from components.detection_alarm import HealthCheckAlarm, HealthCheckAlarmArgs
from components.failover_pipeline import FailoverPipeline, FailoverPipelineArgs
from components.global_tables import GlobalTables, GlobalTablesArgs
from components.golden_ami import GoldenAmi, GoldenAmiArgs
from components.hosted_zone import hosted_zone_id
from components.instance_role import InstanceRole, InstanceRoleArgs
from components.network import Network, NetworkArgs
from components.pipeline_nlb import pipeline_nlb_dns
from components.primary_dns import PrimaryDns, PrimaryDnsArgs
from components.readiness import Readiness, ReadinessArgs
from components.secondary_dns import SecondaryDns, SecondaryDnsArgs
from components.tier import Tier, TierArgs
from components.web_alb import WebAlb, WebAlbArgs
from day_two import IDENTITY_OUTPUT, guarded_identity
from drctl.config import stack_info
from drctl.report_data import basis_for
from failover.contract import NLB_ON_FAILOVER, READINESS_FUNCTION, function_name
from failover.facts import public_url
from stack_config import Settings
from stack_config.derive import check_settings_for
from stack_contract import read_primary
from userdata.render import (
    AppUserData,
    WebUserData,
    internal_api_url,
    render_app,
    render_web,
)


@dataclass(frozen=True)
class Providers:
    home: aws.Provider  # the stack's own region
    alarm: aws.Provider  # us-east-1, where Route53 publishes health-check metrics


@dataclass(frozen=True)
class Tiers:
    network: Network
    alb: WebAlb
    nlb: Optional[AppNlb]
    web: Tier
    app: Tier
    image_id: pulumi.Output[str]
    image_build: pulumi.Output[str]  # the Build tag of that image (read from it in the primary)


def regional_providers(settings: Settings) -> Providers:
    def provider(name: str, region: str) -> aws.Provider:
        return aws.Provider(name, region=region, default_tags={"tags": dict(settings.tags)})

    return Providers(home=provider(settings.region, settings.region),
                     alarm=provider(settings.alarm_region, settings.alarm_region))


def _declare_tiers(settings: Settings, providers: Providers, table_names: pulumi.Input[Mapping[str, str]],
                   source_ami_id: Optional[pulumi.Input[str]], ami_build: pulumi.Input[str]) -> Tiers:
    home = pulumi.ResourceOptions(provider=providers.home)
    tags = dict(settings.tags)
    net = settings.network
    network = Network("network", NetworkArgs(
        name_prefix=settings.name_prefix, cidr=net.cidr,
        vpc_id=net.vpc_id, public_subnet_ids=net.public_subnet_ids,
        private_subnet_ids=net.private_subnet_ids, nat_gateway=net.nat_gateway,
        interface_endpoints=net.interface_endpoints, region=settings.region, tags=tags), home)
    ami = GoldenAmi("golden-ami", GoldenAmiArgs(
        name=settings.ami.name, existing_id=settings.ami.id,
        source_id=settings.ami.source_id or source_ami_id, source_region=settings.ami.source_region,
        build=settings.ami.build or ami_build, read_build=not settings.is_dr, tags=tags), home)
    identity = aws.get_caller_identity_output(opts=pulumi.InvokeOutputOptions(provider=providers.home))
    role = InstanceRole("instance-role", InstanceRoleArgs(
        role_name_prefix=settings.name_prefix, region=settings.region,
        account_id=identity.account_id, table_names=table_names, tags=tags), home)

    lbs = settings.load_balancers
    alb = WebAlb("web-alb", WebAlbArgs(
        alb_name=lbs.alb_name, vpc_id=network.vpc_id, subnet_ids=network.public_subnet_ids,
        port=settings.web.port, health_path=settings.dns.health_check.path,
        certificate_arn=lbs.certificate_arn, deletion_protection=lbs.deletion_protection,
        target_health_interval=settings.recovery.target_health_interval, tags=tags), home)
    # In mode on-failover the failover pipeline creates the NLB and fills the placeholder; the
    # program declares the NLB's name once it exists, so an up after a failover keeps it.
    on_failover = settings.is_dr and lbs.nlb_mode == NLB_ON_FAILOVER
    nlb = None if on_failover else AppNlb("app-nlb", AppNlbArgs(
        nlb_name=lbs.nlb_name, vpc_id=network.vpc_id, subnet_ids=network.private_subnet_ids,
        port=settings.app.port, health_path=settings.dns.health_check.path, tags=tags), home)
    nlb_dns: pulumi.Output[str] = nlb.dns_name if nlb else pipeline_nlb_dns(lbs.nlb_name, providers.home)

    if lbs.certificate_arn is None:
        # The doctor's web check and Route53 follow the listener: without a certificate users and
        # probes get plain HTTP, which the operator should choose knowingly.
        pulumi.log.warn(f"{lbs.alb_name} has no certificate (megaticket-dr:alb.certificateArn), so the "
                        f"public site is HTTP-only: {public_url(settings.dns.record_name, False)}")
    web_cfg, app_cfg = settings.web, settings.app
    web_user_data = nlb_dns.apply(lambda dns: render_web(WebUserData(
        region=settings.region, internal_api_url=internal_api_url(dns, app_cfg.port),
        app_dir=web_cfg.app_dir, pm2_name=web_cfg.pm2_name, env_file=web_cfg.env_file, port=web_cfg.port)))
    app_user_data = pulumi.Output.from_input(table_names).apply(lambda names: render_app(AppUserData(
        region=settings.region, port=app_cfg.port, tables=dict(names), recovery_mode=settings.recovery_mode,
        app_dir=app_cfg.app_dir, pm2_name=app_cfg.pm2_name, env_file=app_cfg.env_file)))

    def tier(cfg: Any, user_data: pulumi.Input[str], subnets: pulumi.Input[list[str]],
             target_groups: list[pulumi.Input[str]], **ingress: Any) -> Tier:
        return Tier(f"{cfg.role}-tier", TierArgs(
            role=cfg.role, launch_template_name=cfg.launch_template_name, asg_name=cfg.asg_name,
            image_id=ami.image_id, instance_type=cfg.instance_type, user_data=user_data,
            instance_profile_arn=role.instance_profile_arn, vpc_id=network.vpc_id, subnet_ids=subnets,
            port=cfg.port, target_group_arns=target_groups, capacity=cfg.capacity,
            pilot_light=settings.is_dr, health_check_grace_seconds=cfg.health_check_grace_seconds,
            nlb_mode_marker=NLB_ON_FAILOVER if on_failover and cfg.role == "web" else None,
            warm_pool_size=settings.recovery.warm_pool_size(cfg) or None,
            recovery_profile=settings.recovery.profile if settings.is_dr else None,
            tags=tags, **ingress), home)

    app = tier(app_cfg, app_user_data, network.private_subnet_ids,
               [nlb.target_group_arn] if nlb else [], ingress_cidr=network.vpc_cidr)
    web = tier(web_cfg, web_user_data, network.private_subnet_ids, [alb.target_group_arn],
               ingress_security_group_id=alb.security_group_id)
    return Tiers(network=network, alb=alb, nlb=nlb, web=web, app=app, image_id=ami.image_id,
                 image_build=ami.build)


def _tier_outputs(tiers: Tiers) -> dict[str, Any]:
    return {
        "albDnsName": tiers.alb.dns_name,
        "albZoneId": tiers.alb.zone_id,
        "nlbDnsName": tiers.nlb.dns_name if tiers.nlb else None,
        "goldenAmiId": tiers.image_id,
        "webLaunchTemplateName": tiers.web.launch_template_name,
        "appLaunchTemplateName": tiers.app.launch_template_name,
        "webAsgName": tiers.web.asg_name,
        "appAsgName": tiers.app.asg_name,
    }


def declare_primary(settings: Settings, providers: Providers) -> dict[str, Any]:
    home = pulumi.ResourceOptions(provider=providers.home)
    tables = GlobalTables("tables", GlobalTablesArgs(
        table_prefix=settings.data.table_prefix, tables=settings.data.tables,
        replica_regions=(settings.dr_region,), tags=dict(settings.tags)), home)
    tiers = _declare_tiers(settings, providers, tables.table_names, None, settings.ami.build or "unknown")
    zone_id = hosted_zone_id(settings.dns.domain, settings.dns.hosted_zone_id, providers.home)
    dns = PrimaryDns("primary-dns", PrimaryDnsArgs(
        record_name=settings.dns.record_name, hosted_zone_id=zone_id, alb_dns_name=tiers.alb.dns_name,
        alb_zone_id=tiers.alb.zone_id, endpoint_fqdn=tiers.alb.dns_name,
        health_check=settings.dns.health_check, lock=settings.dns.lock, alarm_provider=providers.alarm,
        endpoint_has_certificate=settings.load_balancers.certificate_arn is not None,
        tags=dict(settings.tags)), home)
    return {
        "primaryRegion": settings.region,
        "recoveryProfile": settings.recovery.profile,
        **_tier_outputs(tiers),
        # Read from the image itself (its Build tag), not the typed setting: what Seoul boots.
        "goldenAmiBuild": tiers.image_build,
        "healthCheckId": dns.health_check_id,
        "detectionHealthCheckId": dns.detection_health_check_id,
        "calculatedHealthCheckId": dns.calculated_health_check_id,
        "hostedZoneId": zone_id,
        "tableNames": tables.table_names,
        "tableArns": tables.table_arns,
        IDENTITY_OUTPUT: guarded_identity(settings),
    }


def declare_dr(settings: Settings, providers: Providers) -> dict[str, Any]:
    home = pulumi.ResourceOptions(provider=providers.home)
    primary = read_primary(settings, needs_ami=not (settings.ami.id or settings.ami.source_id))
    tiers = _declare_tiers(settings, providers, primary.table_names, primary.golden_ami_id,
                           primary.golden_ami_build)
    zone_id = hosted_zone_id(settings.dns.domain, settings.dns.hosted_zone_id, providers.home)
    approval_gate = None
    if settings.recovery.approval_gate:
        approval_gate = ApprovalGate("approval-gate", ApprovalGateArgs(
            record_name=settings.dns.record_name, tokyo_alb_dns_name=tiers.alb.dns_name,
            health_check=settings.dns.health_check, gate=settings.recovery.gate,
            alarm_provider=providers.alarm,
            alb_has_certificate=settings.load_balancers.certificate_arn is not None,
            tags=dict(settings.tags)), home)
    dns = SecondaryDns("secondary-dns", SecondaryDnsArgs(
        record_name=settings.dns.record_name, hosted_zone_id=zone_id, alb_dns_name=tiers.alb.dns_name,
        alb_zone_id=tiers.alb.zone_id,
        health_check_id=approval_gate.health_check_id if approval_gate else None), home)
    alarm = HealthCheckAlarm("detection-alarm", HealthCheckAlarmArgs(
        alarm_name=settings.failover.alarm_name, health_check_id=primary.detection_health_check_id,
        region=settings.alarm_region, tags=dict(settings.tags)),
        pulumi.ResourceOptions(provider=providers.alarm))
    pipeline = _declare_pipeline(settings, providers, tiers)
    if settings.readiness.enabled:
        # The copy's source and build, from seoul (the copy is tagged with them), unless ami.id
        # names an AMI already in Tokyo: then there is no copy and nothing to compare.
        copied = not settings.ami.id
        Readiness("readiness", ReadinessArgs(
            checks=check_settings_for(settings), approval_topic_arn=pipeline.approval_topic_arn,
            state_machine_arn=pipeline.state_machine_arn,
            function_name=function_name(settings.failover.lambda_prefix, READINESS_FUNCTION),
            schedule=settings.readiness.schedule, timeout=settings.failover.lambda_timeouts.readiness,
            health_check_id=primary.health_check_id, golden_ami_id=tiers.image_id,
            primary_ami_id=(settings.ami.source_id or primary.golden_ami_id) if copied else None,
            expected_build=(settings.ami.build or primary.golden_ami_build) if copied else None,
            tags=dict(settings.tags)), home)
    return {
        "drRegion": settings.region,
        "recoveryProfile": settings.recovery.profile,
        **_tier_outputs(tiers),
        "recordFqdn": dns.fqdn,
        "detectionAlarmName": alarm.alarm_name,
        "tableNames": primary.table_names,
        "stateMachineArn": pipeline.state_machine_arn,
        "failbackStateMachineArn": pipeline.failback_state_machine_arn,
        "approvalTopicArn": pipeline.approval_topic_arn,
        "eventBusArn": pipeline.event_bus_arn,
        IDENTITY_OUTPUT: guarded_identity(settings),
    }


def _declare_pipeline(settings: Settings, providers: Providers, tiers: Tiers) -> FailoverPipeline:
    return FailoverPipeline("failover", FailoverPipelineArgs(
        settings=settings, alarm_provider=providers.alarm, vpc_id=tiers.network.vpc_id,
        app_subnet_ids=tiers.network.private_subnet_ids, alb_dns_name=tiers.alb.dns_name,
        web_launch_template_id=tiers.web.launch_template_id,
        nlb_target_group_name=tiers.nlb.target_group_name if tiers.nlb else None,
        report_basis_json=basis_for(stack_info(settings.stack, settings)).to_json() if settings.reports.bucket
        else "",
    ), pulumi.ResourceOptions(provider=providers.home))

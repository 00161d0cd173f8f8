"""Every wrong stack setting stops the program with one line naming the key, the value and the form."""

from __future__ import annotations

from pathlib import Path

import pulumi
import pytest

from stack_config import (
    ConfigError,
    apply_overrides,
    load_settings,
    settings_for_stack,
    stack_file_values,
)

ROOT = Path(__file__).resolve().parent.parent


def tokyo(*assignments: str, drop: tuple[str, ...] = ()) -> dict[str, str]:
    values = apply_overrides(stack_file_values(ROOT, "tokyo"), list(assignments))
    return {k: v for k, v in values.items() if k not in drop}


BAD_INPUTS = [
    # (what is wrong, assignments, the one line expected)
    ('interval not 10/30', ['healthCheck.interval=15'],
     'megaticket-dr:healthCheck.interval must be 10 or 30 (got 15)'),
    ('threshold above 10', ['healthCheck.failureThreshold=11'],
     'megaticket-dr:healthCheck.failureThreshold must be an integer from 1 to 10 (got 11)'),
    ('threshold zero', ['healthCheck.failureThreshold=0'],
     'megaticket-dr:healthCheck.failureThreshold must be an integer from 1 to 10 (got 0)'),
    ('unknown role', ['role=backup'],
     'megaticket-dr:role must be "primary" or "dr" (got "backup")'),
    ('wrong aws region', ['aws:region=ap-northeast-3'],
     'aws:region must be ap-northeast-1 for a dr stack (got "ap-northeast-3")'),
    ('dr region not a region', ['drRegion=tokyo'],
     'megaticket-dr:drRegion must be an AWS region such as "ap-northeast-1" (one of botocore\'s partitions.json) (got "tokyo")'),
    ('dr region equals primary', ['drRegion=ap-northeast-2'],
     'megaticket-dr:drRegion must be a region other than primaryRegion (ap-northeast-2) (got "ap-northeast-2")'),
    ('alarm region not us-east-1', ['alarmRegion=ap-northeast-1'],
     'megaticket-dr:alarmRegion must be "us-east-1" (got "ap-northeast-1")'),
    ('port out of range', ['app.port=70000'],
     'megaticket-dr:app.port must be an integer from 1024 to 65535 (got 70000)'),
    ('port not a number', ['web.port=http'],
     'megaticket-dr:web.port must be an integer from 1024 to 65535 (got "http")'),
    ('ttl above 60', ['dns.ttl=600'],
     'megaticket-dr:dns.ttl must be an integer from 1 to 60 (got 600)'),
    ('table prefix with spaces', ['tablePrefix=KDT Msp4'],
     'megaticket-dr:tablePrefix must be a DynamoDB table name: 3-242 letters, digits, _ . or - (tables are <prefix>-<suffix>) (got "KDT Msp4")'),
    ('email without @', ['approvers.emails=["ops.example.com"]'],
     'megaticket-dr:approvers.emails must be a list of email addresses such as "ops@example.com" (got "ops.example.com")'),
    ('sms not E.164', ['approvers.sms=["010-1234-5678"]'],
     'megaticket-dr:approvers.sms must be a list of E.164 phone numbers such as "+821012345678" (got "010-1234-5678")'),
    ('only one approval channel', ['approvers.sms=[]'],
     'megaticket-dr:approvers must be at least one email and one SMS number in the DR stack (got {"emails": ["dr-oncall@example.com"], "sms": []})'),
    ('negative capacity', ['web.failoverCapacity.min=-1'],
     'megaticket-dr:web.failoverCapacity.min must be an integer from 1 to 100 (got -1)'),
    ('min above max', ['app.failoverCapacity.min=3'],
     'megaticket-dr:app.failoverCapacity.min must be at most app.failoverCapacity.max (2) (got 3)'),
    ('desired outside min..max', ['app.failoverCapacity.desired=5'],
     'megaticket-dr:app.failoverCapacity.desired must be between min (1) and max (2) (got 5)'),
    ('pilot light not idle', ['web.capacity.desired=1', 'web.capacity.min=1'],
     'megaticket-dr:web.capacity.desired must be 0 in the DR stack (the failover pipeline scales it) (got 1)'),
    ('unknown NLB mode', ['nlb.mode=lazy'],
     'megaticket-dr:nlb.mode must be "standby" or "on-failover" (got "lazy")'),
    ('unknown timeout action', ['failover.approvalTimeoutAction=retry'],
     'megaticket-dr:failover.approvalTimeoutAction must be "fail" or "proceed" (got "retry")'),
    ('approval timeout too short', ['failover.approvalTimeoutSeconds=5'],
     'megaticket-dr:failover.approvalTimeoutSeconds must be an integer from 60 to 604800 (got 5)'),
    ('heartbeat not below timeout', ['failover.approvalHeartbeatSeconds=3600'],
     'megaticket-dr:failover.approvalHeartbeatSeconds must be less than approvalTimeoutSeconds (3600) (got 3600)'),
    ('asg name with spaces', ['web.asgName=MegaTicket DR Web'],
     'megaticket-dr:web.asgName must be an Auto Scaling group name: 1-255 letters, digits, . _ or - (got "MegaTicket DR Web")'),
    ('domain with upper case and no tld', ['domain=PilotLight'],
     'megaticket-dr:domain must be a lower-case DNS name such as "pilotlight-test.click" (got "PilotLight")'),
    ('record outside the domain', ['dns.recordName=example.com'],
     'megaticket-dr:dns.recordName must be pilotlight-test.click or a name under it (got "example.com")'),
    ('ami id malformed', ['ami.id=ami-123'],
     'megaticket-dr:ami.id must be an AMI id such as "ami-0abc1234def567890" (got "ami-123")'),
    ('relative app dir', ['web.appDir=megaticket/apps/web'],
     'megaticket-dr:web.appDir must be an absolute directory path of letters, digits, . _ - (no \'.\' or \'..\' segments) (got "megaticket/apps/web")'),
    ('pm2 name with shell characters', ['app.pm2Name=app;rm -rf /'],
     'megaticket-dr:app.pm2Name must be a PM2 process name: 1-64 letters, digits, . _ -, starting with a letter or digit (got "app;rm -rf /")'),
    ('subnets without vpc', ['network.privateSubnetIds=["subnet-0abc1234"]'],
     'megaticket-dr:network.vpcId must be set when subnet ids are given (got nothing)'),
    ('one subnet only', ['network.vpcId=vpc-0abc1234', 'network.publicSubnetIds=["subnet-0abc1234"]', 'network.privateSubnetIds=["subnet-0abc1235","subnet-0abc1236"]'],
     'megaticket-dr:network.publicSubnetIds must be at least two subnet ids (two AZs) when vpcId is set (got ["subnet-0abc1234"])'),
    ('cidr too small', ['network.cidr=10.0.0.0/28'],
     'megaticket-dr:network.cidr must be an IPv4 network from /16 to /24 with no host bits set, such as 10.20.0.0/16 (got "10.0.0.0/28")'),
    ('deletion protection not boolean', ['alb.deletionProtection=maybe'],
     'megaticket-dr:alb.deletionProtection must be true or false (got "maybe")'),
    ('certificate not an ACM arn', ['alb.certificateArn=my-cert'],
     'megaticket-dr:alb.certificateArn must be an ACM certificate ARN (arn:aws:acm:<region>:<account>:certificate/<id>) (got "my-cert")'),
    ('https probe without a certificate', ['healthCheck.protocol=HTTPS'],
     'megaticket-dr:healthCheck.protocol must be "HTTP" unless alb.certificateArn is set'),
    ('http probe on the redirecting port', ['healthCheck.protocol=HTTP', 'alb.certificateArn=arn:aws:acm:ap-northeast-1:000000000000:certificate/00000000-0000-0000-0000-000000000000'],
     'megaticket-dr:healthCheck.protocol must be "HTTPS" when alb.certificateArn is set'),
    ('topic name with a dot', ['failover.approvalTopicName=stfc.topic'],
     'megaticket-dr:failover.approvalTopicName must be an SNS topic name: 1-250 letters, digits, _ or - (its KMS key alias is alias/<name>) (got "stfc.topic")'),
    ('lambda prefix too long for its functions', ['failover.lambdaPrefix=xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx'],
     'megaticket-dr:failover.lambdaPrefix must be a Lambda function name: 1-54 letters, digits, _ or - (functions are <prefix>-readiness and shorter) (got "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx")'),
    ('misspelt key', ['healthcheck.interval=30'],
     'megaticket-dr:healthcheck must be one of the known keys of megaticket-dr'),
    ('misspelt nested key', ['healthCheck.intervall=30'],
     'megaticket-dr:healthCheck.intervall must be one of the known keys of healthCheck (failureThreshold, interval, path, port, protocol) (got 30)'),
    ('section not an object', ['nlb=standby'],
     'megaticket-dr:nlb must be an object (got "standby")'),
    ('readiness schedule not an expression', ['readiness.schedule=every hour'],
     'megaticket-dr:readiness.schedule must be an EventBridge schedule such as "rate(30 minutes)" (rate above zero, "minute" only for 1) or "cron(0/30 * * * ? *)" (six fields, "?" in day-of-month or day-of-week) (got "every hour")'),
    ("lambda timeout beyond Lambda's limit", ['failover.lambdaTimeouts.nlb=1200'],
     'megaticket-dr:failover.lambdaTimeouts.nlb must be an integer from 120 to 900 (what the step1 Lambda needs; Lambda allows at most 900) (got 1200)'),
    ('primary stack name malformed', ['primaryStack=org/proj/stack/extra'],
     'megaticket-dr:primaryStack must be a stack name such as "organization/megaticket-dr/seoul" (got "org/proj/stack/extra")'),
]


@pytest.mark.parametrize("what, assignments, expected", BAD_INPUTS, ids=[b[0] for b in BAD_INPUTS])
def test_bad_setting_is_rejected_with_one_line_naming_key_value_and_form(what, assignments, expected):
    with pytest.raises(ConfigError) as caught:
        load_settings(tokyo(*assignments), "tokyo")
    message = str(caught.value)
    assert "\n" not in message
    assert message.startswith(expected), message


def test_missing_aws_region_is_named():
    with pytest.raises(ConfigError, match=r"^aws:region must be ap-northeast-1 for a dr stack \(got nothing\)$"):
        load_settings(tokyo(drop=("aws:region",)), "tokyo")


def test_config_error_is_a_run_error_so_the_cli_prints_no_traceback():
    assert issubclass(ConfigError, pulumi.RunError)


def test_stack_files_load_with_document_defaults():
    tokyo_settings = settings_for_stack(ROOT, "tokyo")
    seoul_settings = settings_for_stack(ROOT, "seoul")
    assert (tokyo_settings.role, tokyo_settings.region) == ("dr", "ap-northeast-1")
    assert (seoul_settings.role, seoul_settings.region) == ("primary", "ap-northeast-2")
    assert tokyo_settings.data.table_names == {
        "performances": "KDT-Msp4-PLDR-performances", "reservations": "KDT-Msp4-PLDR-reservations",
        "schedules": "KDT-Msp4-PLDR-schedules", "venues": "KDT-Msp4-PLDR-venues"}
    assert (tokyo_settings.web.pm2_name, tokyo_settings.app.pm2_name) == ("web-frontend", "app-backend")
    assert (tokyo_settings.web.port, tokyo_settings.app.port) == (3000, 3001)
    assert tokyo_settings.app.app_dir == "/home/ec2-user/megaticket/apps/app"
    assert tokyo_settings.load_balancers.nlb_name == "MegaTicket-DR-NLB"
    assert (tokyo_settings.web.asg_name, tokyo_settings.app.asg_name) == (
        "MegaTicket-DR-Web-ASG", "MegaTicket-DR-App-ASG")
    assert tokyo_settings.failover.state_machine_name == "stfc-stepfunction-dev-an1"
    assert tokyo_settings.failover.approval_topic_name == "stfc-topic-dev-an1-approval"
    assert tokyo_settings.failover.alarm_name == "MegaTicket-Primary-HealthCheck-Alarm"
    assert (tokyo_settings.dns.health_check.interval, tokyo_settings.dns.health_check.failure_threshold) == (30, 3)
    assert tokyo_settings.web.capacity.desired == 0 and tokyo_settings.web.failover_capacity.desired == 1
    assert tokyo_settings.recovery_mode and not seoul_settings.recovery_mode
    assert tokyo_settings.failover.approvers.emails and tokyo_settings.failover.approvers.sms


def test_set_reaches_nested_values_like_pulumi_config_set_path():
    settings = load_settings(tokyo("healthCheck.interval=10", "nlb.mode=on-failover"), "tokyo")
    assert settings.dns.health_check.interval == 10
    assert settings.dns.health_check.failure_threshold == 3  # the rest of the object is kept
    assert settings.load_balancers.nlb_mode == "on-failover"


def test_malformed_set_is_rejected_with_the_expected_form():
    with pytest.raises(ConfigError, match=r"^--set must be key=value such as healthCheck.interval=10"):
        apply_overrides({}, ["healthCheck.interval"])


def test_unknown_stack_names_the_known_ones():
    with pytest.raises(ConfigError, match=r'^stack must be one of seoul, tokyo \(got "osaka"\)'):
        stack_file_values(ROOT, "osaka")


def test_the_program_stops_before_declaring_anything_on_a_bad_setting():
    from tests.conftest import run_program

    with pytest.raises(ConfigError, match=r"healthCheck.interval must be 10 or 30 \(got 15\)"):
        run_program("tokyo", overrides=["healthCheck.interval=15"])

"""A compliant slice of each stack, resource by resource, as the engine would send it.

Used to prove that no rule reports on good input, and that replacing any single value with the
engine's unknown marker (preview) or an offline-preview placeholder never creates a violation.
"""

from __future__ import annotations

import json

from policies.analyzer_harness import AnalyzedResource
from tests.policies.resources import (
    ALARM,
    ASG,
    LAMBDA,
    RECORD,
    SEOUL,
    STATE_MACHINE,
    SUBSCRIPTION,
    TABLE,
    TOKYO,
    TOPIC,
    VIRGINIA,
    launch_template,
    resource,
    web_user_data,
)

APP_USER_DATA = (
    "#!/bin/bash\nexport AWS_REGION=ap-northeast-1\nexport PORT=3001\n"
    "export DYNAMODB_RESERVATIONS_TABLE=KDT-Msp4-PLDR-reservations\nexport DR_RECOVERY_MODE=true\n"
)
APPROVAL_DEFINITION = json.dumps(
    {
        "StartAt": "Approve",
        "States": {
            "Approve": {
                "Type": "Task",
                "Resource": "arn:aws:states:::lambda:invoke.waitForTaskToken",
                "TimeoutSeconds": 3600,
                "Next": "UpdateLaunchTemplate",
            },
            "UpdateLaunchTemplate": {
                "Type": "Task",
                "Resource": "arn:aws:states:::lambda:invoke",
                "Parameters": {
                    "FunctionName": "stfc-lambda-dev-step2",
                    "Payload": {"launchTemplateVersion": "$Latest"},
                },
                "End": True,
            },
        },
    }
)


def tokyo_resources() -> list[AnalyzedResource]:
    nlb = "http://⟨MegaTicket-DR-NLB.dnsName⟩:3001"
    return [
        launch_template(web_user_data(TOKYO, nlb)),
        launch_template(APP_USER_DATA, name="MegaTicket-DR-App-LT"),
        resource(
            ASG,
            "MegaTicket-DR-Web-ASG",
            {
                "name": "MegaTicket-DR-Web-ASG",
                "minSize": 0,
                "maxSize": 2,
                "desiredCapacity": 0,
                "launchTemplate": {"id": "⟨MegaTicket-DR-Web-LT.id⟩", "version": "$Latest"},
            },
            options={"ignoreChanges": ["desiredCapacity"]},
        ),
        resource(
            RECORD,
            "secondary",
            {
                "name": "pilotlight-test.click",
                "type": "A",
                "setIdentifier": "tokyo",
                "failoverRoutingPolicies": [{"type": "SECONDARY"}],
                "aliases": [
                    {
                        "name": "⟨MegaTicket-DR-ALB.dnsName⟩",
                        "zoneId": "⟨MegaTicket-DR-ALB.zoneId⟩",
                        "evaluateTargetHealth": True,
                    }
                ],
            },
        ),
        resource(
            ALARM,
            "detection",
            {
                "name": "MegaTicket-Primary-HealthCheck-Alarm",
                "namespace": "AWS/Route53",
                "metricName": "HealthCheckStatus",
                "threshold": 1,
            },
            region=VIRGINIA,
        ),
        resource(TOPIC, "approval", {"name": "stfc-topic-dev-an1-approval"}),
        resource(
            SUBSCRIPTION,
            "approval-email",
            {
                "protocol": "email",
                "endpoint": "oncall@example.com",
                "topic": "⟨stfc-topic-dev-an1-approval.arn⟩",
            },
        ),
        resource(
            SUBSCRIPTION,
            "approval-sms",
            {"protocol": "sms", "endpoint": "+821012345678", "topic": "⟨stfc-topic-dev-an1-approval.arn⟩"},
        ),
        resource(
            STATE_MACHINE, "machine", {"name": "stfc-stepfunction-dev-an1", "definition": APPROVAL_DEFINITION}
        ),
        resource(
            LAMBDA,
            "step1",
            {
                "name": "stfc-lambda-dev-step1",
                "timeout": 300,
                "environment": {
                    "variables": {"WEB_LAUNCH_TEMPLATE_ID": "lt-1", "LAUNCH_TEMPLATE_VERSION": "$Latest"}
                },
            },
        ),
    ]


def seoul_resources() -> list[AnalyzedResource]:
    return [
        resource(
            TABLE,
            "reservations",
            {
                "name": "KDT-Msp4-PLDR-reservations",
                "streamEnabled": True,
                "pointInTimeRecovery": {"enabled": True},
                "replicas": [{"regionName": TOKYO, "pointInTimeRecovery": True}],
            },
            region=SEOUL,
        ),
        resource(
            RECORD,
            "primary",
            {
                "name": "pilotlight-test.click",
                "type": "A",
                "setIdentifier": "seoul",
                "failoverRoutingPolicies": [{"type": "PRIMARY"}],
                "healthCheckId": "⟨calculated.id⟩",
                "aliases": [
                    {
                        "name": "⟨MegaTicket-ALB.dnsName⟩",
                        "zoneId": "⟨MegaTicket-ALB.zoneId⟩",
                        "evaluateTargetHealth": True,
                    }
                ],
            },
            region=SEOUL,
        ),
        launch_template(
            web_user_data(SEOUL, "http://MegaTicket-NLB-9f.elb.ap-northeast-2.amazonaws.com:3001"),
            name="MegaTicket-Web-LT",
            region=SEOUL,
        ),
    ]

"""A compliant slice of each stack, resource by resource, as the engine would send it.

Used to prove that no rule reports on good input, and that replacing any single value with the
engine's unknown marker (preview) never creates a violation. Values AWS assigns are written as the
engine sends them after create (`pulumi up`): real-looking ids, ARNs and DNS names.
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
    nlb = "http://MegaTicket-DR-NLB-0a1b2c3d4e5f6a7b.elb.ap-northeast-1.amazonaws.com:3001"
    topic_arn = "arn:aws:sns:ap-northeast-1:123456789012:stfc-topic-dev-an1-approval"
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
                "launchTemplate": {"id": "lt-0a1b2c3d4e5f6a7b8", "version": "$Latest"},
            },
            options={"ignoreChanges": ["minSize", "maxSize", "desiredCapacity"]},
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
                        "name": "MegaTicket-DR-ALB-1234567890.ap-northeast-1.elb.amazonaws.com",
                        "zoneId": "Z14GRHDCWA56QT",
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
                "topic": topic_arn,
            },
        ),
        resource(
            SUBSCRIPTION,
            "approval-sms",
            {"protocol": "sms", "endpoint": "+821012345678", "topic": topic_arn},
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
                "healthCheckId": "5f2c1b7e-3a4d-4e8f-9b6a-1c2d3e4f5a6b",
                "aliases": [
                    {
                        "name": "MegaTicket-ALB-987654321.ap-northeast-2.elb.amazonaws.com",
                        "zoneId": "ZWKZPGTI48KDX",
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

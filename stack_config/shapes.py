"""Shapes of identifiers and values that are not AWS resource names (those are in failover.contract).

Each is used with `fullmatch`, so no trailing newline or space ever passes.
"""

from __future__ import annotations

import re

AMI_ID = re.compile(r"ami-[0-9a-f]{8}(?:[0-9a-f]{9})?")
VPC_ID = re.compile(r"vpc-[0-9a-f]{8}(?:[0-9a-f]{9})?")
SUBNET_ID = re.compile(r"subnet-[0-9a-f]{8}(?:[0-9a-f]{9})?")
IPV4_CIDR = re.compile(r"[0-9]{1,3}(?:\.[0-9]{1,3}){3}/[0-9]{1,2}")
# Route53 ids: hosted zones (and the ALB's canonical zone) are Z + upper-case alphanumerics,
# health checks are UUIDs.
ZONE_ID = re.compile(r"Z[A-Z0-9]{4,32}")
HEALTH_CHECK_ID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
# arn:aws:acm:<region>:<account>:certificate/<uuid>; the region is checked against the ALB's.
CERTIFICATE_ARN = re.compile(
    r"arn:aws:acm:(?P<region>[a-z0-9-]+):[0-9]{12}:certificate/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-"
    r"[0-9a-f]{4}-[0-9a-f]{12}")
TABLE_ARN = re.compile(r"arn:aws:dynamodb:[a-z0-9-]+:[0-9]{12}:table/[A-Za-z0-9_.-]{3,255}")
# A lower-case DNS name of at least two labels (what Route53 records and the health check probe).
DOMAIN = re.compile(r"(?=.{1,253}\Z)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}")
# A host name AWS generated (ELB DNS names keep the load balancer's upper-case letters).
HOST_NAME = re.compile(r"(?=.{1,253}\Z)(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}")
EMAIL = re.compile(r"[^@\s]{1,64}@[^@\s.]+(?:\.[^@\s.]+)+")
E164 = re.compile(r"\+[1-9][0-9]{6,14}")
URL_PATH = re.compile(r"/[A-Za-z0-9._~/-]{0,254}")  # Route53 ResourcePath: at most 255 characters
ABS_PATH = re.compile(r"(?:/(?!\.\.?(?:/|\Z))[A-Za-z0-9._-]+)+")  # no '.', '..' or empty segments
PM2_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")
INSTANCE_TYPE = re.compile(r"[a-z][a-z0-9-]*[0-9][a-z0-9-]*\.[a-z0-9]+")
BUILD_LABEL = re.compile(r"[A-Za-z0-9._:+-]{1,64}")
# organization/project/stack, project/stack or stack (`pulumi stack ls` names)
STACK_REF = re.compile(r"[A-Za-z0-9_.-]{1,100}(?:/[A-Za-z0-9_.-]{1,100}){0,2}")

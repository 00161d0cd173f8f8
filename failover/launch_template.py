"""Step 2 (and its failback inverse): point the web launch template's INTERNAL_API_URL at the NLB.

Always reads `$Latest`, never a version number: the incident in the notes was a Lambda pinned to
version '2' (hard-coded DNS) while the placeholder lived in version '7'. A new version is created
only when the user data is wrong, and it becomes the default so `$Default` ASGs pick it up too.
"""

from __future__ import annotations

import base64
import re
from typing import Any

from botocore.exceptions import ClientError

from failover.contract import NLB_DNS_PLACEHOLDER as PLACEHOLDER
from failover.errors import LaunchTemplateError, error_code, translate_throttling

# INTERNAL_API_URL=http://<host>:<port> in any quoting the user data templates use.
_URL = re.compile(r"(INTERNAL_API_URL\s*[=:]\s*[\"']?https?://)([^:/\"'\s]+)")


def _latest(ec2: Any, template_name: str) -> dict[str, Any]:
    try:
        versions = ec2.describe_launch_template_versions(
            LaunchTemplateName=template_name, Versions=["$Latest"]
        )["LaunchTemplateVersions"]
    except ClientError as err:
        if error_code(err).startswith("InvalidLaunchTemplateName") or "NotFound" in error_code(err):
            raise LaunchTemplateError(f"launch template {template_name} not found in this region") from err
        raise
    if not versions:
        raise LaunchTemplateError(f"launch template {template_name} has no $Latest version")
    return versions[0]


def _decode(data: dict[str, Any], template_name: str, version: int) -> str:
    raw = data.get("UserData")
    if not raw:
        raise LaunchTemplateError(f"{template_name} version {version} has no user data")
    return base64.b64decode(raw).decode("utf-8")


def rewrite_user_data(user_data: str, nlb_dns: str) -> str:
    """Replace the placeholder, then any INTERNAL_API_URL host that is not the NLB, with the NLB DNS."""
    text = user_data.replace(PLACEHOLDER, nlb_dns)
    return _URL.sub(lambda m: m.group(1) + nlb_dns, text)


def restore_placeholder(user_data: str) -> str:
    return _URL.sub(lambda m: m.group(1) + PLACEHOLDER, user_data)


def _publish(ec2: Any, template: dict[str, Any], data: dict[str, Any], new_text: str, note: str) -> int:
    new_data = dict(data)
    new_data["UserData"] = base64.b64encode(new_text.encode("utf-8")).decode("ascii")
    created = ec2.create_launch_template_version(
        LaunchTemplateId=template["LaunchTemplateId"],
        SourceVersion=str(template["VersionNumber"]),
        # The full data (not just UserData): the rewrite must not depend on SourceVersion merging.
        LaunchTemplateData=new_data,
        VersionDescription=note[:255],
    )["LaunchTemplateVersion"]
    number = int(created["VersionNumber"])
    ec2.modify_launch_template(LaunchTemplateId=template["LaunchTemplateId"], DefaultVersion=str(number))
    return number


@translate_throttling
def point_template_at_nlb(ec2: Any, template_name: str, nlb_dns: str) -> dict[str, Any]:
    """Ensure `$Latest` (and the default) of the template sends INTERNAL_API_URL to `nlb_dns`."""
    if not nlb_dns or PLACEHOLDER in nlb_dns:
        raise LaunchTemplateError(f"refusing to write NLB DNS {nlb_dns!r} into {template_name}")
    latest = _latest(ec2, template_name)
    version = int(latest["VersionNumber"])
    text = _decode(latest["LaunchTemplateData"], template_name, version)
    if PLACEHOLDER not in text and not _URL.search(text):
        raise LaunchTemplateError(
            f"{template_name} $Latest (version {version}) has neither {PLACEHOLDER} nor INTERNAL_API_URL; "
            "the web tier would not find the app tier (fix the user data template and redeploy)"
        )
    new_text = rewrite_user_data(text, nlb_dns)
    if new_text == text:
        if not latest.get("DefaultVersion"):
            ec2.modify_launch_template(
                LaunchTemplateId=latest["LaunchTemplateId"], DefaultVersion=str(version)
            )
        return {"changed": False, "version": version, "source_version": version, "nlb_dns": nlb_dns}
    number = _publish(
        ec2, latest, latest["LaunchTemplateData"], new_text, f"failover: INTERNAL_API_URL -> {nlb_dns}"
    )
    return {"changed": True, "version": number, "source_version": version, "nlb_dns": nlb_dns}


@translate_throttling
def restore_template_placeholder(ec2: Any, template_name: str) -> dict[str, Any]:
    """Failback (mode on-failover): put NLB_DNS_PLACEHOLDER back so the next failover rewrites it."""
    latest = _latest(ec2, template_name)
    version = int(latest["VersionNumber"])
    text = _decode(latest["LaunchTemplateData"], template_name, version)
    new_text = restore_placeholder(text)
    if new_text == text:
        return {"changed": False, "version": version}
    number = _publish(
        ec2, latest, latest["LaunchTemplateData"], new_text, f"failback: INTERNAL_API_URL -> {PLACEHOLDER}"
    )
    return {"changed": True, "version": number, "source_version": version}

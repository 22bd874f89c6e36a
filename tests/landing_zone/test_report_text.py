"""`lz check`'s text report: a policy's description once, stack-level findings without empty resource fields."""

from landing_zone.check_result import CheckResult, PolicyInfo, Violation
from landing_zone.reports import render_text

DESCRIPTION = "[X-99] Something holds everywhere. A long paragraph a reviewer reads once. Refs: none."
URN = "urn:pulumi:prod::landing-zone::aws:s3/bucket:Bucket::logs"


def _violation(urn: str, message: str, account: str) -> Violation:
    name, type_ = ("logs", "aws:s3/bucket:Bucket") if urn else ("(stack)", "")
    return Violation(policy="x-99-something", enforcement="mandatory", severity="high", urn=urn, name=name,
                     type=type_, message=f"{DESCRIPTION}\n{message}", account=account)


def _report(*violations: Violation) -> str:
    policy = PolicyInfo("x-99-something", DESCRIPTION, "mandatory", "high", "stack")
    return render_text(CheckResult("prod", "pack", "0.1.0", [policy], list(violations), 10, False), width=300)


def test_a_policy_description_is_printed_once_however_many_violations():
    text = _report(_violation(URN, "X-99 first: bucket logs lacks it", "log-archive"),
                   _violation(URN + "2", "X-99 second: bucket logs2 lacks it", "log-archive"),
                   _violation("", "X-99 third: the stack lacks it", "-"))
    assert text.count(DESCRIPTION) == 1, text
    assert all(f"X-99 {n}:" in text for n in ("first", "second", "third")), text


def test_stack_level_findings_print_no_empty_account_or_urn():
    text = _report(_violation("", "X-99 check: security.cloudtrail is false", "-"))
    assert "account -" not in text and "urn: \n" not in text and "urn:" not in text.replace("urn:pulumi", ""), text
    assert "stack-level findings" in text and "x-99-something (the stack as a whole)" in text, text
    assert "()" not in text, text

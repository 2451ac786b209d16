import pytest
from django.contrib.auth.models import AnonymousUser

from voc.models import User
from voc.roles import ROLE_CAPABILITIES, Capability, capabilities, has_capability


def test_every_role_has_a_capability_set():
    assert set(ROLE_CAPABILITIES) == set(User.Role.values)


@pytest.mark.parametrize(
    ("role", "may", "may_not"),
    [
        (
            "agent",
            [Capability.LOG_NOTES, Capability.READ_NEWSLETTERS, Capability.SUBSCRIBE, Capability.HEAR_BACK],
            [Capability.VIEW_SITE_NOTES, Capability.READ_REPORTS, Capability.ASK_QUESTIONS, Capability.RECORD_ACTIONS],
        ),
        (
            "lead",
            [
                Capability.CURATE_THEMES,
                Capability.EDIT_NEWSLETTERS,
                Capability.BUDDY_CASES,
                Capability.ASK_QUESTIONS,
                Capability.CONFIRM_MATCHES,
                Capability.RECORD_ACTIONS,
            ],
            [Capability.HANDLE_CASES],
        ),
        (
            "hq",
            [Capability.READ_REPORTS, Capability.SUBSCRIBE, Capability.ASK_QUESTIONS, Capability.RECORD_ACTIONS],
            [Capability.LOG_NOTES, Capability.HANDLE_CASES, Capability.CONFIRM_MATCHES, Capability.HEAR_BACK],
        ),
        ("executive", [Capability.HANDLE_CASES, Capability.READ_REPORTS], [Capability.CURATE_THEMES]),
        ("admin", [Capability.ADMINISTER, Capability.READ_REPORTS], [Capability.HANDLE_CASES]),
    ],
)
def test_roles_grant_what_the_product_table_says(role, may, may_not):
    user = User(role=role, is_active=True)
    for capability in may:
        assert has_capability(user, capability), capability
    for capability in may_not:
        assert not has_capability(user, capability), capability


def test_anonymous_and_inactive_people_may_do_nothing():
    assert capabilities(AnonymousUser()) == frozenset()
    assert capabilities(User(role="admin", is_active=False)) == frozenset()

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import override_settings
from django.utils import timezone

from access.models import AccessEvent, Consultation
from access.policy import Ground
from accounts.models import Profession, User
from assessments.models import Assessment, DomainNeed, NeedSlot, ProfessionalConclusion
from assessments.selectors import due_assessments
from care_plans.models import GoalAction
from clients.models import (
    Assignment,
    BounceKind,
    Client,
    Contact,
    CoordinationReview,
    Referral,
    ReferralBounce,
    RelationshipPeriod,
)
from clients.selectors import caseload
from networks.models import CareTeamMember, Consent, NetworkMeeting
from reminders.models import Kind, Reminder


@pytest.mark.django_db
def test_the_small_seed_builds_the_demo_once() -> None:
    call_command("seed", size="small", stdout=StringIO())
    assert Client.objects.count() == 200
    assert set(User.objects.values_list("username", flat=True)) >= {
        "coordinator",
        "coordinator2",
        "lead",
        "member",
        "admin",
    }
    assert User.objects.get(username="coordinator").check_password("caseflow-demo")
    assert 20 <= caseload(coordinator=User.objects.get(username="coordinator")).count() <= 40
    # One named worker at a time, and every kind of record the pages show.
    assert Assignment.objects.filter(ended_on__isnull=True).values("client").distinct().count() == (
        Assignment.objects.filter(ended_on__isnull=True).count()
    )
    for model in (Contact, Referral, Consent, CareTeamMember, NetworkMeeting):
        assert model.objects.exists(), model
    # Referrals go to typed partners (Kela's vocational rehabilitation, employment services…) with
    # their answer dates; some bounced, and in the demo coordinator's caseload employment services
    # redirected a client to Kela's vocational rehabilitation.
    outgoing = Referral.objects.filter(direction=Referral.Direction.OUTGOING)
    assert not outgoing.filter(partner__isnull=True).exists()
    assert outgoing.filter(partner__code="kela_rehabilitation", answered_on__isnull=False).exists()
    assert {kind for kind, _label in BounceKind.choices} == set(ReferralBounce.objects.values_list("kind", flat=True))
    demo_clients = Assignment.objects.filter(coordinator__username="coordinator", ended_on__isnull=True)
    assert ReferralBounce.objects.filter(
        referral__client__in=demo_clients.values("client"),
        referral__partner__code="employment_work_ability",
        redirected_to__partner__code="kela_rehabilitation",
        redirected_to__follow_up_on__gt=timezone.localdate(),
    ).exists()
    # Most open clients have been assessed; the older ones by RAI, so reassessments come due.
    open_clients = Assignment.objects.filter(ended_on__isnull=True).values("client")
    assessed = Assessment.objects.filter(client__in=open_clients).values("client").distinct().count()
    assert assessed >= 0.7 * open_clients.count()
    assert Assessment.objects.filter(status="completed", reassess_on__isnull=False).exists()
    assert Assessment.objects.filter(status="started").exists()
    assert NeedSlot.objects.filter(coverage="").exists()
    coordinator = User.objects.get(username="coordinator")
    assert due_assessments(coordinator, viewer=coordinator, ground=Ground.DESIGNATED_COORDINATOR)
    # A consultation running and one revoked, each in the log; no day-to-day superuser.
    consultations = Consultation.objects.order_by("pk")
    assert [c.revoked_at is None for c in consultations] == [True, False]
    assert AccessEvent.objects.filter(what="consultation", action=AccessEvent.Action.GRANT).count() == 2
    assert AccessEvent.objects.filter(what="consultation", action=AccessEvent.Action.REVOKE).count() == 1
    assert not User.objects.get(username="admin").is_superuser
    assert User.objects.get(username="dataprotection").role == "data_protection"
    # A work-ability team (issue 18): the employment specialist on two working-age clients of
    # the demo coordinator, the work domain and her conclusion in their latest assessment, a
    # published goal of work and training with its measures.
    specialist = User.objects.get(username="employment")
    assert specialist.profession == Profession.EMPLOYMENT_SPECIALIST
    work_clients = CareTeamMember.objects.filter(professional=specialist).values("client")
    theirs = Assignment.objects.filter(client__in=work_clients, coordinator=coordinator, ended_on__isnull=True)
    assert theirs.count() == 2
    assert ProfessionalConclusion.objects.filter(author=specialist, assessment__client__in=work_clients).count() == 2
    assert DomainNeed.objects.filter(domain__code="work", own_level=2, assessment__client__in=work_clients).count() == 2
    assert GoalAction.objects.filter(
        work_measure="work_trial", professional=specialist, goal__version__plan__client__in=work_clients
    ).exists()
    # Coordination ends on purpose: a review coming due in the demo coordinator's inbox, earlier
    # reviews with the client's view, and planned and unplanned endings with the client's view.
    assert Reminder.objects.filter(kind=Kind.COORDINATION_REVIEW_DUE, recipient=coordinator).exists()
    assert CoordinationReview.objects.filter(recorded_by=coordinator).exists()
    closed = RelationshipPeriod.objects.filter(closed_on__isnull=False)
    assert closed.filter(planned_ending=True).exclude(client_view="").exists()
    assert closed.filter(planned_ending=False).exists()
    assert not RelationshipPeriod.objects.filter(closed_on__isnull=True, review_due_on__isnull=True).exists()
    call_command("seed", size="small", stdout=StringIO())
    assert Client.objects.count() == 200


@pytest.mark.django_db
@override_settings(DEMO_USERS_ALLOWED=False)
def test_the_seed_refuses_production_settings() -> None:
    with pytest.raises(CommandError, match="refused"):
        call_command("seed", size="small")
    assert not Client.objects.exists()

from datetime import timedelta

import factory
from django.utils import timezone

from insights.models import Theme
from newsletter.models import Issue
from voc import periods
from voc.models import ComplaintCase, ComplaintContact, Insight, ListeningSession, Site, Team, User

PASSWORD = "correct-horse-battery"


class SiteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Site
        django_get_or_create = ["name"]

    name = factory.Sequence(lambda n: f"Site {n}")
    city = factory.SelfAttribute("name")
    country = Site.Country.SPAIN


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Team

    site = factory.SubFactory(SiteFactory)
    name = factory.Sequence(lambda n: f"Team {n}")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ["username"]
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"person{n}")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    role = User.Role.AGENT
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def persist(obj, create, extracted, **kwargs):
        obj.is_staff = obj.is_superuser = obj.role == User.Role.ADMIN
        if create:
            obj.save()


class BackdatedFactory(factory.django.DjangoModelFactory):
    """Takes ``created_at=…`` although the field is ``auto_now_add``: the row is saved, then its stamp updated."""

    class Meta:
        abstract = True

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        created_at = kwargs.pop("created_at", None)
        obj = super()._create(model_class, *args, **kwargs)
        if created_at is not None:
            model_class.objects.filter(pk=obj.pk).update(created_at=created_at)
            obj.created_at = created_at
        return obj


class InsightFactory(BackdatedFactory):
    """A note by an agent at the agent's site, logged just now (pass ``occurred_at`` for another time,
    ``created_at`` for another logging time)."""

    class Meta:
        model = Insight

    agent = factory.SubFactory(UserFactory, site=factory.SubFactory(SiteFactory))
    site = factory.LazyAttribute(lambda note: note.agent.site)
    kind = Insight.Kind.NEED
    channel = Insight.Channel.PHONE
    language = "en"
    text = "Wants an app that joins all their banks"
    occurred_at = factory.LazyFunction(timezone.now)


class ComplaintFactory(InsightFactory):
    kind = Insight.Kind.COMPLAINT
    text = "Nobody called me back about the transfer"


class ComplaintContactFactory(factory.django.DjangoModelFactory):
    """A complaint's customer, who agreed to be contacted."""

    class Meta:
        model = ComplaintContact

    note = factory.SubFactory(ComplaintFactory)
    name = "Rosa Díaz"
    consent = True


class ComplaintCaseFactory(factory.django.DjangoModelFactory):
    """This month's case of an executive, on a complaint, to acknowledge within two days."""

    class Meta:
        model = ComplaintCase

    month = factory.LazyFunction(lambda: periods.month_start(timezone.localdate()))
    executive = factory.SubFactory(UserFactory, role=User.Role.EXECUTIVE)
    note = factory.SubFactory(ComplaintFactory)
    acknowledge_by = factory.LazyFunction(lambda: timezone.now() + timedelta(days=2))


class ListeningSessionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ListeningSession

    person = factory.SubFactory(UserFactory, role=User.Role.EXECUTIVE)
    day = factory.LazyFunction(timezone.localdate)
    minutes = 30


class ThemeFactory(BackdatedFactory):
    """An accepted theme (the model's default is a proposal); ``created_at`` may be given."""

    class Meta:
        model = Theme

    name = factory.Sequence(lambda n: f"Theme {n}")
    status = Theme.Status.ACCEPTED


class IssueFactory(factory.django.DjangoModelFactory):
    """A draft issue of the last complete week."""

    class Meta:
        model = Issue

    week_start = factory.LazyFunction(lambda: periods.last_complete_week(timezone.localdate()))
